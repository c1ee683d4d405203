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
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The policy, one row per situation. Samples are every 15 s ending at "now" (the last value is
 * the newest); settings: min/max as given, cpu target 60%, scale up after 30s, down after 5m,
 * tolerance 10% (54%..66% holds), step as given.
 */
class AutoscalePolicyTest {
  static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

  /** {@code values}: space-separated percentages, oldest first, 15 s apart, the last at NOW - {@code lagSeconds}. */
  static List<Sample> samples(String values, long lagSeconds) {
    List<Double> v = values.isBlank() ? List.of() : Arrays.stream(values.trim().split("\\s+")).map(Double::valueOf).toList();
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      out.add(new Sample(NOW.minusSeconds(lagSeconds + 15L * (v.size() - 1 - i)), v.get(i)));
    }
    return out;
  }

  static Autoscale settings(int min, int max, String step) {
    return Autoscale.cpu(min, max, 60, Duration.ofSeconds(30), Duration.ofMinutes(5), Amount.parse(step), 10,
        Duration.ofSeconds(15));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      # case                                        | min | max | step | cur | samples (15s apart, newest last)       | lag | changed s ago | rollout | desired | reason
      steady at target                              | 1   | 10  | 100% | 3   | 60 60 60                                | 0   | -   | false | 3  | cpu 60% within 10% of target 60%
      just inside the upper tolerance               | 1   | 10  | 100% | 3   | 66 66 66                                | 0   | -   | false | 3  | cpu 66% within 10% of target 60%
      just inside the lower tolerance               | 1   | 10  | 100% | 3   | 54 54 54 54 54 54 54 54 54 54 54 54 54 54 54 54 54 54 54 54 54 54 | 0 | - | false | 3 | cpu 54% within 10% of target 60%
      high for the whole window scales up           | 1   | 10  | 100% | 3   | 84 84 84                                | 0   | -   | false | 5  | cpu 84% > target 60% for 30s
      the window's lowest value decides             | 1   | 10  | 100% | 3   | 90 70 120                               | 0   | -   | false | 4  | cpu 70% > target 60% for 30s
      high for only 15s waits                       | 1   | 10  | 100% | 3   | 84 84                                   | 0   | -   | false | 3  | cpu 84% > target 60%, waiting for 30s
      a dip inside the window waits                 | 1   | 10  | 100% | 3   | 84 60 84                                | 0   | -   | false | 3  | cpu 84% > target 60%, waiting for 30s
      a spike alone never scales                    | 1   | 10  | 100% | 3   | 60 60 300                               | 0   | -   | false | 3  | cpu 300% > target 60%, waiting for 30s
      clamped to max                                | 1   | 4   | 100% | 3   | 200 200 200                             | 0   | -   | false | 4  | cpu 200% > target 60% for 30s
      at max holds                                  | 1   | 3   | 100% | 3   | 200 200 200                             | 0   | -   | false | 3  | cpu 200% > target 60% but at max 3
      step limits a big jump                        | 1   | 20  | 2    | 3   | 200 200 200                             | 0   | -   | false | 5  | cpu 200% > target 60% for 30s
      step as a percentage rounds up                | 1   | 20  | 50%  | 3   | 200 200 200                             | 0   | -   | false | 5  | cpu 200% > target 60% for 30s
      step 1                                        | 1   | 20  | 1    | 3   | 200 200 200                             | 0   | -   | false | 4  | cpu 200% > target 60% for 30s
      small overload adds at least one              | 1   | 10  | 100% | 10  | 67 67 67                                | 0   | -   | false | 10 | cpu 67% > target 60% but at max 10
      small overload on a big fleet                 | 1   | 20  | 100% | 10  | 67 67 67                                | 0   | -   | false | 12 | cpu 67% > target 60% for 30s
      low for 5m scales down                        | 1   | 10  | 100% | 6   | 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 | 0 | - | false | 2 | cpu 20% < target 60% for 5m
      low for less than 5m waits                    | 1   | 10  | 100% | 6   | 20 20 20 20 20 20                       | 0   | -   | false | 6  | cpu 20% < target 60%, waiting for 5m
      a peak inside the down window waits           | 1   | 10  | 100% | 6   | 20 20 20 20 20 20 20 20 20 60 20 20 20 20 20 20 20 20 20 20 20 | 0 | - | false | 6 | cpu 20% < target 60%, waiting for 5m
      the window's highest value decides down       | 1   | 10  | 100% | 6   | 20 20 20 20 20 20 20 20 20 40 20 20 20 20 20 20 20 20 20 20 20 | 0 | - | false | 4 | cpu 40% < target 60% for 5m
      down clamped to min                           | 2   | 10  | 100% | 6   | 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 | 0 | -  | false | 2  | cpu 1% < target 60% for 5m
      at min holds                                  | 2   | 10  | 100% | 2   | 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 | 0 | -  | false | 2  | cpu 1% < target 60% but at min 2
      down step limit                               | 1   | 10  | 1    | 6   | 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 | 0 | -  | false | 5  | cpu 1% < target 60% for 5m
      idle fleet goes to one node                   | 1   | 10  | 100% | 6   | 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 | 0 | -  | false | 1  | cpu 0% < target 60% for 5m
      below tolerance yet one fewer would overload  | 1   | 10  | 100% | 3   | 50 50 50 50 50 50 50 50 50 50 50 50 50 50 50 50 50 50 50 50 50 | 0 | - | false | 3 | cpu 50% < target 60% but one node fewer would be over it
      no samples holds                              | 1   | 10  | 100% | 3   | ''                                      | 0   | -   | false | 3  | no CPU measurements yet
      stale samples hold                            | 1   | 10  | 100% | 3   | 200 200 200                             | 31  | -   | false | 3  | no CPU measurement for 30s
      samples just fresh enough count               | 1   | 10  | 100% | 3   | 200 200 200                             | 30  | -   | false | 6  | cpu 200% > target 60% for 30s
      only samples since the last change count      | 1   | 10  | 100% | 3   | 200 200 200                             | 0   | 20  | false | 3  | cpu 200% > target 60%, waiting for 30s
      changed long ago: every sample counts         | 1   | 10  | 100% | 3   | 200 200 200                             | 0   | 31  | false | 6  | cpu 200% > target 60% for 30s
      changed just now: no measurement since        | 1   | 10  | 100% | 3   | 200 200 200                             | 0   | 0   | false | 3  | no CPU measurements yet
      down waits 5m after a change                  | 1   | 10  | 100% | 6   | 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 | 0 | 120 | false | 6  | cpu 1% < target 60%, waiting for 5m
      a rollout holds                               | 1   | 10  | 100% | 3   | 200 200 200                             | 0   | -   | true  | 3  | a rollout is in progress
      a rollout holds even below min                | 2   | 10  | 100% | 1   | 60 60 60                                | 0   | -   | true  | 1  | a rollout is in progress
      below min rises to min without data           | 2   | 10  | 100% | 1   | ''                                      | 0   | -   | false | 2  | below min 2
      above max falls to max without data           | 1   | 4   | 100% | 7   | ''                                      | 0   | -   | false | 4  | above max 4
      zero nodes rise to min                        | 1   | 4   | 100% | 0   | ''                                      | 0   | -   | false | 1  | below min 1
      future samples are ignored                    | 1   | 10  | 100% | 3   | 200 200 200 10                          | -15 | -   | false | 6  | cpu 200% > target 60% for 30s
      """)
  void decides(String name, int min, int max, String step, int current, String values, long lag, Long changedAgo,
      boolean rollout, int desired, String reason) {
    Instant lastChange = changedAgo == null ? null : NOW.minusSeconds(changedAgo);
    Decision d = AutoscalePolicy.decide(new Input(settings(min, max, step), current, samples(values, lag), NOW,
        lastChange, rollout));
    assertThat(d.desired()).as(name + ": " + d.reason()).isEqualTo(desired);
    assertThat(d.reason()).as(name).isEqualTo(reason);
    assertThat(d.changes()).isEqualTo(desired != current);
  }

  @ParameterizedTest(name = "flapping within ±10% for an hour: {0}% ± {1}")
  @CsvSource({"60, 5", "60, 6", "63, 3", "57, 3"})
  void flappingWithinTheToleranceNeverScales(double centre, double swing) {
    Autoscale s = settings(1, 10, "100%");
    List<Sample> all = new ArrayList<>();
    Instant t0 = NOW.minus(Duration.ofHours(1));
    for (int i = 0; i <= 240; i++) {
      Instant at = t0.plusSeconds(15L * i);
      all.add(new Sample(at, centre + (i % 2 == 0 ? swing : -swing)));
      Decision d = AutoscalePolicy.decide(new Input(s, 4, all, at, null, false));
      assertThat(d.changes()).as(d.reason()).isFalse();
    }
  }
}
