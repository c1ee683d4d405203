package dev.herd.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herd.engine.docker.Endpoint;
import dev.herd.engine.docker.Ping;
import dev.herd.engine.docker.PodmanService;
import dev.herd.server.api.Api;
import dev.herd.server.client.ApiClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code herd down} after {@code herd up} was SIGKILLed, on real Podman: the command removes every
 * container of the project itself, lists them, stops the podman service the killed herd started,
 * and records the removals so the next {@code herd up} reports no vanished nodes; on an engine
 * herd did not start (DOCKER_HOST) it removes the nodes and leaves the engine running; the fleet's
 * front door (HAProxy, which outlives the killed controller by design) is stopped too. A 2-node
 * busybox fleet (no bake), node ports 25500-25589, front door 25599, a project name unique per run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DownWithoutControllerIT {
  private static final int COUNT = 2;

  @TempDir static Path tmp;
  private final String project = "cadown" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 30), 36);
  private Path dir;
  private Path socket;
  private HerdProcess herd;
  private PodmanService otherEngine;
  private int starts;

  @BeforeAll
  void project() throws IOException {
    dir = tmp.resolve("p");
    Files.createDirectories(dir);
    socket = dir.resolve(".herd/podman.sock").toAbsolutePath();
    Files.writeString(dir.resolve("herd.yaml"), """
        project:
          name: %s
          ports: 25500-25589
        roles:
          web:
            base: {scratch: {}}
            command: ["/bin/busybox", "httpd", "-f", "-p", "${PORT}", "-h", "/www"]
            health:
              http: {path: /, status: 200}
              interval: 1s
              timeout: 500ms
              start_grace: 5s
        environments:
          dev: {}
        fleets:
          web: {role: web, environment: dev, count: %d, expose: {port: 25599}}
        """.formatted(project, COUNT));
    TestImages.importBusybox(dir.resolve(".herd"));
  }

  @AfterAll
  void removeEverything() throws InterruptedException {
    try {
      if (herd != null) {
        herd.kill9();
      }
    } finally {
      try {
        Podman.removeAll(project);
      } finally {
        servicePids().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy));
        try {
          haproxy().ifPresent(ProcessHandle::destroy);
        } catch (IOException e) {
          System.err.println("cannot read the front door's pid file: " + e);
        }
        if (otherEngine != null) {
          otherEngine.close();
        }
      }
    }
  }

  @Test
  @Order(1)
  void downAfterAKilledUpRemovesEveryNodeListsThemAndStopsTheServiceHerdStarted() throws Exception {
    herd = start(Map.of());
    awaitSettled();
    assertThat(servicePids()).as("herd up runs its own podman service on %s", socket).hasSize(1);
    herd.kill9();
    List<String> left = Podman.containers(project).stream().map(Podman.Container::name).sorted().toList();
    assertThat(left).as("SIGKILL leaves the nodes").hasSize(COUNT);
    assertThat(servicePids()).as("and the podman service").hasSize(1);
    Optional<ProcessHandle> door = haproxy();
    assertThat(door).as("and the front door (the data plane outlives the controller)").isPresent();

    HerdProcess.Run down = HerdProcess.run(Duration.ofSeconds(90), "down", "-f", file());
    System.out.println("herd down with no controller (" + down.took().toMillis() + " ms):\n" + down.output());

    assertThat(down.exitCode()).as(down.output()).isZero();
    assertThat(Podman.containers(project)).as("no container of the project remains").isEmpty();
    assertThat(down.output()).contains("no controller is running for " + project).contains("removed " + COUNT + " nodes")
        .doesNotContain("could not remove");
    left.forEach(name -> assertThat(down.output()).contains("removed " + name));
    assertThat(servicePids()).as("the podman service the killed herd started is stopped").isEmpty();
    assertThat(down.output()).contains("stopped herd's podman service");
    assertThat(door.get().isAlive()).as("herd down stops the front door the killed herd left").isFalse();
    assertThat(dir.resolve(".herd/frontdoor/haproxy.pid")).doesNotExist();

    herd = start(Map.of());
    awaitSettled();
    List<Api.EventView> all = herd.api(Duration.ofSeconds(10)).get("/v1/events?after=0&limit=10000", Api.Events.class).events();
    assertThat(all).filteredOn(e -> e.kind().equals("node_removed")).hasSize(COUNT)
        .allSatisfy(e -> assertThat(e.reason()).endsWith("removed by herd down"));
    assertThat(all).noneMatch(e -> e.kind().equals("node_vanished") || e.reason().contains("disappeared from the engine"));
    herd.kill9();
    herd = null;
  }

  @Test
  @Order(2)
  void downOnAnEngineHerdDidNotStartRemovesTheNodesAndLeavesTheEngineRunning() throws Exception {
    // the first test's killed herd left two nodes on herd's own service; clear them through it
    HerdProcess.Run clear = HerdProcess.run(Duration.ofSeconds(90), "down", "-f", file());
    assertThat(clear.exitCode()).as(clear.output()).isZero();
    otherEngine = PodmanService.start("podman", tmp.resolve("engine"), Duration.ofSeconds(30), Ping.HTTP);
    Map<String, String> env = Map.of("DOCKER_HOST", otherEngine.endpoint().uri().toString());
    herd = start(env);
    awaitSettled();
    herd.kill9();
    herd = null;
    assertThat(Podman.containers(project)).hasSize(COUNT);

    HerdProcess.Run down = HerdProcess.run(Duration.ofSeconds(90), env, "down", "-f", file());
    System.out.println("herd down on DOCKER_HOST:\n" + down.output());

    assertThat(down.exitCode()).as(down.output()).isZero();
    assertThat(Podman.containers(project)).isEmpty();
    assertThat(down.output()).contains("removed " + COUNT + " nodes").doesNotContain("podman service");
    assertThat(Ping.HTTP.failure(new Endpoint(otherEngine.endpoint().uri(), "test")))
        .as("the engine herd did not start still answers").isEmpty();
    assertThat(haproxy()).as("the front door is stopped").isEmpty();
  }

  // ---- helpers -------------------------------------------------------------------------------

  private String file() {
    return dir.resolve("herd.yaml").toString();
  }

  private HerdProcess start(Map<String, String> env) {
    starts++;
    HerdProcess p = HerdProcess.up(dir, env, tmp.resolve("herd-up-" + starts + ".log"), List.of("--no-bake"));
    await("herd up serving its API").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
        .ignoreExceptionsMatching(e -> e instanceof ApiClient.NoController || e.getMessage() != null
            && e.getMessage().contains("has not written its api.json"))
        .until(() -> p.api(Duration.ofSeconds(5)).get("/healthz", Api.Done.class).message().equals("ok"));
    return p;
  }

  private void awaitSettled() {
    await("fleet settled").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
        .ignoreExceptionsMatching(e -> e instanceof ApiClient.NoController)
        .until(this::fleet, f -> f.isPresent() && f.get().nodes().size() == COUNT
            && f.get().nodes().stream().allMatch(n -> n.state().equals("healthy")));
  }

  private Optional<Api.FleetView> fleet() {
    Api.Status s = herd.api(Duration.ofSeconds(10)).get("/v1/status", Api.Status.class);
    return s.fleets().stream().filter(f -> f.name().equals("web")).findFirst();
  }

  /** Every {@code podman system service} process serving this project's socket. */
  private List<Long> servicePids() {
    return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
        .filter(h -> h.info().commandLine().map(c -> c.contains("system service") && c.contains(socket.toString()))
            .orElse(false))
        .map(ProcessHandle::pid).sorted().toList();
  }

  /** The project's HAProxy master, from the pid file its front door keeps. */
  private Optional<ProcessHandle> haproxy() throws IOException {
    Path pidFile = dir.resolve(".herd/frontdoor/haproxy.pid");
    if (!Files.isRegularFile(pidFile)) {
      return Optional.empty();
    }
    long pid = Long.parseLong(Files.readString(pidFile).strip());
    return ProcessHandle.of(pid).filter(h -> h.info().command().map(c -> c.endsWith("haproxy")).orElse(false));
  }
}
