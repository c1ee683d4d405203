package dev.herd.control.frontdoor;

import java.util.OptionalLong;

/**
 * Request times in fixed buckets, so a percentile over any number of requests costs 281 longs:
 * 1 ms wide up to 100 ms, 10 ms up to 1 s, 100 ms up to 10 s, then one overflow bucket. A
 * percentile is the upper edge of the bucket it falls in (exact below 100 ms, where HAProxy's
 * own resolution of 1 ms is the limit). Not thread-safe.
 */
final class LatencyHistogram {
  private static final int BUCKETS = 100 + 90 + 90 + 1;
  private final long[] counts = new long[BUCKETS];
  private long total;

  void add(long ms) {
    counts[bucket(Math.max(0, ms))]++;
    total++;
  }

  void addAll(LatencyHistogram other) {
    for (int i = 0; i < BUCKETS; i++) {
      counts[i] += other.counts[i];
    }
    total += other.total;
  }

  long count() {
    return total;
  }

  /** The time under which {@code q} (0-1) of the requests finished; empty without requests. */
  OptionalLong quantile(double q) {
    if (total == 0) {
      return OptionalLong.empty();
    }
    long rank = Math.max(1, (long) Math.ceil(q * total));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return OptionalLong.of(upperEdge(i));
      }
    }
    return OptionalLong.of(upperEdge(BUCKETS - 1));
  }

  static int bucket(long ms) {
    if (ms < 100) {
      return (int) ms;
    }
    if (ms < 1000) {
      return 100 + (int) ((ms - 100) / 10);
    }
    if (ms < 10_000) {
      return 190 + (int) ((ms - 1000) / 100);
    }
    return BUCKETS - 1;
  }

  /** The largest time a bucket holds (1 ms buckets hold exactly their value). */
  static long upperEdge(int bucket) {
    if (bucket < 100) {
      return bucket;
    }
    if (bucket < 190) {
      return 100 + (bucket - 100) * 10L + 9;
    }
    if (bucket < 280) {
      return 1000 + (bucket - 190) * 100L + 99;
    }
    return 10_000;
  }
}
