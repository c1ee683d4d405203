package dev.herd.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herd.control.health.ProbeResult;
import dev.herd.engine.ImageSource;
import dev.herd.engine.fake.FakeEngine;
import dev.herd.engine.fake.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The actuator on the production wiring: engine calls in parallel within the bound, no lock held across them. */
class ActuatorTest {
  @TempDir Path dir;

  private Controller open(FakeEngine fake, GatedEngine engine, ManualClock clock, int bound) {
    return Controller.open(ControllerConfig.builder().stateDir(dir).project(Sim.PROJECT).engine(engine)
        .images(d -> new ImageSource(d, ImageSource.Format.OCI_ARCHIVE, out -> {}))
        .prober((t, check, timeout) -> fake.healthy(t.ref()) ? ProbeResult.ok("HTTP 200") : ProbeResult.fail("down"))
        .portCheck(p -> true).clock(clock).engineConcurrency(bound).build());
  }

  @Test
  void startsRunInParallelUpToTheEngineBound() {
    ManualClock clock = new ManualClock();
    FakeEngine fake = new FakeEngine(clock);
    GatedEngine engine = new GatedEngine(fake);
    engine.close(true);
    try (Controller c = open(fake, engine, clock, 3)) {
      c.start();
      c.apply(Sim.desired(Specs.fleet(6, Specs.rolling(1, 0)), Sim.V1));

      await().atMost(Duration.ofSeconds(20)).until(() -> engine.inFlight.get() == 3);
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> engine.inFlight.get() == 3);
      engine.close(false);
      await().atMost(Duration.ofSeconds(20)).until(() -> c.status("web").healthy() == 6);
      assertThat(engine.maxInFlight.get()).isEqualTo(3);
    }
  }

  @Test
  void pauseIsNotStuckBehindASlowStart() {
    ManualClock clock = new ManualClock();
    FakeEngine fake = new FakeEngine(clock);
    GatedEngine engine = new GatedEngine(fake);
    try (Controller c = open(fake, engine, clock, 8)) {
      c.start();
      c.apply(Sim.desired(Specs.fleet(2, Specs.rolling(1, 0)), Sim.V1));
      await().atMost(Duration.ofSeconds(20)).until(() -> c.status("web").healthy() == 2);

      engine.close(true);
      c.apply(Sim.desired(Specs.fleet(2, Specs.rolling(1, 0)), Sim.V2));
      await().atMost(Duration.ofSeconds(20)).until(() -> engine.inFlight.get() >= 1);

      CompletableFuture<Void> pause = CompletableFuture.runAsync(() -> c.pause("web"));
      await().atMost(Duration.ofSeconds(5)).until(pause::isDone);
      assertThat(engine.inFlight.get()).as("the start still waits at the engine").isPositive();
      assertThat(c.status("web").rollout()).hasValueSatisfying(r -> assertThat(r.state()).isEqualTo(RolloutStatus.State.PAUSED));

      engine.close(false);
      await().atMost(Duration.ofSeconds(20)).until(() -> engine.inFlight.get() == 0);
      assertThat(c.status("web").rollout()).as("the pause holds after the start landed")
          .hasValueSatisfying(r -> assertThat(r.state()).isEqualTo(RolloutStatus.State.PAUSED));
    }
  }

  @Test
  void aDeadNodesReplacementStartsWhileItsContainerIsStillBeingRemoved() {
    ManualClock clock = new ManualClock();
    FakeEngine fake = new FakeEngine(clock);
    GatedEngine engine = new GatedEngine(fake);
    try (Controller c = open(fake, engine, clock, 8)) {
      c.start();
      c.apply(Sim.desired(Specs.fleet(2, Specs.rolling(1, 0)), Sim.V1));
      await().atMost(Duration.ofSeconds(20)).until(() -> c.status("web").healthy() == 2);

      engine.closeRemovals(true);
      fake.crashAfter("web-2-g1", Duration.ZERO, 1);
      fake.advance(Duration.ZERO);

      await().atMost(Duration.ofSeconds(20)).until(() -> c.status("web").nodes().stream()
          .anyMatch(n -> n.engineName().equals("web-2-g2") && !n.containerId().isEmpty()));
      assertThat(engine.removalsWaiting.get()).as("the dead web-2-g1 is still being removed").isEqualTo(1);
      engine.closeRemovals(false);
      await().atMost(Duration.ofSeconds(20)).until(() -> c.status("web").healthy() == 2
          && c.status("web").nodes().stream().noneMatch(n -> n.engineName().equals("web-2-g1")));
    }
  }
}
