package dev.herd.control;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * An exposed fleet's requests as its front door saw them.
 *
 * @param requestsPerSecond from HAProxy's request counter between two of herd's samples (every
 *     {@code 5s}, over up to {@code 15s}); empty until two samples were taken
 * @param requests HTTP requests (sessions in tcp mode) since HAProxy started or last reloaded
 * @param responses1xx .. {@code responses5xx}: HAProxy's counters since the same moment
 * @param connectionErrors a node refused or dropped a connection; {@code responseErrors} a node
 *     closed without a whole answer; {@code retries} HAProxy retried (each on another node)
 * @param avgResponseMs HAProxy's {@code rtime} and {@code avgTotalMs} its {@code ttime}:
 *     averages over its last 1024 requests (HAProxy keeps no percentiles)
 * @param p50Ms and {@code p99Ms}: from herd's reading of the access log, over {@code window};
 *     empty when no request was logged in it
 * @param windowRequests requests logged in {@code window}; {@code windowFailed} of them 5xx or unanswered
 */
public record FleetTraffic(
    String fleet,
    Instant at,
    OptionalDouble requestsPerSecond,
    long requests,
    long responses1xx,
    long responses2xx,
    long responses3xx,
    long responses4xx,
    long responses5xx,
    long connectionErrors,
    long responseErrors,
    long retries,
    long avgResponseMs,
    long avgTotalMs,
    OptionalLong p50Ms,
    OptionalLong p99Ms,
    long windowRequests,
    long windowFailed,
    Duration window) {

  public FleetTraffic {
    Objects.requireNonNull(fleet, "fleet");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(requestsPerSecond, "requestsPerSecond");
    Objects.requireNonNull(p50Ms, "p50Ms");
    Objects.requireNonNull(p99Ms, "p99Ms");
    Objects.requireNonNull(window, "window");
  }

  /** {@code 12.5 req/s; 2xx 1200, 3xx 0, 4xx 3, 5xx 0; p50 2 ms, p99 9 ms (last 60s, 640 requests, 0 failed)}. */
  public String summary() {
    StringBuilder b = new StringBuilder();
    b.append(requestsPerSecond.isPresent() ? String.format(java.util.Locale.ROOT, "%.1f req/s", requestsPerSecond.getAsDouble())
        : "req/s not measured yet");
    b.append("; 2xx ").append(responses2xx).append(", 3xx ").append(responses3xx).append(", 4xx ").append(responses4xx)
        .append(", 5xx ").append(responses5xx);
    if (connectionErrors + responseErrors + retries > 0) {
      b.append(", node errors ").append(connectionErrors + responseErrors).append(", retries ").append(retries);
    }
    if (p50Ms.isPresent()) {
      b.append("; p50 ").append(p50Ms.getAsLong()).append(" ms, p99 ").append(p99Ms.getAsLong()).append(" ms");
    }
    b.append(" (last ").append(dev.herd.spec.Durations.format(window)).append(": ").append(windowRequests)
        .append(" requests, ").append(windowFailed).append(" failed)");
    return b.toString();
  }
}
