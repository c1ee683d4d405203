package dev.herd.control.frontdoor;

import java.util.Map;

/** Counters of fleet web as {@code show stat} would give them, for tests outside this package. */
public final class StatCountersFixture {
  private StatCountersFixture() {}

  public static Map<String, StatCounters> counters(long requests, long responses2xx) {
    return Map.of("web", new StatCounters("web", requests, new long[] {0, 0, responses2xx, 0, 0, 0}, 0, 0, 0, 0, 1, 2, 3, 0));
  }
}
