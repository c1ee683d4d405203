package dev.herd.control.frontdoor;

import dev.herd.control.FleetTraffic;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What the front door measured per fleet: HAProxy's counters sampled by herd (for requests per
 * second) and the access log's request times (for percentiles, over the last {@link #WINDOW} and
 * over a rollout). Pure bookkeeping on given times, so it is tested without HAProxy. Thread-safe.
 */
public final class TrafficMeter {
  /** Percentiles in herd status cover this much time, in {@link #SLOTS} slots. */
  public static final Duration WINDOW = Duration.ofSeconds(60);
  private static final int SLOTS = 6;
  private static final Duration SLOT = WINDOW.dividedBy(SLOTS);
  /** Requests per second are measured over this much of the counters' history. */
  public static final Duration RATE_WINDOW = Duration.ofSeconds(15);

  private record Sample(Instant at, StatCounters counters) {}

  private static final class Slot {
    final long index;
    final LatencyHistogram times = new LatencyHistogram();
    long failed;

    Slot(long index) {
      this.index = index;
    }
  }

  /** A rollout in progress: its counters at the start and every logged request since (until its end). */
  private static final class Rollout {
    final Instant start;
    final StatCounters atStart;
    Instant end;
    StatCounters atEnd;
    final LatencyHistogram times = new LatencyHistogram();
    long failed;

    Rollout(Instant start, StatCounters atStart) {
      this.start = start;
      this.atStart = atStart;
    }
  }

  private final Map<String, Deque<Sample>> samples = new HashMap<>();
  private final Map<String, Deque<Slot>> slots = new HashMap<>();
  private final Map<String, Rollout> rollouts = new HashMap<>();

  /** HAProxy's counters read at {@code at}. */
  public synchronized void sample(Map<String, StatCounters> byFleet, Instant at) {
    byFleet.forEach((fleet, c) -> {
      Deque<Sample> d = samples.computeIfAbsent(fleet, k -> new ArrayDeque<>());
      if (!d.isEmpty() && c.requests() < d.getLast().counters().requests()) {
        d.clear(); // HAProxy restarted or reloaded: its counters began again
      }
      d.addLast(new Sample(at, c));
      while (d.size() > 2 && !d.getFirst().at().isAfter(at.minus(RATE_WINDOW.multipliedBy(2)))) {
        d.removeFirst();
      }
    });
    samples.keySet().retainAll(byFleet.keySet());
  }

  /**
   * One access-log line. Lines come in the order requests end, not the order they began (their
   * counters), and each once: {@link AccessLogFollower} never re-reads a ring it has read.
   */
  public synchronized void record(AccessLogEntry e) {
    long index = e.time().toEpochMilli() / SLOT.toMillis();
    Deque<Slot> d = slots.computeIfAbsent(e.fleet(), k -> new ArrayDeque<>());
    Slot s = d.peekLast();
    if (s == null || s.index < index) {
      s = new Slot(index);
      d.addLast(s);
    } // a late line of an older slot counts in the newest one: close enough for a 60 s window
    while (d.size() > SLOTS + 1) {
      d.removeFirst();
    }
    s.times.add(e.totalMs());
    if (e.failed()) {
      s.failed++;
    }
    Rollout r = rollouts.get(e.fleet());
    if (r != null && !e.time().isBefore(r.start) && (r.end == null || !e.time().isAfter(r.end))) {
      r.times.add(e.totalMs());
      if (e.failed()) {
        r.failed++;
      }
    }
  }

