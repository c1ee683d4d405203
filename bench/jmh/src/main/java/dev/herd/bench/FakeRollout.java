package dev.herd.bench;

import dev.herd.control.Controller;
import dev.herd.control.ControllerConfig;
import dev.herd.control.DesiredState;
import dev.herd.control.FleetStatus;
import dev.herd.control.health.ProbeResult;
import dev.herd.engine.Engine;
import dev.herd.engine.ImageSource;
import dev.herd.engine.NodeSpec;
import dev.herd.engine.fake.FakeEngine;
import dev.herd.engine.fake.ManualClock;
import dev.herd.spec.SpecLoader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A rolling update of {@code count} nodes (max_surge {@code surge}) by the production wiring
 * (background loop, virtual threads) on the fake engine, whose starts take {@code latency} ms
 * of wall time (a simulated engine start); nodes pass health as soon as they run. Prints the
 * rollout's wall time and the ideal (latency × count / surge). Usage: FakeRollout COUNT SURGE LATENCY_MS [ENGINE_CONCURRENCY]
 */
public final class FakeRollout {
  private FakeRollout() {}

  public static void main(String[] args) throws Exception {
    int count = Integer.parseInt(args[0]);
    int surge = Integer.parseInt(args[1]);
    long latency = Long.parseLong(args[2]);
    int bound = args.length > 3 ? Integer.parseInt(args[3]) : ControllerConfig.DEFAULT_ENGINE_CONCURRENCY;
    ManualClock clock = new ManualClock();
    FakeEngine fake = new FakeEngine(clock);
    Engine slow = (Engine) Proxy.newProxyInstance(Engine.class.getClassLoader(), new Class<?>[] {Engine.class}, (p, m, a) -> {
      if (m.getName().equals("startNode") && a[0] instanceof NodeSpec) {
        Thread.sleep(latency); // the simulated engine start, outside the fake's lock
      }
      try {
        return m.invoke(fake, a);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    });
    Path dir = Files.createTempDirectory("herd-bench-rollout");
    try (Controller c = Controller.open(ControllerConfig.builder().stateDir(dir).project("benchroll").engine(slow)
        .images(d -> new ImageSource(d, ImageSource.Format.OCI_ARCHIVE, out -> out.write(d.getBytes(StandardCharsets.UTF_8))))
        .prober((t, check, timeout) -> fake.healthy(t.ref()) ? ProbeResult.ok("HTTP 200") : ProbeResult.fail("refused"))
        .portCheck(port -> true).clock(clock).engineConcurrency(bound).build())) {
      c.start();
      c.apply(desired(dir, count, surge, "sha256:" + "1".repeat(64)));
      waitSettled(c, "web:v1", count);
      long t0 = System.nanoTime();
      c.apply(desired(dir, count, surge, "sha256:" + "2".repeat(64)));
      waitSettled(c, "web:v2", count);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      long ideal = latency * ((count + surge - 1) / surge);
      System.out.printf("%d %d%n", ms, ideal);
    }
  }

  private static void waitSettled(Controller c, String release, int count) throws InterruptedException {
    long until = System.nanoTime() + 300_000_000_000L;
    while (System.nanoTime() < until) {
      FleetStatus f = c.status("web");
      if (f.rollout().isEmpty() && f.currentRelease().equals(release) && f.nodes().size() == count
          && f.nodes().stream().allMatch(n -> n.release().equals(release) && n.phase().name().equals("HEALTHY"))) {
        return;
      }
      Thread.sleep(5); // polling a wall-clock run from outside; not a test
    }
    throw new IllegalStateException("the fleet did not settle on " + release);
  }

  private static DesiredState desired(Path dir, int count, int surge, String image) {
    String yaml = """
        project:
          name: benchroll
          ports: 20000-21999
        roles:
          web:
            base: {scratch: {}}
            command: ["/srv/web", "--port", "${PORT}"]
            health:
              http: {path: /health, status: 200}
              interval: 5s
              timeout: 1s
              start_grace: 10s
        environments:
          prod: {}
        fleets:
          web:
            role: web
            environment: prod
            count: %d
            rollout:
              strategy: rolling
              max_surge: %d
              max_unavailable: 0
              min_healthy_time: 0s
        """.formatted(count, surge);
    return DesiredState.of(SpecLoader.load(dir.resolve("herd.yaml"), yaml.getBytes(StandardCharsets.UTF_8)).orThrow(),
        Map.of("web", image));
  }
}
