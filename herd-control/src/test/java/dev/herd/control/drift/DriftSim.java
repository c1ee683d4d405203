package dev.herd.control.drift;

import dev.herd.control.Controller;
import dev.herd.control.ControllerConfig;
import dev.herd.control.DesiredState;
import dev.herd.control.FleetStatus;
import dev.herd.control.health.ProbeResult;
import dev.herd.control.ControllerEvent;
import dev.herd.control.state.EventKind;
import dev.herd.engine.ImageSource;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.NodeRef;
import dev.herd.engine.fake.FakeEngine;
import dev.herd.engine.fake.ManualClock;
import dev.herd.spec.Spec;
import dev.herd.spec.SpecLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A controller on the fake engine in simulated time, with one fleet "web" of a configurable shape. */
final class DriftSim implements AutoCloseable {
  static final String PROJECT = "shop";
  static final String V1 = "sha256:" + "1".repeat(64);
  static final String V2 = "sha256:" + "2".repeat(64);

  final ManualClock clock = new ManualClock();
  final FakeEngine fake = new FakeEngine(clock);
  final Path dir;
  Controller controller;

  DriftSim(Path dir) {
    this.dir = dir;
  }

  Controller open() {
    controller = Controller.open(ControllerConfig.builder()
        .stateDir(dir)
        .project(PROJECT)
        .engine(fake)
        .images(d -> new ImageSource(d, ImageSource.Format.OCI_ARCHIVE, out -> out.write(d.getBytes(StandardCharsets.UTF_8))))
        .prober((target, check, timeout) -> fake.healthy(target.ref()) ? ProbeResult.ok("HTTP 200") : ProbeResult.fail("refused"))
        .portCheck(p -> true)
        .simulated(clock)
        .build());
    controller.start();
    controller.runPending();
    return controller;
  }

  /**
   * @param fleetExtra extra fleet keys, e.g. {@code drift: {tamper: report}}
   * @param roleExtra extra role keys, e.g. {@code writable: [/scratch]}
   */
  static String spec(int count, String fleetExtra, String roleExtra) {
    return """
        project:
          name: shop
          ports: 20000-20999
        roles:
          web:
            base: {scratch: {}}
            command: ["/srv/web", "--port", "${PORT}"]
        %s
        environments:
          prod:
            config:
              GREETING: hello
        fleets:
          web:
            role: web
            environment: prod
            count: %d
            rollout: {strategy: rolling, max_surge: 1, max_unavailable: 0, min_healthy_time: 1s}
        %s
        """.formatted(indent(roleExtra, 4), count, indent(fleetExtra, 4));
  }

  void apply(String yaml) {
    Spec spec = SpecLoader.load(Path.of("/tmp/herd-test/herd.yaml"), yaml.getBytes(StandardCharsets.UTF_8)).orThrow();
    controller.apply(DesiredState.of(spec, Map.of("web", V1)));
    controller.runPending();
  }

  void tick(Duration d) {
    fake.advance(d);
    controller.runPending();
  }

  /** Ticks a second at a time until every one of {@code count} nodes is healthy on one generation each. */
  void settle(int count) {
    for (int i = 0; i < 60; i++) {
      FleetStatus s = controller.status("web");
      if (s.healthy() == count && s.nodes().size() == count && s.rollout().isEmpty()) {
        return;
      }
      tick(Duration.ofSeconds(1));
    }
    throw new AssertionError("fleet did not settle; events:\n" + String.join("\n", events().stream().map(ControllerEvent::toString).toList()));
  }

  NodeInfo node(String slot) {
    return fake.listNodes(PROJECT).stream().filter(n -> n.name().startsWith(slot + "-g")).reduce((a, b) -> b).orElseThrow();
  }

  NodeRef ref(String slot) {
    return node(slot).ref();
  }

  List<ControllerEvent> events() {
    return controller.events(0, 100_000);
  }

  List<ControllerEvent> events(EventKind kind) {
    return events().stream().filter(e -> e.kind().equals(kind.name().toLowerCase(java.util.Locale.ROOT))).toList();
  }

  private static String indent(String text, int n) {
    String pad = " ".repeat(n);
    return text.isBlank() ? "" : text.strip().lines().map(l -> pad + l).reduce((a, b) -> a + "\n" + b).orElse("");
  }

  @Override
  public void close() {
    if (controller != null) {
      controller.close();
    }
  }
}
