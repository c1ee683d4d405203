package dev.herd.spec;

import java.time.Duration;
import java.util.Objects;

/**
 * {@code fleets.NAME.autoscale}: the controller keeps the fleet's count between {@code min} and
 * {@code max} so that the measured load per node stays near {@code target} (target tracking, as
 * Kubernetes' HPA and AWS's target-tracking policy do).
 *
 * @param cpuPercent the target: mean CPU use of the fleet's nodes, in percent of one node's CPU
 *     limit (one core when the node has none); 0 when the target is requests
 * @param requestsPerNode the target: requests per second through the fleet's front door per
 *     node in service; 0 when the target is CPU
 * @param scaleUpAfter the load must stay above target (beyond the tolerance) this long before
 *     nodes are added
 * @param scaleDownAfter ... below target this long before nodes are removed
 * @param step at most this many nodes (or this percentage of the current count, rounded up, at
 *     least 1) added or removed per decision
 * @param tolerance a load within this percentage of the target changes nothing
 * @param interval how often the load is measured and a decision made
 */
public record Autoscale(int min, int max, int cpuPercent, int requestsPerNode, Duration scaleUpAfter,
    Duration scaleDownAfter, Amount step, int tolerance, Duration interval) {

  /** What the load is measured in. */
  public enum Metric {
    /** Mean CPU use of the nodes, % of a node's limit. */
    CPU,
    /** Requests per second through the front door, per node in service. */
    REQUESTS
  }

  public static final int MAX_REQUESTS_PER_NODE = 1_000_000;

  public static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

  public Autoscale {
    if (min < 1 || max > Fleet.MAX_COUNT) {
      throw new IllegalArgumentException("min must be at least 1 and max at most " + Fleet.MAX_COUNT);
    }
    if (min > max) {
      throw new IllegalArgumentException("min " + min + " is more than max " + max);
    }
    if ((cpuPercent > 0) == (requestsPerNode > 0)) {
      throw new IllegalArgumentException("give exactly one target: cpu or requests_per_node");
    }
    if (cpuPercent < 0 || cpuPercent > 100) {
      throw new IllegalArgumentException("the cpu target must be between 1% and 100%, got " + cpuPercent + "%");
    }
    if (requestsPerNode < 0 || requestsPerNode > MAX_REQUESTS_PER_NODE) {
      throw new IllegalArgumentException("requests_per_node must be between 1 and " + MAX_REQUESTS_PER_NODE + ", got " + requestsPerNode);
    }
    Fleet.requireNotNegative("scale_up_after", scaleUpAfter);
    Fleet.requireNotNegative("scale_down_after", scaleDownAfter);
    Objects.requireNonNull(step, "step");
    if (step.isZero()) {
      throw new IllegalArgumentException("step must be more than 0");
    }
    if (tolerance < 0 || tolerance > 50) {
      throw new IllegalArgumentException("tolerance must be between 0% and 50%, got " + tolerance + "%");
    }
    Objects.requireNonNull(interval, "interval");
    if (interval.compareTo(MIN_INTERVAL) < 0) {
      throw new IllegalArgumentException("interval must be at least 1s");
    }
  }

  /** A CPU target (the first form herd had). */
  public static Autoscale cpu(int min, int max, int cpuPercent, Duration scaleUpAfter, Duration scaleDownAfter, Amount step,
      int tolerance, Duration interval) {
    return new Autoscale(min, max, cpuPercent, 0, scaleUpAfter, scaleDownAfter, step, tolerance, interval);
  }

  public Metric metric() {
    return cpuPercent > 0 ? Metric.CPU : Metric.REQUESTS;
  }

  /** The target in the metric's unit (percent, or requests per second per node). */
  public double target() {
    return metric() == Metric.CPU ? cpuPercent : requestsPerNode;
  }

  /** The most nodes one decision may add or remove when the fleet has {@code current}. */
  public int maxStep(int current) {
    return Math.max(1, step.resolve(current, true));
  }
}
