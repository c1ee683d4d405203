package dev.herd.engine;

import java.time.Instant;

/**
 * One resource sample.
 *
 * @param cpuNanos CPU time used since start (cumulative; rates come from two samples)
 * @param memoryLimitBytes 0 when the engine reports no limit
 */
public record NodeStats(Instant at, long cpuNanos, long memoryBytes, long memoryLimitBytes, long pids) {
  public NodeStats {
    if (cpuNanos < 0 || memoryBytes < 0 || memoryLimitBytes < 0 || pids < 0) {
      throw new IllegalArgumentException("stats must not be negative");
    }
  }

  /** Average CPU use in cores between an earlier sample and this one. */
  public double coresSince(NodeStats earlier) {
    long nanos = java.time.Duration.between(earlier.at, at).toNanos();
    return nanos <= 0 ? 0 : (double) (cpuNanos - earlier.cpuNanos) / nanos;
  }
}