  /** The fleet's figures at {@code now}; empty before its first counters were read. */
  public synchronized Optional<FleetTraffic> traffic(String fleet, Instant now) {
    Deque<Sample> d = samples.get(fleet);
    if (d == null || d.isEmpty()) {
      return Optional.empty();
    }
    Sample last = d.getLast();
    Sample first = null;
    for (Sample s : d) {
      if (s != last && !s.at().isBefore(last.at().minus(RATE_WINDOW))) {
        first = s;
        break;
      }
    }
    if (first == null && d.size() > 1) {
      first = d.stream().filter(s -> s != last).reduce((a, b) -> b).orElse(null);
    }
    OptionalDouble rate = OptionalDouble.empty();
    if (first != null && last.at().isAfter(first.at())) {
      double seconds = Duration.between(first.at(), last.at()).toMillis() / 1000.0;
      rate = OptionalDouble.of((last.counters().requests() - first.counters().requests()) / seconds);
    }
    LatencyHistogram window = new LatencyHistogram();
    long failed = 0;
    long oldest = now.minus(WINDOW).toEpochMilli() / SLOT.toMillis();
    for (Slot s : slots.getOrDefault(fleet, new ArrayDeque<>())) {
      if (s.index > oldest) {
        window.addAll(s.times);
        failed += s.failed;
      }
    }
    StatCounters c = last.counters();
    return Optional.of(new FleetTraffic(fleet, last.at(), rate, c.requests(), c.responses(1), c.responses(2), c.responses(3),
        c.responses(4), c.responses(5), c.connectionErrors(), c.responseErrors(), c.retries(), c.avgResponseMs(),
        c.avgTotalMs(), window.quantile(0.5), window.quantile(0.99), window.count(), failed, WINDOW));
  }

  /** A rollout of {@code fleet} began: what the front door sees from now on is its traffic. */
  public synchronized void rolloutStarted(String fleet, Instant at) {
    Deque<Sample> d = samples.get(fleet);
    rollouts.put(fleet, new Rollout(at, d == null || d.isEmpty() ? null : d.getLast().counters()));
  }

  /**
   * The fleet's rollout ended at {@code at}: its counters are those of the last sample, and
   * access-log lines logged after {@code at} no longer count (lines logged before it may still
   * arrive: the summary comes later, {@link #rolloutSummary}).
   */
  public synchronized void rolloutEnded(String fleet, Instant at) {
    Rollout r = rollouts.get(fleet);
    Deque<Sample> d = samples.get(fleet);
    if (r != null && r.end == null) {
      r.end = at;
      r.atEnd = d == null || d.isEmpty() ? null : d.getLast().counters();
    }
  }

  /**
   * What went through the front door during the fleet's ended rollout, for the event log; empty
   * when herd did not see it start (e.g. the controller restarted during it), it has not ended,
   * or there are no counters.
   */
  public synchronized Optional<String> rolloutSummary(String fleet) {
    Rollout r = rollouts.get(fleet);
    if (r == null || r.end == null) {
      return Optional.empty();
    }
    rollouts.remove(fleet);
    if (r.atEnd == null) {
      return Optional.empty();
    }
    StatCounters end = r.atEnd;
    StatCounters start = r.atStart != null && r.atStart.requests() <= end.requests() ? r.atStart : null;
    long seconds = Math.max(1, Duration.between(r.start, r.end).toSeconds());
    StringBuilder b = new StringBuilder();
    if (start != null) {
      long requests = end.requests() - start.requests();
      b.append(requests).append(" requests through the front door in ").append(seconds).append("s (")
          .append(String.format(Locale.ROOT, "%.1f", requests / (double) seconds)).append("/s): 2xx ")
          .append(end.responses(2) - start.responses(2)).append(", 4xx ").append(end.responses(4) - start.responses(4))
          .append(", 5xx ").append(end.responses(5) - start.responses(5)).append(", retried on another node ")
          .append(end.retries() - start.retries());
    } else {
      b.append("front door counters began again during the rollout (haproxy restarted)");
    }
    b.append("; access log: ").append(r.times.count()).append(" requests, ").append(r.failed).append(" failed");
    r.times.quantile(0.5).ifPresent(p50 -> b.append(", p50 ").append(p50).append(" ms, p99 ")
        .append(r.times.quantile(0.99).getAsLong()).append(" ms"));
    return Optional.of(b.toString());
  }
}
