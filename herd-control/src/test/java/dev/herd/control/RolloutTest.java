package dev.herd.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.control.state.EventKind;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RolloutTest {
  @TempDir Path dir;
  Sim sim;

  @BeforeEach
  void open() {
    sim = new Sim(dir);
    sim.open();
  }

  @AfterEach
  void close() {
    sim.close();
  }

  private void upOn(String rollout, int count) {
    sim.apply(Specs.fleet(count, rollout), Sim.V1);
    sim.runUntil(Duration.ofSeconds(30), s -> s.settledOn("web:v1", count));
  }

  @Test
  void rollingUpdateWithSurgeReplacesOneNodeAtATimeAboveTheLimit() {
    upOn(Specs.rolling(1, 0), 3);
    Invariants inv = new Invariants(3, 4);

    ApplyResult r = sim.apply(Specs.fleet(3, Specs.rolling(1, 0)), Sim.V2);
    inv.check(sim);
    sim.runUntil(Duration.ofSeconds(60), s -> s.settledOn("web:v2", 3), () -> inv.check(sim));

    assertThat(r.fleet("web").kind()).isEqualTo(FleetChange.Kind.RELEASED);
    assertThat(inv.peakRunning).isEqualTo(4);
    assertThat(sim.status().nodes()).extracting(NodeStatus::generation).containsOnly(2L);
    assertThat(sim.events(EventKind.ROLLOUT_COMPLETED)).last()
        .satisfies(e -> assertThat(e.reason()).isEqualTo("rollout of web:v2 complete: 3 nodes healthy on it"));
  }

  @Test
  void rollingUpdateWithMaxUnavailableNeverGoesBelowCountMinusMaxUnavailable() {
    upOn(Specs.rolling(0, 1), 4);
    Invariants inv = new Invariants(3, 4);
    for (int n = 1; n <= 4; n++) {
      sim.fake.slowStart("web-" + n + "-g2", Duration.ofSeconds(3));
    }

    sim.apply(Specs.fleet(4, Specs.rolling(0, 1)), Sim.V2);
    inv.check(sim);
    sim.runUntil(Duration.ofSeconds(60), s -> s.settledOn("web:v2", 4), () -> inv.check(sim));

    assertThat(inv.lowestHealthy).isEqualTo(3);
  }

  @Test
  void blueGreenStartsAFullNewSetSwitchesWhenHealthyAndRemovesTheOldSetLater() {
    upOn(Specs.blueGreen(), 3);
    Invariants inv = new Invariants(3, 6);

    sim.apply(Specs.fleet(3, Specs.blueGreen()), Sim.V2);
    inv.check(sim);
    assertThat(sim.running()).hasSize(6);
    assertThat(sim.status().nodes()).filteredOn(NodeStatus::inService).extracting(NodeStatus::release).containsOnly("web:v1");
    sim.runUntil(Duration.ofSeconds(30), s -> !s.events(EventKind.ROLLOUT_SWITCHED).isEmpty(), () -> inv.check(sim));

    assertThat(sim.status().nodes()).filteredOn(NodeStatus::inService).extracting(NodeStatus::release)
        .containsExactly("web:v2", "web:v2", "web:v2");
    assertThat(sim.running()).hasSize(6);
    assertThat(sim.events(EventKind.ROLLOUT_SWITCHED).getFirst().reason())
        .isEqualTo("all 3 new nodes healthy: switched web to web:v2; old nodes removed after 10s");
    sim.tick(Duration.ofSeconds(9));
    inv.check(sim);
    assertThat(sim.running()).as("the old set stays until remove_old_after").hasSize(6);
    sim.runUntil(Duration.ofSeconds(5), s -> s.settledOn("web:v2", 3), () -> inv.check(sim));
    assertThat(sim.status().nodes()).extracting(NodeStatus::engineName).containsExactly("web-1-g2", "web-2-g2", "web-3-g2");
  }

  @Test
  void canaryRunsTheCanaryAloneUntilPromoteAfterThenUpdatesTheRest() {
    upOn(Specs.canary(1, "20s"), 3);
    Invariants inv = new Invariants(3, 4);

    sim.apply(Specs.fleet(3, Specs.canary(1, "20s")), Sim.V2);
    sim.runUntil(Duration.ofSeconds(20), s -> s.status().rollout().map(RolloutStatus::canaryHealthySince).isPresent(),
        () -> inv.check(sim));
    for (int s = 0; s < 19; s++) {
      sim.tick();
      inv.check(sim);
      assertThat(sim.status().nodes()).extracting(NodeStatus::release).containsExactly("web:v2", "web:v1", "web:v1");
    }
    sim.runUntil(Duration.ofSeconds(60), x -> x.settledOn("web:v2", 3), () -> inv.check(sim));

    assertThat(sim.events(EventKind.ROLLOUT_PROMOTED)).singleElement().satisfies(e -> assertThat(e.reason())
        .isEqualTo("canary of web:v2 healthy for 20s: promoting it to all 3 nodes"));
  }

  @Test
  void canaryWithoutPromoteAfterWaitsForAnExplicitPromote() {
    upOn(Specs.canary(2, "0s"), 3);
    Invariants inv = new Invariants(3, 4);

    sim.apply(Specs.fleet(3, Specs.canary(2, "0s")), Sim.V2);
    for (int s = 0; s < 120; s++) {
      sim.tick();
      inv.check(sim);
    }
    assertThat(sim.status().nodes()).extracting(NodeStatus::release).containsExactly("web:v2", "web:v2", "web:v1");
    assertThat(sim.status().rollout()).get().extracting(RolloutStatus::state).isEqualTo(RolloutStatus.State.RUNNING);

    sim.controller.promote("web");
    sim.runUntil(Duration.ofSeconds(30), x -> x.settledOn("web:v2", 3), () -> inv.check(sim));
  }

  @Test
  void aNewReleaseThatFailsItsHealthCheckIsRolledBackToTheLastGoodOne() {
    upOn(Specs.rolling(1, 0), 3);
    sim.apply(Specs.fleet(3, Specs.rolling(1, 0)), Sim.V2);
    sim.runUntil(Duration.ofSeconds(60), s -> s.settledOn("web:v2", 3));
    sim.failingReleases.add("web:v3");
    Invariants inv = new Invariants(3, 4);

    sim.apply(Specs.fleet(3, Specs.rolling(1, 0)), Sim.V3);
    sim.runUntil(Duration.ofSeconds(120), s -> !s.events(EventKind.ROLLBACK).isEmpty(), () -> inv.check(sim));
    sim.runUntil(Duration.ofSeconds(60), s -> s.settledOn("web:v2", 3), () -> inv.check(sim));

    assertThat(sim.status().currentRelease()).isEqualTo("web:v2");
    assertThat(sim.events(EventKind.ROLLBACK)).singleElement().satisfies(e -> assertThat(e.reason())
        .startsWith("rollout of web:v3 failed: no progress for 30s (last failure: web-1 (gen ")
        .endsWith("): health check failed 3 times (HTTP 500)); rolling back to web:v2"));
    assertThat(sim.events(EventKind.ROLLOUT_COMPLETED)).last()
        .satisfies(e -> assertThat(e.reason()).isEqualTo("rollback to web:v2 complete: 3 nodes healthy on it"));
  }

  @Test
  void anUnhealthyCanaryRollsBackAtOnce() {
    upOn(Specs.canary(1, "5m"), 3);
    sim.failingReleases.add("web:v2");
    Invariants inv = new Invariants(3, 4);

    sim.apply(Specs.fleet(3, Specs.canary(1, "5m")), Sim.V2);
    int steps = sim.runUntil(Duration.ofSeconds(30), s -> !s.events(EventKind.ROLLBACK).isEmpty(), () -> inv.check(sim));
    sim.runUntil(Duration.ofSeconds(30), s -> s.settledOn("web:v1", 3), () -> inv.check(sim));

    assertThat(steps).as("well before the 30s progress deadline").isLessThan(10);
    assertThat(sim.events(EventKind.ROLLBACK).getFirst().reason()).isEqualTo(
        "rollout of web:v2 failed: canary web-1 (gen 2) on web:v2: health check failed 3 times (HTTP 500); rolling back to web:v1");
  }

  @Test
  void aBlueGreenSetThatNeverGetsHealthyIsDroppedWhileTheOldSetKeepsServing() {
    upOn(Specs.blueGreen(), 3);
    sim.failingReleases.add("web:v2");
    Invariants inv = new Invariants(3, 6);

    sim.apply(Specs.fleet(3, Specs.blueGreen()), Sim.V2);
    sim.runUntil(Duration.ofSeconds(60), s -> !s.events(EventKind.ROLLBACK).isEmpty(), () -> {
      inv.check(sim);
      assertThat(sim.status().nodes()).filteredOn(NodeStatus::inService).extracting(NodeStatus::release).containsOnly("web:v1");
    });
    sim.runUntil(Duration.ofSeconds(30), s -> s.settledOn("web:v1", 3), () -> inv.check(sim));

    assertThat(sim.status().nodes()).extracting(NodeStatus::generation).containsOnly(1L);
  }

  @Test
  void pauseHoldsARolloutAndResumeFinishesIt() {
    upOn(Specs.rolling(1, 0), 3);
    sim.apply(Specs.fleet(3, Specs.rolling(1, 0)), Sim.V2);
    assertThat(sim.status().nodes()).filteredOn(n -> n.release().equals("web:v2")).hasSize(1);

    sim.controller.pause("web");
    for (int s = 0; s < 60; s++) {
      sim.tick();
    }
    // the replacement in flight finishes; no further one starts
    assertThat(sim.status().nodes()).extracting(NodeStatus::release).containsExactly("web:v2", "web:v1", "web:v1");
    assertThat(sim.status().rollout()).get().extracting(RolloutStatus::state).isEqualTo(RolloutStatus.State.PAUSED);

    sim.controller.resume("web");
    sim.runUntil(Duration.ofSeconds(60), s -> s.settledOn("web:v2", 3));
    assertThat(sim.events(EventKind.ROLLOUT_FAILED)).isEmpty();
  }

  @Test
  void abortReturnsToTheLastGoodRelease() {
    upOn(Specs.rolling(1, 0), 3);
    sim.apply(Specs.fleet(3, Specs.rolling(1, 0)), Sim.V2);
    sim.tick();
    assertThat(sim.status().nodes()).anyMatch(n -> n.release().equals("web:v2"));

    sim.controller.abort("web");
    sim.runUntil(Duration.ofSeconds(60), s -> s.settledOn("web:v1", 3));

    assertThat(sim.events(EventKind.ROLLBACK)).singleElement().satisfies(e -> assertThat(e.reason())
        .isEqualTo("rollout of web:v2 aborted by operator; rolling back to web:v1"));
  }

  @Test
  void explicitRollbackGoesToTheReleaseBeforeTheCurrentOne() {
    upOn(Specs.rolling(1, 0), 2);
    sim.apply(Specs.fleet(2, Specs.rolling(1, 0)), Sim.V2);
    sim.runUntil(Duration.ofSeconds(60), s -> s.settledOn("web:v2", 2));

    assertThat(sim.controller.rollback("web")).isEqualTo("web:v1");
    sim.runUntil(Duration.ofSeconds(60), s -> s.settledOn("web:v1", 2));
  }

  @Test
  void withAutoRollbackOffAFailedRolloutHoldsAndSaysSo() {
    String noRollback = Specs.rolling(1, 0) + "auto_rollback: false\n";
    upOn(noRollback, 3);
    sim.failingReleases.add("web:v2");

    sim.apply(Specs.fleet(3, noRollback), Sim.V2);
    sim.runUntil(Duration.ofSeconds(60), s -> !s.events(EventKind.ROLLOUT_FAILED).isEmpty());

    assertThat(sim.status().currentRelease()).isEqualTo("web:v2");
    assertThat(sim.status().rollout()).get().extracting(RolloutStatus::state).isEqualTo(RolloutStatus.State.FAILED);
    assertThat(sim.events(EventKind.ROLLOUT_FAILED).getFirst().reason()).endsWith("auto_rollback is off: holding (rollback, abort or apply a fix)");
    assertThat(sim.status().nodes()).filteredOn(n -> n.release().equals("web:v1") && n.inService()).hasSize(3);
  }
}
