package dev.herd.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.control.health.ProbeResult;
import dev.herd.control.state.EventKind;
import dev.herd.engine.Engine;
import dev.herd.engine.ImageSource;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.fake.FakeEngine;
import dev.herd.engine.fake.ManualClock;
import dev.herd.spec.Spec;
import dev.herd.spec.SpecLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * A controller on a fake engine in simulated time. Health answers come from the fake's health
 * hook; releases listed in {@link #failingReleases} answer HTTP 500 on every node.
 */
final class Sim implements AutoCloseable {
  static final String PROJECT = "shop";
  static final String V1 = "sha256:" + "1".repeat(64);
  static final String V2 = "sha256:" + "2".repeat(64);
  static final String V3 = "sha256:" + "3".repeat(64);

  final ManualClock clock = new ManualClock();
  final FakeEngine fake = new FakeEngine(clock);
  final Path dir;
  final Set<String> failingReleases = ConcurrentHashMap.newKeySet();
  /** Image digests the image store offers only as docker archives (all others: OCI archives only). */
  final Set<String> dockerArchiveOnly = ConcurrentHashMap.newKeySet();
  Engine engine = fake;
  NodeConfig nodeConfig = NodeConfig.NONE;
  Controller controller;

  /** The configuration of the controller {@link #open()} made last. */
  ControllerConfig config;

  Sim(Path dir) {
    this.dir = dir;
  }

  Controller open() {
    config = ControllerConfig.builder()
        .stateDir(dir)
        .project(PROJECT)
        .engine(engine)
        .images(digest -> new ImageSource(digest, dockerArchiveOnly.contains(digest) ? ImageSource.Format.DOCKER_ARCHIVE
            : ImageSource.Format.OCI_ARCHIVE, out -> out.write(digest.getBytes(StandardCharsets.UTF_8))))
        .prober((target, check, timeout) -> failingReleases.contains(target.releaseId()) ? ProbeResult.fail("HTTP 500")
            : fake.healthy(target.ref()) ? ProbeResult.ok("HTTP 200") : ProbeResult.fail("connection refused"))
        .portCheck(p -> true)
        .nodeConfig(nodeConfig)
        .simulated(clock)
        .build();
    controller = Controller.open(config);
    controller.start();
    controller.runPending();
    return controller;
  }

  /** Discards the controller as if its process died (nothing more is written by it). */
  void reopen() {
    controller.close();
    engine = fake;
    open();
  }

  ApplyResult apply(String yaml, String image) {
    ApplyResult r = controller.apply(desired(yaml, image));
    controller.runPending();
    return r;
  }

  static DesiredState desired(String yaml, String image) {
    Spec spec = SpecLoader.load(Path.of("/tmp/herd-test/herd.yaml"), yaml.getBytes(StandardCharsets.UTF_8)).orThrow();
    return DesiredState.of(spec, Map.of("web", image));
  }

  /** One simulated second (or {@code d}): crashes and readiness apply, timers and passes run. */
  void tick(Duration d) {
    fake.advance(d);
    controller.runPending();
  }

  void tick() {
    tick(Duration.ofSeconds(1));
  }

  /** Ticks one second at a time until {@code done} holds; fails after {@code limit}. */
  int runUntil(Duration limit, Predicate<Sim> done, Runnable afterEachStep) {
    for (int s = 0; s < limit.toSeconds(); s++) {
      if (done.test(this)) {
        return s;
      }
      tick();
      afterEachStep.run();
    }
    assertThat(done.test(this)).as("condition not reached within " + limit + "; events:\n" + eventLog()).isTrue();
    return (int) limit.toSeconds();
  }

  int runUntil(Duration limit, Predicate<Sim> done) {
    return runUntil(limit, done, () -> {});
  }

  List<NodeInfo> nodes() {
    return fake.listNodes(PROJECT);
  }

  List<NodeInfo> running() {
    return nodes().stream().filter(NodeInfo::running).toList();
  }

  FleetStatus status() {
    return controller.status("web");
  }

  /** The fleet runs exactly {@code count} healthy nodes, all on {@code release}, one per name. */
  boolean settledOn(String release, int count) {
    FleetStatus s = status();
    List<NodeInfo> running = running();
    return s.rollout().isEmpty() && s.currentRelease().equals(release)
        && s.lastGoodRelease().filter(release::equals).isPresent()
        && s.nodes().size() == count && s.healthy() == count
        && s.nodes().stream().allMatch(n -> n.release().equals(release))
        && running.size() == count && nodes().size() == count
        && running.stream().map(n -> n.labels().get("herd.node").replaceAll("-g\\d+$", "")).distinct().count() == count;
  }

  List<ControllerEvent> events() {
    return controller.events(0, 100_000);
  }

  List<ControllerEvent> events(EventKind kind) {
    return events().stream().filter(e -> e.kind().equals(kind.name().toLowerCase(java.util.Locale.ROOT))).toList();
  }

  String eventLog() {
    StringBuilder b = new StringBuilder();
    events().forEach(e -> b.append("  ").append(e).append('\n'));
    return b.toString();
  }

  @Override
  public void close() {
    if (controller != null) {
      controller.close();
    }
  }
}
