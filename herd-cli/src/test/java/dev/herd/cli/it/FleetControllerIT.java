package dev.herd.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herd.engine.docker.Ping;
import dev.herd.engine.docker.PodmanService;
import dev.herd.server.api.Api;
import dev.herd.server.client.ApiClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet controller on real Podman, driven the way a user drives it: the hello-web example
 * (baked for real from Debian by {@code herd up}), {@code herd up} in its own JVM from the shaded
 * jar, the REST API for apply/status/events/endpoints, and the podman CLI for mischief.
 *
 * <p>The steps share one fleet and run in order (each starts from the state the previous one
 * left), so the role is baked once per class: v1 at start-up, v2 (changed template) and v4 by
 * apply; v3 changes only the health check. The project name is unique per run and every container
 * carries it as a label, so cleanup removes exactly this class's containers, even after a failure.
 *
 * <p>Test-only tuning of the example (faster, same behaviour): health checks every 1s with a 3s
 * start grace, min_healthy_time 2s, progress_deadline 15s, and a port range of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetControllerIT {
  private static final Path EXAMPLE = Path.of("..", "examples", "hello-web").toAbsolutePath().normalize();
  private static final String FLEET = "web";
  private static final int COUNT = 3;

  @TempDir static Path tmp;
  private final String project = "fcit" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
  private Path dir;
  private PodmanService engine;
  private HerdProcess herd;
  private int starts;

  @BeforeAll
  void upOnTheExample() throws IOException {
    dir = tmp.resolve("hello-web");
    copy(EXAMPLE, dir);
    edit(dir.resolve("herd.yaml"), Map.of(
        "  name: hello-web\n", "  name: " + project + "\n",
        "ports: 18080-18179", "ports: 28400-28499",
        // no front door here: port 8080 is the example's, not this test's
        "    expose: {port: 8080}", "",
        "interval: 5s\n      timeout: 2s\n      start_grace: 10s",
        "interval: 1s\n      timeout: 800ms\n      start_grace: 3s",
        "max_unavailable: 0\n", "max_unavailable: 0\n      min_healthy_time: 2s\n      progress_deadline: 15s\n"));
    // The class's own engine socket (DOCKER_HOST, discovery's first choice): herd killed with
    // SIGKILL cannot stop a podman service it started itself, and this one is stopped in @AfterAll.
    engine = PodmanService.start("podman", tmp.resolve("engine"), Duration.ofSeconds(30), Ping.HTTP);
    herd = start();
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
      try {
        Podman.removeAll(project);
      } finally {
        if (engine != null) {
          engine.close();
        }
      }
    }
  }

  @Test
  @Order(1)
  void aFleetOfThreeComesUpHealthyAndServes() {
    Api.FleetView web = awaitSettled("web:v1", Duration.ofSeconds(120));
    assertThat(web.nodes()).extracting(Api.NodeView::name).containsExactly("web-1", "web-2", "web-3");
    for (Api.NodeView n : web.nodes()) {
      assertThat(page(n.port())).contains("<h1>Hello from hello-web</h1>");
    }
    assertThat(Podman.containers(project)).hasSize(COUNT).allMatch(Podman.Container::running);
  }

  @Test
  @Order(2)
  void aKilledNodeIsReplacedUnderTheSameNameAndGetsHealthy() {
    Api.NodeView before = node(fleet(), "web-2");
    long mark = lastEventId();
    String container = project + "-web-2-g" + before.generation();
    Instant killed = Instant.now();
    Podman.kill(container);

    Api.FleetView web = await("web-2 replaced").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(this::fleet, f -> node(f, "web-2").generation() == before.generation() + 1
            && node(f, "web-2").state().equals("healthy") && f.healthy() == COUNT);
    System.out.println("web-2 replaced and healthy " + Duration.between(killed, Instant.now()).toMillis() + " ms after podman kill");
    assertThat(web.nodes()).extracting(Api.NodeView::name).containsExactly("web-1", "web-2", "web-3");
    assertThat(page(node(web, "web-2").port())).contains("Hello from hello-web");
    assertThat(events(mark)).anySatisfy(e -> {
      assertThat(e.kind()).isEqualTo("node_replaced");
      assertThat(e.node()).isEqualTo("web-2");
      assertThat(e.reason()).startsWith("web-2 replaced: exited with code");
    });
    await("the killed container removed").atMost(Duration.ofSeconds(30))
        .until(() -> Podman.containers(project).stream().noneMatch(c -> c.name().equals(container)));
    assertThat(Podman.containers(project)).hasSize(COUNT);
  }

  @Test
  @Order(3)
  void aRollingUpdateToANewImageFailsNoRequestToAnEndpointInService() throws Exception {
    long mark = lastEventId();
    ApiClient api = herd.api(Duration.ofSeconds(10));
    try (EndpointLoad load = new EndpointLoad(() -> api, FLEET, FleetControllerIT::version).start(Duration.ofMillis(20))) {
      await("the client gets v1 pages").atMost(Duration.ofSeconds(20)).until(() -> load.served("v1") >= 20);
      writeTemplate("v2");
      Api.Changes changes = apply();
      assertThat(changes.fleets()).singleElement().satisfies(c -> {
        assertThat(c.kind()).isEqualTo("released");
        assertThat(c.release()).isEqualTo("web:v2");
      });
      awaitSettled("web:v2", Duration.ofSeconds(120));
      int before = load.served("v2");
      await("the client gets v2 pages").atMost(Duration.ofSeconds(20)).until(() -> load.served("v2") >= before + 20);
      load.close();

      long removals = events(mark).stream().filter(e -> e.kind().equals("node_removed") || e.kind().equals("node_replaced")).count();
      assertThat(removals).as("old nodes retired").isGreaterThanOrEqualTo(COUNT);
      assertThat(load.failures().size()).as(load.summary()).isZero();
      assertThat(load.races().size()).as("requests that raced a removal (one request in flight at a time): %s", load.races())
          .isLessThanOrEqualTo((int) removals);
      assertThat(load.ok()).isGreaterThan(100);
      System.out.println("rolling update under load: " + load.summary() + "; races: " + load.races());
    }
    assertThat(Podman.containers(project)).hasSize(COUNT).allMatch(c -> c.release().equals("web:v2"));
  }

  @Test
  @Order(4)
  void aReleaseThatFailsItsHealthCheckRollsBackByItself() throws Exception {
    long mark = lastEventId();
    ApiClient api = herd.api(Duration.ofSeconds(10));
    try (EndpointLoad load = new EndpointLoad(() -> api, FLEET, FleetControllerIT::version).start(Duration.ofMillis(50))) {
      edit(dir.resolve("herd.yaml"), Map.of("http: {path: /, status: 200}", "http: {path: /missing, status: 200}"));
      Api.Changes changes = apply();
      assertThat(changes.fleets()).singleElement().satisfies(c -> assertThat(c.release()).isEqualTo("web:v3"));

      Api.EventView rollback = await("automatic rollback").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
          .until(() -> events(mark).stream().filter(e -> e.kind().equals("rollback")).findFirst(), java.util.Optional::isPresent)
          .orElseThrow();
      assertThat(rollback.reason()).startsWith("rollout of web:v3 failed: no progress for 15s")
          .contains("health check failed").contains("HTTP 404").endsWith("rolling back to web:v2");
      Api.FleetView web = awaitSettled("web:v2", Duration.ofSeconds(60));
      assertThat(web.lastGoodRelease()).isEqualTo("web:v2");
      load.close();
      // max_unavailable 0: the v2 nodes served throughout; no v3 node was ever in service
      assertThat(load.failures().size()).as(load.summary()).isZero();
      assertThat(load.served("v2")).isPositive();
      assertThat(events(mark)).anySatisfy(e -> {
        assertThat(e.kind()).isEqualTo("rollout_completed");
        assertThat(e.reason()).startsWith("rollback to web:v2 complete");
      });
    }
    assertThat(Podman.containers(project)).hasSize(COUNT).allMatch(c -> c.release().equals("web:v2"));
  }

  @Test
  @Order(5)
  void aControllerKilledMidRolloutFinishesItWithExactlyThreeNodes() throws Exception {
    long mark = lastEventId();
    edit(dir.resolve("herd.yaml"), Map.of("http: {path: /missing, status: 200}", "http: {path: /, status: 200}"));
    writeTemplate("v4");
    assertThat(apply().fleets()).singleElement().satisfies(c -> assertThat(c.release()).isEqualTo("web:v4"));

    // Kill at the second node created for v4: web-1 is replaced, web-2's successor is being started.
    await("the second v4 node being created").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
        .until(() -> events(mark).stream().filter(e -> e.kind().equals("node_created") && e.reason().contains(" on web:v4")).count() >= 2);
    herd.kill9();
    List<Podman.Container> atKill = Podman.containers(project);
    System.out.println("herd killed with SIGKILL mid-rollout; containers then: " + atKill);
    assertThat(atKill).as("the rollout was under way").anyMatch(c -> c.release().equals("web:v4"))
        .anyMatch(c -> c.release().equals("web:v2"));

    herd = start();
    Api.FleetView web = awaitSettled("web:v4", Duration.ofSeconds(120));

    List<Podman.Container> containers = Podman.containers(project);
    Set<String> recorded = new TreeSet<>();
    web.nodes().forEach(n -> recorded.add(project + "-" + n.name() + "-g" + n.generation()));
    assertThat(containers).as("no duplicate, no orphan").hasSize(COUNT)
        .allMatch(Podman.Container::running).allMatch(c -> c.release().equals("web:v4"));
    assertThat(containers).extracting(Podman.Container::name).containsExactlyInAnyOrderElementsOf(recorded);
    assertThat(web.nodes()).extracting(Api.NodeView::name).containsExactly("web-1", "web-2", "web-3");
    for (Api.NodeView n : web.nodes()) {
      assertThat(page(n.port())).contains("release v4");
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  private HerdProcess start() {
    starts++;
    HerdProcess p = HerdProcess.up(dir, Map.of("DOCKER_HOST", engine.endpoint().uri().toString()),
        tmp.resolve("herd-up-" + starts + ".log"));
    await("herd up serving its API").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
        .ignoreExceptionsMatching(e -> e instanceof ApiClient.NoController || e.getMessage() != null
            && e.getMessage().contains("has not written its api.json"))
        .until(() -> p.api(Duration.ofSeconds(5)).get("/healthz", Api.Done.class).message().equals("ok"));
    return p;
  }

  private Api.Changes apply() {
    return herd.api(Duration.ofMinutes(3)).post("/v1/apply", null, Api.Changes.class);
  }

  private Api.FleetView fleet() {
    Api.FleetView f = fleetOrNull();
    if (f == null) {
      throw new AssertionError("herd runs no fleet " + FLEET + " (yet)");
    }
    return f;
  }

  /** Null before herd up's first apply has created the fleet. */
  private Api.FleetView fleetOrNull() {
    Api.Status s = herd.api(Duration.ofSeconds(10)).get("/v1/status", Api.Status.class);
    return s.fleets().stream().filter(f -> f.name().equals(FLEET)).findFirst().orElse(null);
  }

  /** Waits until the fleet runs {@code release} on exactly COUNT healthy nodes with no rollout. */
  private Api.FleetView awaitSettled(String release, Duration atMost) {
    return await("fleet settled on " + release).atMost(atMost).pollInterval(Duration.ofMillis(250))
        .ignoreExceptionsMatching(e -> e instanceof ApiClient.NoController)
        .until(this::fleetOrNull, f -> f != null && f.release().equals(release) && f.rollout() == null && f.nodes().size() == COUNT
            && f.nodes().stream().allMatch(n -> n.release().equals(release) && n.state().equals("healthy")));
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

  /** The release a hello-web page comes from: the marker the test put in the template, v1 without. */
  static String version(String body) {
    if (!body.contains("<h1>Hello from hello-web</h1>")) {
      return null;
    }
    int at = body.indexOf("<p>release ");
    return at < 0 ? "v1" : body.substring(at + 11, body.indexOf("</p>", at));
  }

  private void writeTemplate(String release) throws IOException {
    Path template = dir.resolve("templates/index.html.j2");
    String original = Files.readString(EXAMPLE.resolve("templates/index.html.j2"));
    Files.writeString(template, original.replace("  </body>", "    <p>release " + release + "</p>\n  </body>"));
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

  /** Replaces each key with its value; each key must occur, so a changed example fails loudly here. */
  private static void edit(Path file, Map<String, String> replacements) throws IOException {
    String text = Files.readString(file);
    for (Map.Entry<String, String> r : replacements.entrySet()) {
      if (!text.contains(r.getKey())) {
        throw new IllegalStateException(file + " no longer contains " + r.getKey().strip() + "; update " + FleetControllerIT.class.getSimpleName());
      }
      text = text.replace(r.getKey(), r.getValue());
    }
    Files.writeString(file, text);
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
