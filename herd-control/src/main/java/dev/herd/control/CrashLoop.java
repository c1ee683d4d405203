package dev.herd.control;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A slot whose nodes on one release keep dying soon after they start (bad config, a missing
 * file): how many such deaths in a row, and when the slot may start a node again. Without it the
 * slot would be refilled every round, churning the engine, ports and the event log.
 *
 * @param releaseId the release whose nodes died: a slot moved to another release (rollback, a
 *     new apply) starts at once
 * @param deaths quick deaths in a row (1 after the first)
 * @param retryAt the slot's next start is not before this
 */
record CrashLoop(String releaseId, int deaths, Instant retryAt) {

  /** A death within this long of its start (or before the node was ever healthy) counts as quick. */
  static final Duration QUICK = Duration.ofSeconds(10);
  /** The longest a slot waits between starts. */
  static final Duration CAP = Duration.ofMinutes(5);

  CrashLoop {
    Objects.requireNonNull(releaseId, "releaseId");
    Objects.requireNonNull(retryAt, "retryAt");
    if (deaths < 1) {
      throw new IllegalArgumentException("deaths must be 1 or more, got " + deaths);
    }
  }

  /** The wait before the next start after {@code deaths} quick deaths: none after the first, then 1 s, 2 s, 4 s … 5 min. */
  static Duration delay(int deaths) {
    if (deaths <= 1) {
      return Duration.ZERO;
    }
    Duration d = Duration.ofSeconds(1L << Math.min(deaths - 2, 20));
    return d.compareTo(CAP) > 0 ? CAP : d;
  }
}
