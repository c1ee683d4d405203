package dev.herd.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herd.engine.docker.Ping;
import dev.herd.engine.docker.PodmanService;
import dev.herd.server.api.Api;
import dev.herd.server.client.ApiClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
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
 * Faults around the engine herd owns, on real Podman with no engine running beforehand: {@code herd up}
 * (its own JVM, no DOCKER_HOST) starts {@code podman system service} on {@code .herd/podman.sock}.
 * A 2-node busybox fleet (no bake: the test image is imported once) goes through, in order: other
 * commands run beside the controller, the service killed mid-rollout, the controller killed,
 * a down and up, and a down with the engine gone. Ports 22000-22099; the project name is unique
 * per run and cleanup removes exactly its containers and its podman service.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EngineFaultsIT {
  private static final String FLEET = "web";
  private static final int COUNT = 2;

  @TempDir static Path tmp;
  private final String project = "efit" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 30), 36);
  private Path dir;
  private Path socket;
  private HerdProcess herd;
  private PodmanService otherEngine;
  private int starts;
  private int release = 1;

  @BeforeAll
  void upOnItsOwnPodmanService() throws IOException {
    dir = tmp.resolve("p");
    Files.createDirectories(dir);
    socket = dir.resolve(".herd/podman.sock").toAbsolutePath();
    writeSpec("v1");
    TestImages.importBusybox(dir.resolve(".herd"));
    herd = start(Map.of());
    awaitSettled("web:v1");
  }

  @AfterAll
  void removeEverything() throws InterruptedException {
    try {
      if (herd != null) {
        System.out.println("last lines of herd up:\n" + herd.logTail());
        herd.kill9();
      }
    } finally {
      try {
        Podman.removeAll(project);
      } finally {
        servicePids().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy));
        if (otherEngine != null) {
          otherEngine.close();
        }
      }
    }
  }

  @Test
  @Order(1)
  void driftAndDoctorBesideTheControllerLeaveItsEngineAlone() throws IOException {
    List<Long> before = servicePids();
    assertThat(before).as("herd up started one podman service on %s", socket).hasSize(1);
    String file = dir.resolve("herd.yaml").toString();

    HerdProcess.Run drift = HerdProcess.run(Duration.ofSeconds(60), "drift", "-f", file);
    assertThat(drift.exitCode()).as("0 no drift, 2 drift: %s", drift.output()).isIn(0, 2);
    HerdProcess.Run doctor = HerdProcess.run(Duration.ofSeconds(60), "doctor", "-f", file);
    assertThat(doctor.exitCode()).as(doctor.output()).isZero();
    assertThat(doctor.output()).contains("herd's podman service is running").doesNotContain("stopped when it ends");

    assertThat(servicePids()).as("the controller's service, and only it").isEqualTo(before);
    assertThat(Files.exists(socket)).as("%s still exists", socket).isTrue();
    assertThat(Ping.HTTP.failure(new dev.herd.engine.docker.Endpoint(URI.create("unix://" + socket), "test")))
        .as("the controller's engine answers").isEmpty();
    assertThat(Files.getPosixFilePermissions(dir.resolve(".herd/podman-service.json")))
        .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);

    rollOut();
  }

  @Test
  @Order(2)
  void aPodmanServiceKilledMidRolloutIsRestartedAndTheRolloutCompletes() throws IOException {
    long mark = lastEventId();
    long logFrom = Files.size(herd.log());
    long herdLogFrom = Files.size(dir.resolve(".herd/herd.log"));
    long victim = servicePids().getFirst();
    String next = "web:v" + (release + 1);
    writeSpec("v" + (release + 1));
    assertThat(apply().fleets()).singleElement().satisfies(c -> assertThat(c.release()).isEqualTo(next));
    release++;
    await("the first node of " + next).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
        .until(() -> events(mark).stream().anyMatch(e -> e.kind().equals("node_created") && e.reason().contains(next)));
    ProcessHandle.of(victim).orElseThrow().destroyForcibly();

    Api.FleetView web = awaitSettled(next);
    assertThat(web.nodes()).hasSize(COUNT);
    assertThat(events(mark)).anySatisfy(e -> {
      assertThat(e.kind()).isEqualTo("engine_restarted");
      assertThat(e.reason()).startsWith("engine restarted: podman system service (pid " + victim + ") died");
    });
    assertThat(servicePids()).as("one service again, a new one").hasSize(1).doesNotContain(victim);
    String console = tail(herd.log(), logFrom);
    String operatorLog = tail(dir.resolve(".herd/herd.log"), herdLogFrom);
    System.out.println("herd up printed after the kill:\n" + console);
    for (String out : List.of(console, operatorLog)) {
      assertThat(out.lines().filter(l -> l.startsWith("\tat ") || l.matches("^(Caused by|[a-z]+(\\.[a-zA-Z$]+)+(Exception|Error)).*")))
          .as("no stack trace").isEmpty();
    }
    assertThat(console.lines().filter(l -> l.contains(" ERROR "))).as("no ERROR line").isEmpty();
    assertThat(console.lines().filter(l -> l.contains("engine restarted"))).as("one line for the restart").hasSize(1);
    assertThat(operatorLog.lines().filter(l -> l.contains("engine restarted"))).as("one line in herd.log").hasSize(1);
  }

  @Test
  @Order(3)
  void aKilledHerdUpLeavesItsServiceAndTheNextUpAdoptsIt() throws Exception {
    List<Long> before = servicePids();
    assertThat(before).hasSize(1);
    herd.kill9();
    assertThat(servicePids()).as("the service outlives a SIGKILLed herd up").isEqualTo(before);

    herd = start(Map.of());
    awaitSettled("web:v" + release);
    assertThat(servicePids()).as("exactly one podman service: the one the killed herd left").isEqualTo(before);
    rollOut();
    assertThat(servicePids()).isEqualTo(before);
  }

  @Test
  @Order(4)
  void downThenUpStartsFreshWithoutVanishedNodes() throws Exception {
    HerdProcess.Run down = HerdProcess.run(Duration.ofSeconds(60), "down", "-f", dir.resolve("herd.yaml").toString());
    assertThat(down.exitCode()).as(down.output()).isZero();
    assertThat(down.output()).contains("removed " + COUNT + " nodes").doesNotContain("could not remove");
    assertThat(herd.waitFor(Duration.ofSeconds(30))).as("herd up exits after down").isTrue();
    assertThat(servicePids()).as("herd up stopped the service it owned").isEmpty();

    herd = start(Map.of());
    awaitSettled("web:v" + release);
    List<Api.EventView> all = events(0);
    assertThat(all).filteredOn(e -> e.kind().equals("node_removed")).anySatisfy(e ->
        assertThat(e.reason()).endsWith("removed by herd down"));
    assertThat(all).noneMatch(e -> e.kind().equals("node_vanished") || e.reason().contains("disappeared from the engine"));
    assertThat(servicePids()).hasSize(1);
  }

  @Test
  @Order(5)
  void downWithTheEngineGoneFinishesAndSaysWhatItCouldNotRemove() throws InterruptedException {
    HerdProcess.Run first = HerdProcess.run(Duration.ofSeconds(60), "down", "-f", dir.resolve("herd.yaml").toString());
    assertThat(first.exitCode()).as(first.output()).isZero();
    assertThat(herd.waitFor(Duration.ofSeconds(30))).isTrue();
    // an engine herd does not own, so herd cannot restart it: the test stops it under the controller
    otherEngine = PodmanService.start("podman", tmp.resolve("engine"), Duration.ofSeconds(30), Ping.HTTP);
    herd = start(Map.of("DOCKER_HOST", otherEngine.endpoint().uri().toString()));
    awaitSettled("web:v" + release);
    otherEngine.close();

    HerdProcess.Run down = HerdProcess.run(Duration.ofSeconds(30), "down", "-f", dir.resolve("herd.yaml").toString());
    System.out.println("herd down with the engine gone (" + down.took().toMillis() + " ms): " + down.output());
    assertThat(down.exitCode()).as(down.output()).isZero();
    assertThat(down.output()).contains("controller stopped; removed 0 nodes; could not remove:");
    assertThat(herd.waitFor(Duration.ofSeconds(30))).as("herd up exits within 30 s of down").isTrue();
  }

  // ---- helpers -------------------------------------------------------------------------------

  private HerdProcess start(Map<String, String> env) {
    starts++;
    HerdProcess p = HerdProcess.up(dir, env, tmp.resolve("herd-up-" + starts + ".log"), List.of("--no-bake"));
    await("herd up serving its API").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
        .ignoreExceptionsMatching(e -> e instanceof ApiClient.NoController || e.getMessage() != null
            && e.getMessage().contains("has not written its api.json"))
        .until(() -> p.api(Duration.ofSeconds(5)).get("/healthz", Api.Done.class).message().equals("ok"));
    return p;
  }

  /** A config change: a new release rolled out to every node. */
  private void rollOut() throws IOException {
    String next = "web:v" + (release + 1);
    writeSpec("v" + (release + 1));
    assertThat(apply().fleets()).singleElement().satisfies(c -> assertThat(c.release()).isEqualTo(next));
    release++;
    awaitSettled(next);
  }

  private void writeSpec(String greeting) throws IOException {
    Files.writeString(dir.resolve("herd.yaml"), """
        project:
          name: %s
          ports: 22000-22099
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
          dev:
            config: {GREETING: %s}
        fleets:
          web:
            role: web
            environment: dev
            count: %d
            rollout: {min_healthy_time: 2s, progress_deadline: 2m}
        """.formatted(project, greeting, COUNT));
  }

  private Api.Changes apply() {
    return herd.api(Duration.ofMinutes(2)).post("/v1/apply", null, Api.Changes.class);
  }

  private Optional<Api.FleetView> fleet() {
    Api.Status s = herd.api(Duration.ofSeconds(10)).get("/v1/status", Api.Status.class);
    return s.fleets().stream().filter(f -> f.name().equals(FLEET)).findFirst();
  }

  private Api.FleetView awaitSettled(String rel) {
    return await("fleet settled on " + rel).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
        .ignoreExceptionsMatching(e -> e instanceof ApiClient.NoController)
        .until(this::fleet, f -> f.isPresent() && f.get().release().equals(rel) && f.get().rollout() == null
            && f.get().nodes().size() == COUNT
            && f.get().nodes().stream().allMatch(n -> n.release().equals(rel) && n.state().equals("healthy")))
        .orElseThrow();
  }

  private List<Api.EventView> events(long after) {
    return herd.api(Duration.ofSeconds(10)).get("/v1/events?after=" + after + "&limit=10000", Api.Events.class).events();
  }

  private long lastEventId() {
    List<Api.EventView> all = events(0);
    return all.isEmpty() ? 0 : all.getLast().id();
  }

  /** Every {@code podman system service} process serving this project's socket. */
  private List<Long> servicePids() {
    return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
        .filter(h -> h.info().commandLine().map(c -> c.contains("system service") && c.contains(socket.toString()))
            .orElse(false))
        .map(ProcessHandle::pid).sorted().toList();
  }

  private static String tail(Path file, long from) {
    try {
      byte[] all = Files.readAllBytes(file);
      return new String(all, (int) Math.min(from, all.length), (int) Math.max(0, all.length - from), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
