package dev.herd.control.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.control.loop.ManualScheduler;
import dev.herd.engine.NodeRef;
import dev.herd.engine.fake.ManualClock;
import dev.herd.spec.Health;
import dev.herd.spec.Location;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HealthMonitorTest {
  final ManualClock clock = new ManualClock();
  final ManualScheduler scheduler = new ManualScheduler(clock);
  final AtomicBoolean up = new AtomicBoolean();
  final List<String> changes = new ArrayList<>();
  final HealthMonitor monitor = new HealthMonitor(
      (t, c, timeout) -> up.get() ? ProbeResult.ok("HTTP 200") : ProbeResult.fail("HTTP 500"), scheduler, clock, changes::add);
  final Health health = new Health(new Health.Http("/health", 200), Duration.ofSeconds(1), Duration.ofMillis(500),
      Duration.ofSeconds(5), 3, Location.UNKNOWN);
  final ProbeTarget target = new ProbeTarget(new NodeRef("shop", "web-1-g1"), "web", "web:v1", 20000);

  private NodeHealth observeAfter(int seconds) {
    for (int s = 0; s < seconds; s++) {
      clock.advance(Duration.ofSeconds(1));
      scheduler.runDue();
    }
    return monitor.observe(target, Optional.of(health), Instant.parse("2026-01-01T00:00:00Z"), null);
  }

  @Test
  void failuresDuringStartGraceDoNotCountThenThresholdConsecutiveFailuresMakeItUnhealthy() {
    assertThat(monitor.observe(target, Optional.of(health), clock.instant(), null).state()).isEqualTo(NodeHealth.State.STARTING);
    scheduler.runDue();

    assertThat(observeAfter(4).state()).as("inside start_grace 5s").isEqualTo(NodeHealth.State.STARTING);
    assertThat(observeAfter(2).state()).as("two failures after grace").isEqualTo(NodeHealth.State.STARTING);
    NodeHealth h = observeAfter(1);
    assertThat(h.state()).isEqualTo(NodeHealth.State.UNHEALTHY);
    assertThat(h.reason()).isEqualTo("health check failed 3 times (HTTP 500)");
    assertThat(changes).containsExactly("web");
  }

  @Test
  void aStartingNodeIsProbedAgainWithinMillisecondsNotAtTheNextInterval() {
    Instant started = clock.instant();
    monitor.observe(target, Optional.of(health), started, null);
    scheduler.runDue(); // the first probe, at once: the node does not listen yet
    clock.advance(Duration.ofMillis(200));
    scheduler.runDue();
    up.set(true);
    clock.advance(Duration.ofMillis(200));
    scheduler.runDue();
    assertThat(monitor.observe(target, Optional.of(health), started, null).healthySince())
        .as("healthy 400 ms after the start, not at the 1 s interval").isEqualTo(started.plusMillis(400));
  }

  @Test
  void aPassingProbeMakesItHealthyAndResetsTheFailureCount() {
    up.set(true);
    monitor.observe(target, Optional.of(health), clock.instant(), null);
    scheduler.runDue();
    assertThat(monitor.observe(target, Optional.of(health), clock.instant(), null).healthySince()).isEqualTo(clock.instant());

    up.set(false);
    observeAfter(2);
    up.set(true);
    observeAfter(1);
    up.set(false);
    assertThat(observeAfter(2).state()).as("failures were reset by the pass").isEqualTo(NodeHealth.State.HEALTHY);
    assertThat(observeAfter(1).state()).isEqualTo(NodeHealth.State.UNHEALTHY);
  }

  @Test
  void withoutAHealthCheckARunningNodeIsHealthySinceItsStartAndNothingIsProbed() {
    Instant started = clock.instant();
    assertThat(monitor.observe(target, Optional.empty(), started, null)).isEqualTo(
        new NodeHealth(NodeHealth.State.HEALTHY, started, "running (no health check)"));
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void forgetStopsProbing() {
    monitor.observe(target, Optional.of(health), clock.instant(), null);
    monitor.forget("web-1-g1");
    assertThat(scheduler.nextDue()).isNull();
    assertThat(monitor.watching()).isZero();
  }
}
