package dev.herd.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herd.engine.docker.Ping;
import dev.herd.engine.docker.PodmanService;
import dev.herd.server.api.Api;
import dev.herd.server.api.ConfigApi;
import dev.herd.server.client.ApiClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * The front door's acceptance test on real Podman and real HAProxy: the hello-web example (baked
 * once, by {@code herd up}) exposed on 127.0.0.1:31080, a loopback load client (200 GET/s of
 * {@code /release}, which names the release that answered) through it during every kind of
 * change herd makes, and zero failed requests (non-2xx, resets, timeouts) in each.
 *
 * <p>Steps share one fleet and run in order; new releases are config changes (no rebake), so
 * the class bakes once. Test-only tuning: health every 1s with a 3s start grace,
 * min_healthy_time 2s, progress_deadline 15s, drain_timeout 10s, ports of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FrontDoorIT {
  private static final Path EXAMPLE = Path.of("..", "examples", "hello-web").toAbsolutePath().normalize();
  private static final String FLEET = "web";
  private static final int COUNT = 3;
  private static final int DOOR = 31080;
  private static final int RATE = 200;
  private static final String ROLLING = """
      strategy: rolling
      max_surge: 1
      max_unavailable: 0
      min_healthy_time: 2s
      progress_deadline: 15s
      """;

  @TempDir static Path tmp;
  private final String project = "fdit" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
  private final Map<String, String> measured = new LinkedHashMap<>();
  private Path dir;
  private PodmanService engine;
  private HerdProcess herd;
  private int starts;
  private int greeting;

  @BeforeAll
  void upOnTheExample() throws IOException {
    dir = tmp.resolve("hello-web");
    copy(EXAMPLE, dir);
    edit(Map.of(
        "  name: hello-web\n", "  name: " + project + "\n",
        "ports: 18080-18179", "ports: 31100-31199",
        "expose: {port: 8080}", "expose: {port: " + DOOR + ", drain_timeout: 10s, max_connections: 8}",
        "interval: 5s\n      timeout: 2s\n      start_grace: 10s", "interval: 1s\n      timeout: 800ms\n      start_grace: 3s"));
    rollout(ROLLING, "");
    engine = PodmanService.start("podman", tmp.resolve("engine"), Duration.ofSeconds(30), Ping.HTTP);
    herd = start();
  }

  @AfterAll
  void removeEverything() throws InterruptedException {
    System.out.println("front door acceptance, measured:");
    measured.forEach((k, v) -> System.out.println("  " + k + ": " + v));
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
        stopHaproxyLeftBehind();
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
  void theFleetComesUpBehindItsFrontDoor() throws Exception {
    Api.FleetView web = awaitSettled("web:v1", Duration.ofSeconds(180));
    assertThat(web.address()).isEqualTo("http://127.0.0.1:" + DOOR);
    try (FrontDoorLoad load = FrontDoorLoad.start(DOOR, RATE)) {
      await("answers through the front door").atMost(Duration.ofSeconds(30)).until(() -> load.served("web:v1") >= 200);
      load.close();
      assertThat(load.failures()).as(load.summary()).isEmpty();
    }
  }

  @Test
  @Order(2)
  void aRollingUpdateFailsNoRequest() throws Exception {
    long drainsBefore = drains().size();
    underLoad("rolling update", load -> {
      String to = newRelease();
      awaitSettled(to, Duration.ofSeconds(120));
      awaitServedAfterSettling(load, to);
    });
    List<String> drained = drains().subList((int) drainsBefore, drains().size());
    measured.put("rolling update drains", String.join("; ", drained));
    // One line per drain batch ("drained web-2-g1_31101, web-3-g1_31102 in 1 ms"): count the servers.
    List<String> servers = drained.stream()
        .flatMap(l -> Stream.of(l.substring("drained ".length(), l.lastIndexOf(" in ")).split(", ")))
        .toList();
    assertThat(servers).as("each old node drained by the actuator before it stopped")
        .hasSize(COUNT).allMatch(s -> s.matches("web-[1-3]-g\\d+_\\d+")).doesNotHaveDuplicates();
  }

  @Test
  @Order(3)
  void aKilledNodeFailsNoRequest() throws Exception {
    Instant[] killed = {Instant.MAX};
    // A SIGKILL can land between a node's answer headers and its body: that answer has begun,
    // and no proxy can take it back or send it again. Only such answers may fail, only sent
    // around the kill (the podman CLI takes a moment to deliver it), and only a few.
    underLoad("podman kill of a serving node", load -> {
      Api.NodeView before = node(fleet(), "web-2");
      killed[0] = Instant.now();
      Podman.kill(project + "-web-2-g" + before.generation());
      await("web-2 replaced and healthy").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
          .until(this::fleet, f -> node(f, "web-2").generation() > before.generation()
              && node(f, "web-2").state().equals("healthy") && f.healthy() == COUNT);
      long after = load.count();
      await().atMost(Duration.ofSeconds(20)).until(() -> load.count() > after + 400);
    }, a -> a.failure().contains("bytes received") && a.sentAt().isAfter(killed[0].minusSeconds(5))
        && a.sentAt().isBefore(killed[0].plusSeconds(3)));
  }

  @Test
  @Order(4)
  void aNodeReplacedForDriftFailsNoRequest() throws Exception {
    underLoad("exec-tampered node replaced by drift", load -> {
      long mark = lastEventId();
      Api.NodeView before = node(fleet(), "web-1");
      Podman.run("exec", project + "-web-1-g" + before.generation(), "/bin/busybox", "true");
      await("web-1 replaced for drift").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
          .until(() -> events(mark).stream().anyMatch(e -> e.kind().equals("node_replaced") && e.reason().contains("drift (tamper)")));
      await("web-1's successor healthy").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
          .until(this::fleet, f -> node(f, "web-1").generation() > before.generation() && f.healthy() == COUNT
              && f.nodes().size() == COUNT);
      long after = load.count();
      await().atMost(Duration.ofSeconds(20)).until(() -> load.count() > after + 400);
    });
  }

  @Test
  @Order(5)
  void blueGreenSwitchesOnceAndFailsNoRequest() throws Exception {
    rollout("""
        strategy: blue_green
        min_healthy_time: 2s
        progress_deadline: 15s
        blue_green: {remove_old_after: 5s}
        """, "");
    apply();
    String from = fleet().release();
    underLoad("blue/green", load -> {
      String to = newRelease();
      awaitSettled(to, Duration.ofSeconds(120));
      awaitServedAfterSettling(load, to);
      List<FrontDoorLoad.Answer> answers = load.answers();
      FrontDoorLoad.Answer firstNew = answers.stream().filter(a -> to.equals(a.release())).findFirst().orElseThrow();
      FrontDoorLoad.Answer lastOld = answers.stream().filter(a -> from.equals(a.release())).reduce((a, b) -> b).orElseThrow();
      long mixed = answers.stream().filter(a -> a.sentNanos() >= firstNew.sentNanos() && a.sentNanos() <= lastOld.sentNanos()).count();
      measured.put("blue/green switch", "requests sent while both sets answered: " + mixed + " (over "
          + Math.max(0, (lastOld.sentNanos() - firstNew.sentNanos()) / 1_000_000) + " ms)");
      assertThat(answers.stream().filter(a -> a.sentNanos() > lastOld.sentNanos()))
          .as("after the switch only the new set answers").allMatch(a -> to.equals(a.release()));
    });
  }

  @Test
  @Order(6)
  void aFailingReleaseRollsBackByItselfAndFailsNoRequest() throws Exception {
    String good = fleet().release();
    underLoad("failing release, automatic rollback", load -> {
      long mark = lastEventId();
      edit(Map.of("http: {path: /, status: 200}", "http: {path: /missing, status: 200}"));
      String bad = apply().fleets().getFirst().release();
      await("automatic rollback").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
          .until(() -> events(mark).stream().anyMatch(e -> e.kind().equals("rollback")));
      awaitSettled(good, Duration.ofSeconds(90));
      assertThat(load.served(bad)).as("the failing release never served").isZero();
    });
    edit(Map.of("http: {path: /missing, status: 200}", "http: {path: /, status: 200}"));
    apply();
    awaitSettled(good, Duration.ofSeconds(60));
  }

  @Test
  @Order(7)
  void aTenPercentCanaryGetsItsShareAndAllAfterPromotion() throws Exception {
    rollout("""
        strategy: canary
        max_surge: 1
        max_unavailable: 0
        min_healthy_time: 2s
        progress_deadline: 15s
        canary: {count: 1, promote_after: 25s, weight: 10%}
        """, "");
    apply();
    String from = fleet().release();
    underLoad("canary at 10%, promoted", load -> {
      long mark = lastEventId();
      String to = newRelease();
      Api.EventView promoted = await("the canary promoted").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
          .until(() -> events(mark).stream().filter(e -> e.kind().equals("rollout_promoted")).findFirst(), java.util.Optional::isPresent)
          .orElseThrow();
      Instant oneSecondAfter = promoted.time().plusSeconds(1);
      await("requests sent a second after the promotion").atMost(Duration.ofSeconds(30))
          .until(() -> load.answers().stream().filter(a -> a.sentAt().isAfter(oneSecondAfter)).count() >= 200);

      List<FrontDoorLoad.Answer> answers = load.answers();
      FrontDoorLoad.Answer firstCanary = answers.stream().filter(a -> to.equals(a.release())).findFirst().orElseThrow();
      List<FrontDoorLoad.Answer> canaryPhase = answers.stream()
          .filter(a -> a.sentNanos() >= firstCanary.sentNanos() && a.sentAt().isBefore(promoted.time())).limit(2000).toList();
      assertThat(canaryPhase).as("2,000 requests while the canary serves beside the old release").hasSize(2000);
      long toCanary = canaryPhase.stream().filter(a -> to.equals(a.release())).count();
      measured.put("canary 10%", toCanary + " of 2000 requests (" + toCanary / 20.0 + "%)");
      assertThat(toCanary).as("10%% ± 3%% of 2,000").isBetween(140L, 260L);

      Instant lastOld = answers.stream().filter(a -> from.equals(a.release())).map(FrontDoorLoad.Answer::sentAt)
          .max(Instant::compareTo).orElseThrow();
      measured.put("canary promotion", "last request answered by " + from + " was sent "
          + Duration.between(promoted.time(), lastOld).toMillis() + " ms after the promotion event");
      assertThat(answers.stream().filter(a -> a.sentAt().isAfter(oneSecondAfter)))
          .as("a second after promotion every request goes to the new release").allMatch(a -> to.equals(a.release()));
      awaitSettled(to, Duration.ofSeconds(120));
    });
  }

  @Test
  @Order(8)
  void maxAgeRecyclingFailsNoRequest() throws Exception {
    rollout(ROLLING, "max_age: 1m");
    underLoad("max_age recycling", load -> {
      long mark = lastEventId();
      apply();
      await("a node recycled").atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(500))
          .until(() -> events(mark).stream().anyMatch(e -> e.kind().equals("node_recycled")));
      rollout(ROLLING, "");
      apply();
      awaitSettled(fleet().release(), Duration.ofSeconds(120));
    });
  }

  @Test
  @Order(9)
  void aControllerKilledMidRolloutAndRestartedFailsNoRequest() throws Exception {
    underLoad("SIGKILL of the controller mid-rollout, restart", load -> {
      long mark = lastEventId();
      String to = newRelease();
      await("the second node of " + to + " being created").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
          .until(() -> events(mark).stream().filter(e -> e.kind().equals("node_created") && e.reason().contains(" on " + to)).count() >= 2);
      herd.kill9();
      long atKill = load.count();
      await("the front door serves without a controller").atMost(Duration.ofSeconds(20)).until(() -> load.count() > atKill + 400);
      herd = start();
      awaitSettled(to, Duration.ofSeconds(120));
      awaitServedAfterSettling(load, to);
    });
  }

  // ---- helpers -------------------------------------------------------------------------------

  interface Step {
    void run(FrontDoorLoad load) throws Exception;
  }

  /** Runs {@code step} under the load client; no request may fail. */
  private void underLoad(String what, Step step) throws Exception {
    underLoad(what, step, a -> false);
  }

  /**
   * Runs {@code step} under the load client; no request may fail but for at most 3 that {@code
   * cut} says a crashed node cut off mid-answer (an answer begun cannot be retried by any proxy).
   */
  private void underLoad(String what, Step step, java.util.function.Predicate<FrontDoorLoad.Answer> cut) throws Exception {
    try (FrontDoorLoad load = FrontDoorLoad.start(DOOR, RATE)) {
      await("the load answered").atMost(Duration.ofSeconds(20)).until(() -> load.count() >= 100);
      step.run(load);
      load.close();
      List<FrontDoorLoad.Answer> failed = load.answers().stream().filter(a -> !a.ok()).toList();
      long cutOff = failed.stream().filter(cut).count();
      String summary = load.summary() + (cutOff > 0 ? " (" + cutOff + " cut off mid-answer by the crash)" : "");
      measured.put(what, summary);
      System.out.println(what + " through the front door: " + summary);
      List<FrontDoorLoad.Answer> unexplained = failed.stream().filter(cut.negate()).toList();
      assertThat(unexplained.stream().map(a -> a.sentAt() + " " + a.failure()))
          .as(() -> what + ": " + summary + doorLog(unexplained)).isEmpty();
      assertThat(cutOff).as(what + ": answers cut off mid-answer: " + summary).isLessThanOrEqualTo(3);
    }
  }

  /**
   * For a failed case's message: what the front door logged for requests that did not end well
   * from a second before the first failure on (server, timers, termination state), so a failure
   * names the server and the side that gave up.
   */
  private String doorLog(List<FrontDoorLoad.Answer> failures) {
    if (failures.isEmpty()) {
      return "";
    }
    Instant from = failures.stream().map(FrontDoorLoad.Answer::sentAt).min(Instant::compareTo).orElseThrow().minusSeconds(1);
    try {
      List<String> lines = herd.api(Duration.ofSeconds(10)).get("/v1/logs?fleet=web&since=" + from + "&limit=10000", Api.Logs.class)
          .lines().stream().filter(l -> l.node().equals("frontdoor") && !l.text().endsWith(" ----"))
          .limit(40).map(l -> l.time() + " " + l.text()).toList();
      return "\nfront door log of requests that did not end well, from " + from + ":\n  " + String.join("\n  ", lines);
    } catch (RuntimeException e) {
      return "\n(front door log not read: " + e.getMessage() + ")";
    }
  }

  /** After the fleet settled on {@code release}, 200 more requests answered, all by it. */
  private void awaitServedAfterSettling(FrontDoorLoad load, String release) {
    long before = load.served(release);
    Instant settled = Instant.now();
    await(release + " answers").atMost(Duration.ofSeconds(20)).until(() -> load.served(release) >= before + 200);
    assertThat(load.answers().stream().filter(a -> a.sentAt().isAfter(settled) && a.ok()))
        .as("every request after the fleet settled answered by " + release).allMatch(a -> release.equals(a.release()));
  }

  /** A new release by a config change (no rebake); returns its id. */
  private String newRelease() {
    String before = fleet().release();
    greeting++;
    herd.api(Duration.ofSeconds(30)).post("/v1/config/dev/web",
        new ConfigApi.Change(Map.of("GREETING", "hello " + greeting), List.of(), "front door test", "it"), ConfigApi.Written.class);
    return await("a new release").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
        .until(() -> fleet().release(), r -> !r.equals(before));
  }

  private void rollout(String block, String fleetExtra) throws IOException {
    Path file = dir.resolve("herd.yaml");
    String text = Files.readString(file);
    int at = text.indexOf("    rollout:\n");
    if (at < 0) {
      throw new IllegalStateException("the example has no rollout block; update " + getClass().getSimpleName());
    }
    String head = text.substring(0, at).replaceAll("(?m)^    max_age: .*\\n", "");
    StringBuilder b = new StringBuilder(head);
    if (!fleetExtra.isBlank()) {
      b.append("    ").append(fleetExtra.strip()).append('\n');
    }
    b.append("    rollout:\n");
    block.strip().lines().forEach(l -> b.append("      ").append(l).append('\n'));
    Files.writeString(file, b.toString());
  }

  private HerdProcess start() {
    starts++;
    HerdProcess p = HerdProcess.up(dir, Map.of("DOCKER_HOST", engine.endpoint().uri().toString()),
        tmp.resolve("herd-up-" + starts + ".log"));
    await("herd up serving its API").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250))
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

  private Api.FleetView fleetOrNull() {
    Api.Status s = herd.api(Duration.ofSeconds(10)).get("/v1/status", Api.Status.class);
    return s.fleets().stream().filter(f -> f.name().equals(FLEET)).findFirst().orElse(null);
  }

  private Api.FleetView awaitSettled(String release, Duration atMost) {
    return await("fleet settled on " + release).atMost(atMost).pollInterval(Duration.ofMillis(250))
        .ignoreExceptionsMatching(e -> e instanceof ApiClient.NoController)
        .until(this::fleetOrNull, f -> f != null && f.release().equals(release) && f.rollout() == null && f.nodes().size() == COUNT
            && f.nodes().stream().allMatch(n -> n.release().equals(release) && n.state().equals("healthy") && n.inService()));
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

  /** The operator log's drain lines ("front door: fleet web: drained web-1-g1_31101 in 3 ms"). */
  private List<String> drains() throws IOException {
    Path log = dir.resolve(".herd/herd.log");
    if (!Files.exists(log)) {
      return List.of();
    }
    try (Stream<String> lines = Files.lines(log)) {
      return lines.filter(l -> l.contains("front door: fleet web: drained ")).map(l -> l.substring(l.indexOf("drained "))).toList();
    }
  }

  /** A failed run can leave the project's HAProxy (started by herd for this test) running: end it by its pid file. */
  private void stopHaproxyLeftBehind() {
    Path pidFile = dir.resolve(".herd/frontdoor/haproxy.pid");
    try {
      if (Files.exists(pidFile)) {
        long pid = Long.parseLong(Files.readString(pidFile).lines().findFirst().orElse("0").strip());
        ProcessHandle.of(pid).filter(h -> h.info().command().map(c -> c.endsWith("haproxy")).orElse(false))
            .ifPresent(ProcessHandle::destroy);
      }
    } catch (IOException | NumberFormatException e) {
      System.out.println("cannot read " + pidFile + ": " + e);
    }
  }

  private void edit(Map<String, String> replacements) throws IOException {
    Path file = dir.resolve("herd.yaml");
    String text = Files.readString(file);
    for (Map.Entry<String, String> r : replacements.entrySet()) {
      if (!text.contains(r.getKey())) {
        throw new IllegalStateException(file + " no longer contains " + r.getKey().strip() + "; update " + getClass().getSimpleName());
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
