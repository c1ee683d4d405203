package dev.herd.control.autoscale;

import dev.herd.control.Controller;
import dev.herd.control.ControllerConfig;
import dev.herd.control.FleetStatus;
import dev.herd.control.NodeStatus;
import dev.herd.control.autoscale.AutoscalePolicy.Decision;
import dev.herd.control.autoscale.AutoscalePolicy.Sample;
import dev.herd.control.loop.Scheduler;
import dev.herd.engine.Engine;
import dev.herd.engine.NodeRef;
import dev.herd.engine.NodeStats;
import dev.herd.spec.Autoscale;
import dev.herd.spec.Fleet;
import dev.herd.spec.Spec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs {@link AutoscalePolicy} for every fleet with {@code autoscale}: each {@code interval} it
 * measures the fleet's load, decides, and applies a change through {@link Controller#autoscale}
 * (the same path as {@code herd scale}). The load is the CPU use of the running nodes from the
 * engine's stats (CPU time between two samples of one container, over the node's CPU limit or
 * one core), or the requests per second through the fleet's front door
 * ({@link Controller#traffic}) over its nodes in service.
 */
public final class Autoscaler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Autoscaler.class);

  /**
   * What {@code herd status} shows of a fleet's autoscaling.
   *
   * @param load the last measured load in the target's unit (cpu %, or requests/s per node)
   */
  public record State(Autoscale settings, Optional<Double> load, Instant measuredAt, String decision,
      Instant lastChange) {}

  private final Controller controller;
  private final Engine engine;
  private final String project;
  private final Clock clock;
  private final Scheduler scheduler;
  private final Map<String, Watched> fleets = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** One autoscaled fleet: its settings, samples since the last change and last container stats. */
  private final class Watched {
    final Autoscale settings;
    final double cpuCores;
    final List<Sample> samples = new ArrayList<>();
    final Map<String, NodeStats> lastStats = new HashMap<>();
    Instant lastChange;
    /** The count in force at the last round: another value now means someone else changed it. */
    Integer lastCount;
    Decision decision;
    Scheduler.Task task;

    Watched(Autoscale settings, double cpuCores) {
      this.settings = settings;
      this.cpuCores = cpuCores;
    }
  }

  /** @param config the controller's configuration: its engine, project, clock and scheduler */
  public Autoscaler(Controller controller, ControllerConfig config) {
    this.controller = controller;
    this.engine = config.engine();
    this.project = config.project();
    this.clock = config.clock();
    this.scheduler = config.scheduler();
  }

  /** Autoscales the fleets of {@code spec} that ask for it (and stops for those that no longer do). */
  public synchronized void configure(Spec spec) {
    if (closed) {
      return;
    }
    Map<String, Fleet> wanted = new HashMap<>();
    for (Fleet f : spec.fleets().values()) {
      f.autoscale().ifPresent(a -> wanted.put(f.name(), f));
    }
    fleets.entrySet().removeIf(e -> {
      Fleet f = wanted.get(e.getKey());
      boolean keep = f != null && f.autoscale().orElseThrow().equals(e.getValue().settings)
          && cores(f) == e.getValue().cpuCores;
      if (!keep && e.getValue().task != null) {
        e.getValue().task.cancel();
      }
      return !keep;
    });
    wanted.forEach((name, f) -> fleets.computeIfAbsent(name, n -> {
      Watched w = new Watched(f.autoscale().orElseThrow(), cores(f));
      w.task = scheduler.schedule(w.settings.interval(), () -> tick(n));
      log.info("fleet {} autoscales between {} and {} nodes at {}", n, w.settings.min(), w.settings.max(),
          AutoscalePolicy.goal(w.settings));
      return w;
    }));
  }

  private static double cores(Fleet f) {
    return f.limits().cpus().orElse(1.0);
  }

  /** The fleet's autoscaling as last measured and decided; empty when it does not autoscale. */
  public Optional<State> state(String fleet) {
    Watched w = fleets.get(fleet);
    if (w == null) {
      return Optional.empty();
    }
    synchronized (w) {
      Sample last = w.samples.isEmpty() ? null : w.samples.getLast();
      return Optional.of(new State(w.settings, Optional.ofNullable(last).map(Sample::load),
          last == null ? null : last.at(), w.decision == null ? "" : w.decision.reason(), w.lastChange));
    }
  }

  /** One measurement and decision for {@code fleet}, then the next one after its interval. */
  void tick(String fleet) {
    Watched w = fleets.get(fleet);
    if (w == null || closed) {
      return;
    }
    MDC.put("fleet", fleet);
    try {
      synchronized (w) {
        evaluate(fleet, w);
      }
    } catch (RuntimeException e) {
      log.warn("fleet {}: autoscaling skipped a round: {}", fleet, e.getMessage());
    } finally {
      MDC.remove("fleet");
      if (!closed && fleets.get(fleet) == w) {
        w.task = scheduler.schedule(w.settings.interval(), () -> tick(fleet));
      }
    }
  }

  private void evaluate(String fleet, Watched w) {
    FleetStatus status;
    try {
      status = controller.status(fleet);
    } catch (NoSuchElementException e) {
      return; // not applied yet
    }
    Instant now = clock.instant();
    if (w.lastCount != null && w.lastCount != status.count()) {
      // herd scale or an apply changed the count: what was measured before describes another fleet
      w.lastChange = now;
    }
    w.lastCount = status.count();
    (w.settings.metric() == Autoscale.Metric.CPU ? measure(status, w, now) : requests(status, w))
        .filter(s -> w.samples.isEmpty() || s.at().isAfter(w.samples.getLast().at()))
        .ifPresent(w.samples::add);
    // keep what the longer window needs, plus the sample at its start
    Duration keep = max(w.settings.scaleUpAfter(), w.settings.scaleDownAfter()).plus(w.settings.interval().multipliedBy(2));
    w.samples.removeIf(s -> s.at().isBefore(now.minus(keep)));
    Decision d = AutoscalePolicy.decide(new AutoscalePolicy.Input(w.settings, status.count(), w.samples, now,
        w.lastChange, status.rollout().isPresent()));
    w.decision = d;
    if (d.changes() && controller.autoscale(fleet, d.current(), d.desired(), d.reason())) {
      w.lastChange = now;
      w.lastCount = d.desired();
      log.info("{} scaled {} → {}: {}", fleet, d.current(), d.desired(), d.reason());
    }
  }

  /**
   * Requests per second per node in service, from the front door's last sample of the fleet (its
   * time, so a sample the front door has not renewed is not taken twice and goes stale); empty
   * without one or without a node in service.
   */
  private Optional<Sample> requests(FleetStatus status, Watched w) {
    long inService = status.nodes().stream().filter(NodeStatus::inService).count();
    if (inService == 0) {
      return Optional.empty();
    }
    return controller.traffic(status.fleet())
        .filter(t -> t.requestsPerSecond().isPresent())
        .map(t -> new Sample(t.at(), t.requestsPerSecond().getAsDouble() / inService));
  }

  /** Mean CPU use of the running nodes that have two samples; empty when none has. */
  private Optional<Sample> measure(FleetStatus status, Watched w, Instant now) {
    double sum = 0;
    int measured = 0;
    Map<String, NodeStats> seen = new HashMap<>();
    for (NodeStatus n : status.nodes()) {
      if (n.phase() != NodeStatus.Phase.HEALTHY && n.phase() != NodeStatus.Phase.STARTING && n.phase() != NodeStatus.Phase.UNHEALTHY) {
        continue;
      }
      NodeStats stats;
      try {
        stats = engine.stats(new NodeRef(project, n.engineName()));
      } catch (RuntimeException e) {
        log.debug("no stats of {}: {}", n.engineName(), e.toString());
        continue;
      }
      seen.put(n.engineName(), stats);
      NodeStats before = w.lastStats.get(n.engineName());
      if (before != null && stats.at().isAfter(before.at())) {
        sum += stats.coresSince(before) / w.cpuCores * 100.0;
        measured++;
      }
    }
    w.lastStats.clear();
    w.lastStats.putAll(seen);
    return measured == 0 ? Optional.empty() : Optional.of(new Sample(now, sum / measured));
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  @Override
  public synchronized void close() {
    closed = true;
    fleets.values().forEach(w -> {
      if (w.task != null) {
        w.task.cancel();
      }
    });
    fleets.clear();
  }
}
