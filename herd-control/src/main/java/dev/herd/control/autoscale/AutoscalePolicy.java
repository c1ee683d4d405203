package dev.herd.control.autoscale;

import dev.herd.spec.Autoscale;
import dev.herd.spec.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Decides a fleet's count from its measured load: a pure function of the settings, the count in
 * force, the samples measured since the last change and the time, so every case is a table row.
 *
 * <p>Target tracking as Kubernetes' HPA does it: the wanted count is {@code ceil(count × load /
 * target)}. Load within the tolerance of the target changes nothing. The load must stay beyond
 * the tolerance for the whole of {@code scale_up_after} (up) or {@code scale_down_after} (down),
 * measured only since the last change (so each change is followed by at least that long without
 * one); the decision uses the load nearest the target within that window, so a single spike or dip
 * never decides. A decision moves at most {@code step}, never outside {@code min..max}; during a
 * rollout, or without fresh measurements, the count holds.
 */
public final class AutoscalePolicy {
  private AutoscalePolicy() {}

  /**
   * The fleet's load at {@code at}, in the unit of its target: mean CPU use of the running nodes
   * in percent of a node's CPU limit, or requests per second per node in service.
   */
  public record Sample(Instant at, double load) {
    public Sample {
      Objects.requireNonNull(at, "at");
      if (!(load >= 0) || Double.isInfinite(load)) {
        throw new IllegalArgumentException("load must be a number >= 0, got " + load);
      }
    }
  }

  /**
   * @param samples oldest first; those at or before {@code lastChange} are ignored
   * @param lastChange when the count last changed (null: never)
   * @param rollout whether the fleet is rolling out a release
   */
  public record Input(Autoscale settings, int current, List<Sample> samples, Instant now, Instant lastChange,
      boolean rollout) {
    public Input {
      Objects.requireNonNull(settings, "settings");
      if (current < 0) {
        throw new IllegalArgumentException("current count must be >= 0, got " + current);
      }
      samples = List.copyOf(samples);
      Objects.requireNonNull(now, "now");
    }
  }

  /** The count to run and why; {@code desired == current} holds. */
  public record Decision(int current, int desired, String reason) {
    public boolean changes() {
      return desired != current;
    }
  }

  public static Decision decide(Input in) {
    Autoscale s = in.settings();
    int current = in.current();
    if (in.rollout()) {
      return hold(current, "a rollout is in progress");
    }
    if (current < s.min()) {
      return new Decision(current, s.min(), "below min " + s.min());
    }
    if (current > s.max()) {
      return new Decision(current, s.max(), "above max " + s.max());
    }
    List<Sample> since = in.samples().stream()
        .filter(x -> !x.at().isAfter(in.now()) && (in.lastChange() == null || x.at().isAfter(in.lastChange())))
        .toList();
    Duration stale = s.interval().multipliedBy(2);
    String what = s.metric() == Autoscale.Metric.CPU ? "CPU" : "request";
    if (since.isEmpty() || since.getLast().at().isBefore(in.now().minus(stale))) {
      return hold(current, since.isEmpty() ? "no " + what + " measurements yet" : "no " + what + " measurement for " + Durations.format(stale));
    }
    double target = s.target();
    double upper = target * (1 + s.tolerance() / 100.0);
    double lower = target * (1 - s.tolerance() / 100.0);
    double latest = since.getLast().load();
    if (latest > upper) {
      Window w = window(since, in.now(), s.scaleUpAfter());
      if (w == null || w.min() <= upper) {
        return hold(current, load(s, latest) + " > " + goal(s) + ", waiting for " + Durations.format(s.scaleUpAfter()));
      }
      if (current >= s.max()) {
        return hold(current, load(s, w.min()) + " > " + goal(s) + " but at max " + s.max());
      }
      int wanted = (int) Math.ceil(current * w.min() / target);
      int desired = Math.min(Math.min(wanted, s.max()), current + s.maxStep(current));
      return new Decision(current, Math.max(desired, current + 1),
          load(s, w.min()) + " > " + goal(s) + " for " + Durations.format(s.scaleUpAfter()));
    }
    if (latest < lower) {
      Window w = window(since, in.now(), s.scaleDownAfter());
      if (w == null || w.max() >= lower) {
        return hold(current, load(s, latest) + " < " + goal(s) + ", waiting for " + Durations.format(s.scaleDownAfter()));
      }
      if (current <= s.min()) {
        return hold(current, load(s, w.max()) + " < " + goal(s) + " but at min " + s.min());
      }
      int wanted = Math.max(1, (int) Math.ceil(current * w.max() / target));
      int desired = Math.max(Math.max(wanted, s.min()), current - s.maxStep(current));
      if (desired >= current) {
        return hold(current, load(s, w.max()) + " < " + goal(s) + " but one node fewer would be over it");
      }
      return new Decision(current, desired,
          load(s, w.max()) + " < " + goal(s) + " for " + Durations.format(s.scaleDownAfter()));
    }
    return hold(current, load(s, latest) + " within " + s.tolerance() + "% of " + goal(s));
  }

  private record Window(double min, double max) {}

  /**
   * The samples covering the last {@code length}: from the newest one at or before {@code now -
   * length} (the load at the window's start) to the latest. Null when the samples do not reach
   * back that far.
   */
  private static Window window(List<Sample> samples, Instant now, Duration length) {
    Instant start = now.minus(length);
    int first = -1;
    for (int i = samples.size() - 1; i >= 0; i--) {
      if (!samples.get(i).at().isAfter(start)) {
        first = i;
        break;
      }
    }
    if (first < 0) {
      return null;
    }
    double min = Double.MAX_VALUE;
    double max = 0;
    for (Sample x : samples.subList(first, samples.size())) {
      min = Math.min(min, x.load());
      max = Math.max(max, x.load());
    }
    return new Window(min, max);
  }

  private static Decision hold(int current, String why) {
    return new Decision(current, current, why);
  }

  static String pct(double p) {
    return Math.round(p) + "%";
  }

  /** {@code cpu 84%} or {@code requests 72.4/s per node}. */
  static String load(Autoscale s, double v) {
    return s.metric() == Autoscale.Metric.CPU ? "cpu " + pct(v)
        : "requests " + String.format(java.util.Locale.ROOT, "%.1f", v) + "/s per node";
  }

  /** {@code target 60%} or {@code target 50/s}. */
  static String goal(Autoscale s) {
    return "target " + (s.metric() == Autoscale.Metric.CPU ? pct(s.target()) : s.requestsPerNode() + "/s");
  }
}
