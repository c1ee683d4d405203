package dev.herd.bench;

import dev.herd.control.Controller;
import dev.herd.control.ControllerConfig;
import dev.herd.control.DesiredState;
import dev.herd.control.FleetStatus;
import dev.herd.control.health.ProbeResult;
import dev.herd.engine.ImageSource;
import dev.herd.engine.fake.FakeEngine;
import dev.herd.engine.fake.ManualClock;
import dev.herd.spec.SpecLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A controller in simulated time on the fake engine with {@code fleets} fleets (10 by default:
 * 10,000 nodes) of {@value #PER_FLEET} healthy nodes (a fleet holds at most 1,000), settled:
 * every fleet runs its release on all its nodes and no rollout is in progress. Every node leases
 * a host port of the project's range (1024-65535 at most), so one controller holds at most
 * 64 fleets of 1,000 nodes: 100,000 nodes are out of reach by design.
 */
final class TenThousandNodes implements AutoCloseable {
  static final int FLEETS = 10;
  static final int MAX_FLEETS = 64;
  static final int PER_FLEET = 1000;
  static final String IMAGE = "sha256:" + "1".repeat(64);

  final int fleets;
  final ManualClock clock = new ManualClock();
  final FakeEngine engine = new FakeEngine(clock);
  final Path dir;
  Controller controller;

  TenThousandNodes() {
    this(FLEETS);
  }

  TenThousandNodes(int fleets) {
    if (fleets < 1 || fleets > MAX_FLEETS) {
      throw new IllegalArgumentException("fleets must be 1-" + MAX_FLEETS + " (a host port per node), got " + fleets);
    }
    this.fleets = fleets;
    try {
      dir = Files.createTempDirectory("herd-bench-10k");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Opens the controller, applies the fleets and runs simulated time until all 10,000 nodes are settled. */
  TenThousandNodes start() {
    controller = Controller.open(ControllerConfig.builder()
        .stateDir(dir)
        .project("bench")
        .engine(engine)
        .images(d -> new ImageSource(d, ImageSource.Format.OCI_ARCHIVE, out -> out.write(d.getBytes(StandardCharsets.UTF_8))))
        .prober((target, check, timeout) -> engine.healthy(target.ref()) ? ProbeResult.ok("HTTP 200") : ProbeResult.fail("refused"))
        .portCheck(p -> true)
        .simulated(clock)
        .build());
    controller.start();
    controller.apply(DesiredState.of(SpecLoader.load(dir.resolve("herd.yaml"), spec(fleets).getBytes(StandardCharsets.UTF_8)).orThrow(),
        Map.of("web", IMAGE)));
    controller.runPending();
    for (int s = 0; s < 600 && !settled(); s++) {
      engine.advance(Duration.ofSeconds(1));
      controller.runPending();
    }
    if (!settled()) {
      throw new IllegalStateException("the " + fleets * PER_FLEET + " nodes did not settle in 600 simulated seconds");
    }
    return this;
  }

  boolean settled() {
    List<FleetStatus> fleets = controller.status();
    return fleets.size() == this.fleets && fleets.stream().allMatch(f -> f.rollout().isEmpty() && f.healthy() == PER_FLEET
        && f.lastGoodRelease().isPresent());
  }

  /** One pass of every fleet, as the 5-minute resync does: every node observed, nothing to change. */
  int reconcileAll() {
    for (int f = 0; f < fleets; f++) {
      controller.touch("f" + f);
    }
    return controller.runPending();
  }

  static String spec(int count) {
    StringBuilder fleets = new StringBuilder();
    IntStream.range(0, count).forEach(f -> fleets.append("""
          f%d:
            role: web
            environment: prod
            count: %d
        """.formatted(f, PER_FLEET)));
    return """
        project:
          name: bench
          ports: 1024-65535
        roles:
          web:
            base: {scratch: {}}
            command: ["/srv/web", "--port", "${PORT}"]
            health:
              http: {path: /health, status: 200}
              interval: 10s
              timeout: 1s
              start_grace: 2s
        environments:
          prod: {}
        fleets:
        """ + fleets;
  }

  @Override
  public void close() {
    if (controller != null) {
      controller.close();
      controller = null;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
