package dev.herd.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herd.engine.docker.DockerDaemon;
import dev.herd.engine.docker.HostCli;
import dev.herd.server.api.Api;
import dev.herd.server.client.ApiClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's promise on Docker Engine (Debian's docker.io 20.10, the tests' private dockerd):
 * {@code DOCKER_HOST=unix:///.../docker.sock herd up examples/hello-web} brings three healthy
 * nodes; {@code docker kill} of one gets it replaced under its name; {@code docker exec} into one
 * gets it replaced as tamper. Test tuning as in FleetControllerIT (faster health, own ports).
 */
@ExtendWith(DockerDaemon.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerUpIT {
  private static final Path EXAMPLE = Path.of("..", "examples", "hello-web").toAbsolutePath().normalize();
  private static final int COUNT = 3;

  @TempDir static Path tmp;
  private final String project = "dockit" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
  private Path dir;
  private HostCli docker;
  private HerdProcess herd;

  @BeforeAll
  void upOnTheExample() throws IOException {
    docker = DockerDaemon.running().cli();
    dir = tmp.resolve("hello-web");
    copy(EXAMPLE, dir);
    String yaml = Files.readString(dir.resolve("herd.yaml"));
    for (String[] r : new String[][] {
        {"  name: hello-web\n", "  name: " + project + "\n"},
        {"ports: 18080-18179", "ports: " + (DockerDaemon.PORT_FROM + 100) + "-" + (DockerDaemon.PORT_FROM + 199)},
        {"    expose: {port: 8080}", ""}, // no front door here: port 8080 is the example's
        {"interval: 5s\n      timeout: 2s\n      start_grace: 10s", "interval: 1s\n      timeout: 800ms\n      start_grace: 3s"}}) {
      if (!yaml.contains(r[0])) {
        throw new IllegalStateException("examples/hello-web/herd.yaml no longer contains " + r[0].strip() + "; update DockerUpIT");
      }
      yaml = yaml.replace(r[0], r[1]);
    }
    Files.writeString(dir.resolve("herd.yaml"), yaml);
    herd = HerdProcess.up(dir, Map.of("DOCKER_HOST", DockerDaemon.running().host()), tmp.resolve("herd-up.log"));
    await("herd up serving its API").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(250))
        .ignoreExceptionsMatching(e -> e instanceof ApiClient.NoController || e.getMessage() != null
            && e.getMessage().contains("has not written its api.json"))
        .until(() -> herd.api(Duration.ofSeconds(5)).get("/healthz", Api.Done.class).message().equals("ok"));
  }

  @AfterAll
  void removeEverything() throws InterruptedException {
    try {
      if (herd != null) {
        if (herd.alive()) {
          try {
            herd.api(Duration.ofSeconds(60)).post("/v1/down", null, Api.Done.class);
            herd.waitFor(Duration.ofSeconds(30));
          } catch (RuntimeException e) {
            System.out.println("herd down failed during cleanup: " + e);
          }
        }
        System.out.println("last lines of herd up:\n" + herd.logTail());
        herd.close();
      }
    } finally {
      List<String> ids = containers();
      if (!ids.isEmpty()) {
        List<String> rm = new ArrayList<>(List.of("rm", "-f"));
        rm.addAll(ids);
        docker.run(rm.toArray(String[]::new));
      }
    }
  }

  @Test
  @Order(1)
  void threeHealthyNodesServeTheSite() {
    Api.FleetView web = awaitSettled(Duration.ofMinutes(5));
    assertThat(web.nodes()).extracting(Api.NodeView::name).containsExactly("web-1", "web-2", "web-3");
    for (Api.NodeView n : web.nodes()) {
      assertThat(n.port()).isBetween(DockerDaemon.PORT_FROM, DockerDaemon.PORT_TO);
      assertThat(page(n.port())).contains("<h1>Hello from hello-web</h1>");
    }
    assertThat(containers()).hasSize(COUNT);
    assertThat(docker.ok("info", "--format", "{{.ServerVersion}}").out()).startsWith("20.10");
  }

  @Test
  @Order(2)
  void aDockerKillGetsTheNodeReplacedUnderItsName() {
    Api.NodeView before = node(fleet(), "web-2");
    long mark = lastEventId();
    docker.ok("kill", project + "-web-2-g" + before.generation());

    awaitReplaced("web-2", before.generation());
    assertThat(events(mark)).anySatisfy(e -> {
      assertThat(e.kind()).isEqualTo("node_replaced");
      assertThat(e.reason()).startsWith("web-2 replaced: exited with code");
    });
  }

  @Test
  @Order(3)
  void aDockerExecGetsTheNodeReplacedAsTamper() {
    Api.NodeView before = node(fleet(), "web-1");
    long mark = lastEventId();
    docker.ok("exec", project + "-web-1-g" + before.generation(), "/bin/busybox", "true");

    awaitReplaced("web-1", before.generation());
    assertThat(events(mark)).anySatisfy(e -> {
      assertThat(e.kind()).isEqualTo("node_replaced");
      assertThat(e.reason()).startsWith("web-1 replaced: drift (tamper): exec");
    });
  }

  // ---- helpers -------------------------------------------------------------------------------

  private List<String> containers() {
    return docker.run("ps", "-aq", "--filter", "label=herd.project=" + project).out().lines()
        .filter(l -> !l.isBlank()).toList();
  }

  private void awaitReplaced(String name, long generation) {
    await(name + " replaced").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
        .until(this::fleet, f -> node(f, name).generation() == generation + 1
            && node(f, name).state().equals("healthy") && f.healthy() == COUNT);
    assertThat(page(node(fleet(), name).port())).contains("Hello from hello-web");
    await("the replaced container removed").atMost(Duration.ofSeconds(30)).until(() -> containers().size() == COUNT);
  }

  private Api.FleetView fleet() {
    Api.FleetView f = fleetOrNull();
    if (f == null) {
      throw new AssertionError("herd runs no fleet web (yet)");
    }
    return f;
  }

  private Api.FleetView fleetOrNull() {
    Api.Status s = herd.api(Duration.ofSeconds(10)).get("/v1/status", Api.Status.class);
    return s.fleets().stream().filter(f -> f.name().equals("web")).findFirst().orElse(null);
  }

  private Api.FleetView awaitSettled(Duration atMost) {
    return await("fleet settled on web:v1").atMost(atMost).pollInterval(Duration.ofMillis(500))
        .ignoreExceptionsMatching(e -> e instanceof ApiClient.NoController)
        .until(this::fleetOrNull, f -> f != null && f.rollout() == null && f.nodes().size() == COUNT
            && f.nodes().stream().allMatch(n -> n.state().equals("healthy")));
  }

  private static Api.NodeView node(Api.FleetView f, String name) {
    return f.nodes().stream().filter(n -> n.name().equals(name)).reduce((a, b) -> a.generation() > b.generation() ? a : b)
        .orElseThrow(() -> new AssertionError("no node " + name + " in " + f.nodes()));
  }

  private List<Api.EventView> events(long after) {
    return herd.api(Duration.ofSeconds(10)).get("/v1/events?after=" + after + "&limit=10000", Api.Events.class).events();
  }

  private long lastEventId() {
    List<Api.EventView> all = events(0);
    return all.isEmpty() ? 0 : all.getLast().id();
  }

  private static String page(int port) {
    try {
      var r = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/"))
              .timeout(Duration.ofSeconds(5)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as("HTTP status of 127.0.0.1:%d", port).isEqualTo(200);
      return r.body();
    } catch (IOException e) {
      throw new AssertionError("127.0.0.1:" + port + " does not serve: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.walk(from)) {
      s.filter(p -> !from.relativize(p).startsWith(".herd") && !p.getFileName().toString().endsWith(".lock")).forEach(files::add);
    }
    for (Path p : files) {
      Path target = to.resolve(from.relativize(p).toString());
      if (Files.isDirectory(p)) {
        Files.createDirectories(target);
      } else {
        Files.copy(p, target);
      }
    }
  }
}
