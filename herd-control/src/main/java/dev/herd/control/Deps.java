package dev.herd.control;

import dev.herd.control.drift.DriftDetector;
import dev.herd.control.drift.DriftStore;
import dev.herd.control.health.HealthMonitor;
import dev.herd.control.health.OomWatch;
import dev.herd.control.state.Event;
import dev.herd.control.state.Store;
import dev.herd.engine.Engine;
import dev.herd.engine.NodeSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** What every reconcile pass shares: state, engine, time, health, ports, logs, event fan-out. */
final class Deps {
  final String project;
  final Store store;
  final Engine engine;
  final Clock clock;
  final HealthMonitor monitor;
  final PortAllocator ports;
  final LogCollector logs;
  final ImageSupplier images;
  final Consumer<List<Event>> publish;
  final Duration resync;
  final Duration stopGrace;
  final DriftDetector drift;
  final DriftStore driftStore;
  /** Image digests ensured on the engine during this controller's life. */
  final Set<String> ensured = ConcurrentHashMap.newKeySet();
  /** The user each image's nodes run as, resolved once per digest (images are immutable). */
  final Map<String, NodeSpec.RunAs> users = new ConcurrentHashMap<>();
  /** Engine node name → fleet, so engine events (which name only the node) reach their fleet. */
  final Map<String, String> fleetOfNode = new ConcurrentHashMap<>();
  /**
   * Engine names of nodes whose removal runs detached from the round that started it (until its
   * result is recorded); see FleetActuator#execute.
   */
  final Set<String> removing = ConcurrentHashMap.newKeySet();
  /** Queues a fleet's next round (now, or after a delay); set by the controller once its loop exists. */
  volatile java.util.function.BiConsumer<String, Duration> wake = (fleet, delay) -> {};
  /** Fleets whose records are all in {@link #fleetOfNode}; later rounds add only new nodes. */
  final Set<String> indexedFleets = ConcurrentHashMap.newKeySet();
  /**
   * Fleets whose node starts fail before a container exists (image refused, create refused):
   * the failure said once, and when the fleet may try again (backoff).
   */
  final Map<String, StartFailure> startFailures = new ConcurrentHashMap<>();
  /** Slots (by fleet, then slot index) whose nodes keep dying soon after starting: their start backoff. */
  final Map<String, Map<Integer, CrashLoop>> crashLoops = new ConcurrentHashMap<>();

  /**
   * Fleets that start from no node and wait for the fleets they depend on: what was said, and
   * which fleets' passes should wake them.
   */
  final Map<String, Waiting> waiting = new ConcurrentHashMap<>();

  record Waiting(String reason, Set<String> on) {
    Waiting {
      on = Set.copyOf(on);
    }
  }

  /** The reasons already said, how often the fleet was tried, and when the next try is due. */
  record StartFailure(Set<String> said, int attempts, java.time.Instant retryAt) {
    StartFailure {
      said = Set.copyOf(said);
    }
  }

  /**
   * The actuator's bound: engine calls (start, stop, remove) in flight at once, over all fleets
   * of this controller's engine.
   */
  final java.util.concurrent.Semaphore engineCalls;
  /** Where the actuator runs engine calls: one virtual thread each. */
  final java.util.concurrent.ExecutorService calls = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
  /** False in simulated time: engine calls run one after another, in plan order, so runs repeat exactly. */
  final boolean parallel;

  /** OOM kills reported by the engine, drained by the passes. */
  final OomWatch oom;
  /** The config service's side of node launches and discovery; set once when the controller opens. */
  NodeConfig nodeConfig = NodeConfig.NONE;
  /** The front door's drain before a node leaves; set once when the controller opens. */
  Drainer drainer = Drainer.NONE;
  /**
   * Restores waiting for their node's next start, by {@code fleet/slot}: volume name → verified
   * archive. The slot's volumes are emptied and filled before the node starts (see {@code Controller#restore}).
   */
  final Map<String, Map<String, java.nio.file.Path>> restores = new java.util.concurrent.ConcurrentHashMap<>();
  /** Slots ({@code fleet/slot}) whose volumes go once their last node is removed ({@code herd scale --delete-volumes}). */
  final java.util.Set<String> volumesToDelete = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /**
   * Makes the front door follow the store now (the controller's sync); the actuator calls it as
   * soon as a pass recorded a change of who serves, before the slower discovery rewrite, so a
   * blue/green switch or a promotion reaches HAProxy first. Set once when the controller opens.
   */
  Runnable frontDoorFollows = () -> {};

  Deps(String project, Store store, Engine engine, Clock clock, HealthMonitor monitor, PortAllocator ports,
      LogCollector logs, ImageSupplier images, Consumer<List<Event>> publish, Duration resync, Duration stopGrace,
      DriftDetector drift, DriftStore driftStore, int engineConcurrency, boolean parallel) {
    this.engineCalls = new java.util.concurrent.Semaphore(engineConcurrency);
    this.parallel = parallel;
    this.project = project;
    this.store = store;
    this.engine = engine;
    this.clock = clock;
    this.monitor = monitor;
    this.ports = ports;
    this.logs = logs;
    this.images = images;
    this.publish = publish;
    this.resync = resync;
    this.stopGrace = stopGrace;
    this.drift = drift;
    this.driftStore = driftStore;
    this.oom = new OomWatch(clock);
  }
}
