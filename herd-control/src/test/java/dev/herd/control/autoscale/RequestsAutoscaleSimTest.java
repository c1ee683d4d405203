package dev.herd.control.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.control.autoscale.AutoscalePolicy.Decision;
import dev.herd.control.autoscale.AutoscalePolicy.Input;
import dev.herd.control.autoscale.AutoscalePolicy.Sample;
import dev.herd.spec.Amount;
import dev.herd.spec.Autoscale;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 15: {@code target: {requests_per_node: 50}} on a simulated clock. A fleet's total
 * request rate is a function of time; every {@code interval} the autoscaler measures it per node
 * (as the front door does: total / nodes in service), decides, and a change takes effect at
 * once. Settings: 1..10 nodes, 50 req/s per node, tolerance 10%, interval 15s, scale up after
 * 15s, scale down after 5m.
 */
class RequestsAutoscaleSimTest {
  static final Instant T0 = Instant.parse("2026-12-06T06:00:00Z");
  static final Duration INTERVAL = Duration.ofSeconds(15);
  static final Autoscale SETTINGS = new Autoscale(1, 10, 0, 50, INTERVAL, Duration.ofMinutes(5), Amount.percentOf(100), 10,
      INTERVAL);

  record Change(Instant at, int from, int to, String reason) {}

  /** Runs the autoscaler every interval from T0 for {@code length}; the fleet starts at {@code count}. */
  static List<Change> run(int count, Function<Instant, Double> totalLoad, Duration length) {
    List<Sample> samples = new ArrayList<>();
    List<Change> changes = new ArrayList<>();
    Instant lastChange = null;
    for (Instant now = T0; !now.isAfter(T0.plus(length)); now = now.plus(INTERVAL)) {
      samples.add(new Sample(now, totalLoad.apply(now) / count));
      Decision d = AutoscalePolicy.decide(new Input(SETTINGS, count, samples, now, lastChange, false));
      if (d.changes()) {
        changes.add(new Change(now, count, d.desired(), d.reason()));
        count = d.desired();
        lastChange = now;
      }
    }
    return changes;
  }

  @ParameterizedTest(name = "load x{1} rising {0}s after an evaluation")
  @CsvSource({"0, 1.5", "1, 1.5", "14, 1.5", "0, 3", "7, 3", "14, 3", "0, 10", "14, 10"})
  void loadUpScalesOutWithinTwoEvaluationIntervals(long offsetSeconds, double factor) {
    Instant rise = T0.plus(Duration.ofMinutes(2)).plusSeconds(offsetSeconds);
    List<Change> changes = run(2, t -> t.isBefore(rise) ? 100.0 : 100.0 * factor, Duration.ofMinutes(4));
    assertThat(changes).isNotEmpty();
    Change first = changes.getFirst();
    assertThat(first.to()).isGreaterThan(2);
    assertThat(first.at()).isAfterOrEqualTo(rise).isBeforeOrEqualTo(rise.plus(INTERVAL.multipliedBy(2)));
    assertThat(first.to()).isEqualTo(Math.min(10, Math.min(4, (int) Math.ceil(2 * factor))));
    assertThat(first.reason()).startsWith("requests ").contains("/s per node > target 50/s for 15s");
    // and it settles: the load per node is back within the tolerance, no more changes after two steps
    assertThat(changes.size()).isLessThanOrEqualTo(3);
  }

  @ParameterizedTest(name = "load gone {0}s after an evaluation")
  @CsvSource({"0", "1", "14"})
  void loadGoneScalesInAfterTheCooldownNotBefore(long offsetSeconds) {
    Instant gone = T0.plus(Duration.ofMinutes(10)).plusSeconds(offsetSeconds);
    List<Change> changes = run(6, t -> t.isBefore(gone) ? 300.0 : 0.0, Duration.ofMinutes(20));
    assertThat(changes).hasSize(1);
    Change in = changes.getFirst();
    assertThat(in.at()).as("not before the cooldown").isAfterOrEqualTo(gone.plus(SETTINGS.scaleDownAfter()));
    assertThat(in.at()).as("at the first evaluation after it").isBeforeOrEqualTo(gone.plus(SETTINGS.scaleDownAfter()).plus(INTERVAL));
    assertThat(in.to()).isEqualTo(1);
    assertThat(in.reason()).isEqualTo("requests 0.0/s per node < target 50/s for 5m");
  }

  @Test
  void aShortDipNeverScalesIn() {
    // the load drops for 4m45s (just under the cooldown) twice an hour
    List<Change> changes = run(4, t -> Duration.between(T0, t).toSeconds() % 1800 < 285 ? 20.0 : 200.0, Duration.ofHours(2));
    assertThat(changes).isEmpty();
  }

  @Test
  void flappingWithinTenPercentOfTheTargetNeverOscillates() {
    // 4 nodes at 45..55 req/s each: every evaluation flips between -10% and +10%, or wanders inside
    for (Function<Instant, Double> load : List.<Function<Instant, Double>>of(
        t -> (Duration.between(T0, t).toSeconds() / 15) % 2 == 0 ? 180.0 : 220.0,
        t -> 200.0 + 20.0 * Math.sin(Duration.between(T0, t).toSeconds() / 40.0),
        t -> 200.0 + ((Duration.between(T0, t).toSeconds() * 7919) % 41) - 20.0)) {
      assertThat(run(4, load, Duration.ofHours(6))).isEmpty();
    }
  }

  @Test
  void justBeyondTheToleranceForLongEnoughDoesScale() {
    // the edge of the previous case: 12% over the target for good adds a node (5 × 44.8 is within it again)
    List<Change> changes = run(4, t -> 224.0, Duration.ofMinutes(5));
    assertThat(changes).extracting(Change::to).containsExactly(5);
  }
}
