package dev.herd.control.health;

import dev.herd.control.loop.Scheduler;
import dev.herd.spec.Health;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes every watched node at its check's interval and keeps the verdict in memory. A node is
 * healthy from its first passing probe; it turns unhealthy after failure_threshold consecutive
 * failures, not counting failures within start_grace of its start while it was never healthy.
 * Unhealthy is final for that node (the controller replaces it). Each change of verdict calls
 * {@code onChange} with the fleet name: the monitor only notifies, the reconciler decides.
 */
public final class HealthMonitor {
  private static final Logger log = LoggerFactory.getLogger(HealthMonitor.class);

  /** How soon a node still starting (never healthy, within start_grace) is probed again. */
  static final Duration STARTING_RETRY = Duration.ofMillis(200);

  private final HealthProber prober;
  private final Scheduler scheduler;
  private final Clock clock;
  private final Consumer<String> onChange;
  private final Map<String, Watch> watches = new ConcurrentHashMap<>();

  public HealthMonitor(HealthProber prober, Scheduler scheduler, Clock clock, Consumer<String> onChange) {
    this.prober = prober;
    this.scheduler = scheduler;
    this.clock = clock;
    this.onChange = onChange;
  }

  public HealthProber prober() {
    return prober;
  }

  private final class Watch {
    final ProbeTarget target;
    final Health health;
    final Instant startedAt;
    volatile NodeHealth verdict;
    int failures;
    volatile Scheduler.Task next;
    volatile boolean stopped;

    Watch(ProbeTarget target, Health health, Instant startedAt, NodeHealth initial) {
      this.target = target;
      this.health = health;
      this.startedAt = startedAt;
      this.verdict = initial;
    }

    void schedule(Duration delay) {
      if (!stopped) {
        next = scheduler.schedule(delay, this::probe);
      }
    }

    void probe() {
      if (stopped) {
        return;
      }
      ProbeResult r;
      try {
        r = prober.probe(target, health.check(), health.timeout());
      } catch (RuntimeException e) {
        r = ProbeResult.fail(e.toString());
      }
      NodeHealth before;
      NodeHealth after;
      synchronized (this) {
        before = verdict;
        Instant now = clock.instant();
        if (r.ok()) {
          failures = 0;
          if (before.state() != NodeHealth.State.HEALTHY) {
            verdict = new NodeHealth(NodeHealth.State.HEALTHY, now, r.detail());
          }
        } else if (before.state() == NodeHealth.State.STARTING && now.isBefore(startedAt.plus(health.startGrace()))) {
          // still within start grace: the process may simply not listen yet
        } else {
          failures++;
          if (failures >= health.failureThreshold()) {
            verdict = new NodeHealth(NodeHealth.State.UNHEALTHY, null,
                "health check failed " + failures + " time" + (failures == 1 ? "" : "s") + " (" + r.detail() + ")");
          }
        }
        after = verdict;
      }
      if (after.state() == NodeHealth.State.UNHEALTHY) {
        stopped = true;
      } else if (after.state() == NodeHealth.State.STARTING && clock.instant().isBefore(startedAt.plus(health.startGrace()))) {
        // a starting node is asked again soon: its first pass ends a rollout wave or a healing, and
        // failures within start_grace do not count anyway
        schedule(health.interval().compareTo(STARTING_RETRY) < 0 ? health.interval() : STARTING_RETRY);
      } else {
        schedule(health.interval());
      }
      if (after.state() != before.state()) {
        log.info("node {} of fleet {}: {} -> {} {}", target.ref().node(), target.fleet(), before.state(), after.state(),
            after.reason());
        onChange.accept(target.fleet());
      }
    }
  }

  /**
   * The node's verdict; starts watching it on first sight. {@code health} empty means no check:
   * a running node is healthy from its start. {@code known} seeds a node the controller already
   * saw healthy before a restart, so availability does not dip while probes catch up.
   */
  public NodeHealth observe(ProbeTarget target, java.util.Optional<Health> health, Instant startedAt, Instant known) {
    if (health.isEmpty()) {
      return new NodeHealth(NodeHealth.State.HEALTHY, startedAt, "running (no health check)");
    }
    Watch w = watches.get(target.ref().node());
    if (w == null) {
      NodeHealth initial = known != null ? new NodeHealth(NodeHealth.State.HEALTHY, known, "healthy before restart")
          : NodeHealth.STARTING;
      Watch fresh = new Watch(target, health.get(), startedAt, initial);
      w = watches.putIfAbsent(target.ref().node(), fresh);
      if (w == null) {
        w = fresh;
        fresh.schedule(known != null ? health.get().interval() : Duration.ZERO);
      }
    }
    return w.verdict;
  }

  /**
   * The verdict of a node already watched, or null: a round asks this first, so a settled node
   * costs one map lookup instead of a new probe target per round.
   */
  public NodeHealth verdict(String engineName) {
    Watch w = watches.get(engineName);
    return w == null ? null : w.verdict;
  }

  /** Stops probing a node (removed, stopped or quarantined). */
  public void forget(String engineName) {
    Watch w = watches.remove(engineName);
    if (w != null) {
      w.stopped = true;
      Scheduler.Task t = w.next;
      if (t != null) {
        t.cancel();
      }
    }
  }

  public int watching() {
    return watches.size();
  }
}
