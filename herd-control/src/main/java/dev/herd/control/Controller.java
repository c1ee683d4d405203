package dev.herd.control;

import dev.herd.control.drift.DriftDetector;
import dev.herd.control.drift.DriftFinding;
import dev.herd.control.drift.DriftKind;
import dev.herd.control.drift.DriftStore;
import dev.herd.control.drift.ForeignScan;
import dev.herd.control.drift.ImageConsistency;
import dev.herd.control.drift.ImmutabilityScore;
import dev.herd.control.health.HealthMonitor;
import dev.herd.control.loop.ManualScheduler;
import dev.herd.control.loop.ReconcileLoop;
import dev.herd.control.loop.Result;
import dev.herd.control.loop.TerminalError;
import dev.herd.control.state.Batch;
import dev.herd.control.state.Event;
import dev.herd.control.state.EventKind;
import dev.herd.control.state.FleetRecord;
import dev.herd.control.state.NodePhase;
import dev.herd.control.state.NodeRecord;
import dev.herd.control.state.FleetSettings;
import dev.herd.engine.NodeRef;
import dev.herd.control.state.Release;
import dev.herd.control.state.ReleaseSpec;
import dev.herd.control.state.Rollout;
import dev.herd.control.state.Store;
import dev.herd.db.DbException;
import dev.herd.engine.EngineEvent;
import dev.herd.engine.EngineException;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.Subscription;
import dev.herd.common.files.PrivateFiles;
import dev.herd.image.catalog.InUse;
import dev.herd.spec.Fleet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The fleet controller: turns a {@link DesiredState} into running, healthy nodes and keeps them
 * that way. A library; the REST server and the CLI wrap it.
 *
 * <p>Every fleet is reconciled level-based by its name alone: engine events, API calls and timers
 * only enqueue the name; one pass at a time per fleet, fleets in parallel. All state lives in
 * {@code <stateDir>/herd.db}, so a controller killed at any moment resumes where it stopped.
 *
 * <p>API methods are thread-safe. Methods that change a fleet throw {@link NoSuchElementException}
 * for an unknown fleet and {@link IllegalStateException} when the fleet is in no state for it
 * (e.g. pause without a rollout); they change nothing in that case.
 */
public final class Controller implements AutoCloseable {
  /** The loop key of the project-wide sweep that removes orphaned containers. */
  static final String ORPHANS = "*orphans";
  /** How often a writable-root node's filesystem is compared with its image (sooner when touched). */
  static final Duration DIFF_INTERVAL = Duration.ofMinutes(1);
  /** The exposure checks of every controller of this JVM: one at a time, off the reconcile passes. */
  private static final java.util.concurrent.Executor LISTEN_CHECKS = java.util.concurrent.Executors.newSingleThreadExecutor(
      Thread.ofPlatform().daemon().name("herd-exposure-check").factory());
  private static final Logger log = LoggerFactory.getLogger(Controller.class);
  /** The project's HAProxy, when this controller serves exposed fleets (null: it does not). */
  private final dev.herd.control.frontdoor.FrontDoor frontDoor;
  private volatile String frontDoorFailure;
  /** The front door's figures and access log; null without a front door. */
  private final FrontDoorTraffic traffic;

  private final ControllerConfig config;
  private final Store store;
  private final ReconcileLoop loop;
  private final Deps deps;
  private final LogCollector logs;
  private final PortAllocator ports;
  private final DriftStore driftStore;
  private final List<Consumer<ControllerEvent>> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
  private final Map<String, String> lastFailure = new ConcurrentHashMap<>();
  private volatile Subscription engineEvents;
  private volatile boolean started;
  private volatile boolean closed;

  private Controller(ControllerConfig config) {
    this.config = config;
    PrivateFiles.StateDir state = PrivateFiles.openStateDir(config.stateDir());
    if (state.repaired()) {
      log.warn("state directory {} was {}; set to rwx------ (herd's state is for its own user only)",
          state.dir(), state.repairedFrom());
    }
    this.store = Store.openForController(config.stateDir());
    this.frontDoor = config.haproxy()
        .map(bin -> new dev.herd.control.frontdoor.FrontDoor(config.project(), config.stateDir().resolve("frontdoor"), bin))
        .orElse(null);
    try {
      // A damaged page would otherwise surface later as endless SQLITE_CORRUPT failures of node starts.
      store.checkIntegrity();
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    this.loop = new ReconcileLoop(this::reconcile, config.scheduler(), this::reconcileFailed);
    HealthMonitor monitor = new HealthMonitor(config.prober(), config.scheduler(), config.clock(), loop::enqueue);
    this.ports = new PortAllocator(config.ports(), config.portCheck(), store.leases());
    this.logs = new LogCollector(config.engine(), store, config.scheduler(), config.clock(), config.project());
    this.traffic = frontDoor == null ? null : new FrontDoorTraffic(frontDoor, config.scheduler(), config.clock(), logs);
    this.driftStore = DriftStore.open(config.stateDir());
    this.deps = new Deps(config.project(), store, config.engine(), config.clock(), monitor, ports, logs, config.images(),
        this::publish, config.resync(), config.stopGrace(),
        new DriftDetector(config.engine(), config.clock(), DIFF_INTERVAL, config.background() ? LISTEN_CHECKS : null, loop::enqueue),
        driftStore, config.engineConcurrency(),
        config.background());
    deps.wake = (fleet, delay) -> {
      if (delay.isZero()) {
        loop.enqueue(fleet);
      } else {
        loop.enqueueAfter(fleet, delay);
      }
    };
    if (frontDoor != null) {
      deps.drainer = this::drainThroughFrontDoor;
      deps.frontDoorFollows = this::syncFrontDoor;
    } else {
      // on an engine that routes traffic (a cluster's Service), leaving nodes are taken out of
      // it before the engine deletes them; elsewhere both do nothing
      deps.drainer = (fleet, nodes) -> syncEngineTraffic();
      deps.frontDoorFollows = this::syncEngineTraffic;
    }
  }

  /** Tests: what the actuator calls to make the front door follow a pass's decision. */
  void frontDoorFollows(Runnable follow) {
    deps.frontDoorFollows = follow;
  }

  /** Tests: a front door of their own for the actuator's drains. */
  void drainer(Drainer drainer) {
    deps.drainer = drainer;
  }

  /** True when {@code stateDir} holds a controller's state (a {@code herd up} ran there). */
  public static boolean hasState(java.nio.file.Path stateDir) {
    return java.nio.file.Files.isRegularFile(stateDir.resolve(Store.FILE_NAME));
  }

  /** Opens the state (creating or migrating herd.db); call {@link #start()} to begin reconciling. */
  public static Controller open(ControllerConfig config) {
    Controller c = new Controller(config);
    c.deps.nodeConfig = config.nodeConfig();
    return c;
  }

  /** Subscribes to engine events, queues every fleet and the orphan sweep, starts the loop. */
  public synchronized void start() {
    if (started) {
      return;
    }
    started = true;
    subscribe();
    logs.start(store::fleets);
    if (traffic != null) {
      traffic.start(config.background());
    }
    for (FleetRecord f : store.fleets()) {
      loop.enqueue(f.name());
    }
    loop.enqueue(ORPHANS);
    if (config.background()) {
      loop.start();
    }
    config.scheduler().schedule(BACKUP_TICK, this::backupTick);
    log.info("controller for project {} started on {}", config.project(), store.file());
  }

  /** Stops reconciling and releases the state; nodes keep running. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    stopReconciling();
    deps.calls.shutdown();
    awaitRemovals();
    store.close();
    driftStore.close();
  }

  /**
   * Gives removals still running after the last round (they run detached from it) the stop grace
   * to record their result before the state closes; one that takes longer stays REMOVING, and the
   * next start finishes it.
   */
  private void awaitRemovals() {
    if (deps.removing.isEmpty()) {
      return;
    }
    try {
      if (!deps.calls.awaitTermination(config.stopGrace().toMillis() + 5_000, java.util.concurrent.TimeUnit.MILLISECONDS)) {
        log.warn("controller closing with {} node removal(s) unfinished; the next start finishes them", deps.removing.size());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void stopReconciling() {
    closed = true;
    loop.close();
    Subscription s = engineEvents;
    if (s != null) {
      s.close();
    }
    if (traffic != null) {
      traffic.close();
    }
    logs.stop();
    config.scheduler().close();
  }

  /**
   * What {@link #down} did: the containers it removed (engine names, sorted) and what it could not
   * remove (with the engine's reason).
   */
  public record DownResult(List<String> removedNodes, List<String> notRemoved, List<String> keptVolumes,
      List<String> deletedVolumes) {
    public DownResult {
      removedNodes = removedNodes.stream().sorted().toList();
      notRemoved = List.copyOf(notRemoved);
      keptVolumes = List.copyOf(keptVolumes);
      deletedVolumes = List.copyOf(deletedVolumes);
    }

    public DownResult(List<String> removedNodes, List<String> notRemoved) {
      this(removedNodes, notRemoved, List.of(), List.of());
    }

    public int removed() {
      return removedNodes.size();
    }

    /** "removed 3 nodes", with what could not be removed. */
    public String removals() {
      String s = "removed " + removed() + " node" + (removed() == 1 ? "" : "s");
      if (!deletedVolumes.isEmpty()) {
        s += "; deleted volume" + (deletedVolumes.size() == 1 ? " " : "s ") + String.join(", ", deletedVolumes);
      }
      if (!keptVolumes.isEmpty()) {
        s += "; kept volume" + (keptVolumes.size() == 1 ? " " : "s ") + String.join(", ", keptVolumes)
            + " (herd down --delete-volumes removes them)";
      }
      return notRemoved.isEmpty() ? s : s + "; could not remove: " + String.join("; ", notRemoved);
    }

    public String summary() {
      return "controller stopped; " + removals();
    }
  }

  /**
   * What {@code herd down} does: stops reconciling, removes every node of the project from the
   * engine and records each removal as made by herd (so the next start begins fresh, without
   * reporting the nodes as vanished), then closes. Always finishes: gives up on the engine after
   * {@code bound} and never throws; nodes it could not remove keep their records and are adopted
   * by the next start.
   */
  public DownResult down(Duration bound) {
    return down(bound, false);
  }

  /** {@link #down(Duration)}, then deletes the project's volumes when asked, else says which stay. */
  public DownResult down(Duration bound, boolean deleteVolumes) {
    synchronized (this) {
      if (closed) {
        return new DownResult(List.of(), List.of("the controller was already stopped"));
      }
      stopReconciling();
    }
    if (frontDoor != null) {
      synchronized (frontDoor) {
        try {
          if (frontDoor.stop()) {
            log.info("front door: stopped");
          }
        } catch (java.io.IOException e) {
          log.warn("front door: could not stop haproxy: {}", e.getMessage());
        }
      }
    }
    List<String> notRemoved = new java.util.concurrent.CopyOnWriteArrayList<>();
    Set<String> removed = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Set<String> onEngine = java.util.concurrent.ConcurrentHashMap.newKeySet();
    java.util.concurrent.atomic.AtomicBoolean listed = new java.util.concurrent.atomic.AtomicBoolean();
    Thread remover = Thread.ofVirtual().name("herd-down").start(() -> {
      try {
        List<NodeInfo> nodes = config.engine().listNodes(config.project());
        nodes.forEach(n -> onEngine.add(n.name()));
        listed.set(true);
        // in parallel: a big fleet is removed within the bound as fast as one node
        List<Thread> removals = new ArrayList<>();
        for (NodeInfo n : nodes) {
          removals.add(Thread.ofVirtual().name("herd-down-" + n.name()).start(() -> {
            try {
              if (config.engine().removeNode(n.ref())) {
                removed.add(n.name());
              } else {
                onEngine.remove(n.name());
              }
              deps.nodeConfig.removedOrWarn(n.fleet(), n.name()); // its /etc/herd directory and node token go with it
            } catch (RuntimeException e) {
              notRemoved.add(n.name() + " (" + e.getMessage() + ")");
            }
          }));
        }
        for (Thread t : removals) {
          t.join();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        notRemoved.add("the nodes on the engine (cannot list them: " + e.getMessage() + ")");
      }
    });
    List<String> failures = new ArrayList<>();
    Set<String> gone = new java.util.HashSet<>();
    boolean finished;
    try {
      finished = remover.join(bound);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      finished = false;
    }
    // a snapshot: what the remover does after the bound is not reported as done
    failures.addAll(notRemoved);
    gone.addAll(removed);
    if (!finished) {
      remover.interrupt();
      failures.add("the rest: the engine did not finish within "
          + (bound.toMillis() % 1000 == 0 ? bound.toSeconds() + "s" : bound.toMillis() + "ms"));
    } else if (listed.get()) {
      store.allNodes().stream().map(NodeRecord::engineName).filter(n -> !onEngine.contains(n)).forEach(gone::add);
    }
    try {
      Batch b = new Batch();
      for (NodeRecord r : store.allNodes()) {
        if (gone.contains(r.engineName())) {
          b.delete(r).event(now(), r.fleet(), r.slot(), EventKind.NODE_REMOVED, r.label() + " removed by herd down");
        }
      }
      publish(store.commit(b));
    } catch (RuntimeException e) {
      failures.add("the record of the removals (" + e.getMessage() + ")");
    } finally {
      store.close();
      driftStore.close();
    }
    List<String> kept = new ArrayList<>();
    List<String> deleted = new ArrayList<>();
    if (finished) {
      try {
        for (dev.herd.engine.VolumeInfo v : config.engine().listVolumes(config.project())) {
          if (!deleteVolumes) {
            kept.add(v.name());
            continue;
          }
          try {
            if (config.engine().removeVolume(config.project(), v.name())) {
              deleted.add(v.name());
            }
          } catch (RuntimeException e) {
            failures.add("volume " + v.name() + " (" + e.getMessage() + ")");
          }
        }
      } catch (RuntimeException e) {
        failures.add("the volumes (cannot list them: " + e.getMessage() + ")");
      }
    }
    DownResult result = new DownResult(removed.stream().filter(gone::contains).map(n -> new dev.herd.engine.NodeRef(config.project(), n).containerName()).toList(),
        failures, kept, deleted);
    log.info("{} of project {}", result.summary(), config.project());
    return result;
  }

  // ---- desired state -----------------------------------------------------------------------

  /** Makes the desired state the target: new releases, settings, fleets added and removed. */
  public ApplyResult apply(DesiredState desired) {
    return change(desired, true);
  }

  /** What {@link #apply} would change, changing nothing. */
  public ApplyResult plan(DesiredState desired) {
    return change(desired, false);
  }

  private ApplyResult change(DesiredState desired, boolean write) {
    if (!desired.project().equals(config.project())) {
      throw new IllegalArgumentException("the desired state is for project " + desired.project()
          + " but this controller runs project " + config.project());
    }
    for (FleetDesired fd : desired.fleets().values()) {
      fd.release().runtime().health().ifPresent(h -> {
        if (!config.prober().supports(h.check())) {
          throw new IllegalArgumentException("fleet " + fd.name() + ": role " + fd.settings().role()
              + " uses a " + h.check().getClass().getSimpleName().toLowerCase()
              + " health check, which this controller cannot run yet; use http or tcp");
        }
      });
    }
    if (write) {
      ports.range(desired.ports());
    }
    Set<String> names = new TreeSet<>(desired.fleets().keySet());
    store.fleets().forEach(f -> names.add(f.name()));
    List<FleetChange> changes = new ArrayList<>();
    for (String name : names) {
      FleetChange c = withLock(name, () -> changeFleet(name, desired.fleets().get(name), write));
      if (c != null) {
        changes.add(c);
      }
    }
    return new ApplyResult(changes);
  }

  private FleetChange changeFleet(String name, FleetDesired fd, boolean write) {
    Instant now = config.clock().instant();
    Optional<FleetRecord> existing = store.fleet(name);
    Batch b = new Batch();
    FleetChange change;
    if (fd == null) {
      FleetRecord cur = existing.orElseThrow();
      if (cur.deleted()) {
        return null;
      }
      int nodes = (int) store.nodes(name).stream().filter(n -> n.phase().live()).count();
      b.fleet(cur.withDeleted(true)).event(now, name, "", EventKind.FLEET_REMOVED,
          "fleet " + name + " left the desired state: removing its " + nodes + " node" + (nodes == 1 ? "" : "s"));
      change = new FleetChange(name, FleetChange.Kind.DELETED, cur.currentRelease(), cur.currentRelease(),
          List.of("remove " + nodes + " node" + (nodes == 1 ? "" : "s")));
    } else if (existing.isEmpty()) {
      Release r = mint(name, fd.release(), now);
      b.release(r).fleet(new FleetRecord(fd.settings(), OptionalInt.empty(), r.id(), Optional.empty(), false))
          .event(now, name, "", EventKind.FLEET_CREATED, "fleet " + name + " created: " + fd.settings().count()
              + " node" + (fd.settings().count() == 1 ? "" : "s") + " of role " + fd.settings().role() + " on " + r.id()
              + " (image " + fd.release().shortImage() + ")");
      change = new FleetChange(name, FleetChange.Kind.CREATED, r.id(), "",
          List.of("create " + fd.settings().count() + " nodes on " + r.id() + " (image " + fd.release().shortImage() + ")"
              + (fd.settings().dependsOn().isEmpty() ? "" : " once " + String.join(", ", fd.settings().dependsOn())
              + (fd.settings().dependsOn().size() == 1 ? " is" : " are") + " healthy")));
    } else {
      FleetRecord cur = existing.get();
      Release current = store.release(cur.currentRelease()).orElseThrow(
          () -> new IllegalStateException("fleet " + name + "'s current release " + cur.currentRelease() + " is missing"));
      List<String> details = new ArrayList<>(Changes.settings(cur, fd.settings()));
      FleetRecord next = cur.withSettings(fd.settings()).withScale(OptionalInt.empty()).withDeleted(false);
      if (!current.spec().fingerprint().equals(fd.release().fingerprint())) {
        Release r = mint(name, fd.release(), now);
        List<String> what = Changes.release(current.spec(), fd.release());
        details.addAll(0, what);
        rollOut(b, next, r, "new release " + r.id() + ": " + String.join(", ", what), now);
        change = new FleetChange(name, FleetChange.Kind.RELEASED, r.id(), cur.currentRelease(), details);
      } else if (!details.isEmpty()) {
        b.fleet(next).event(now, name, "", EventKind.FLEET_UPDATED, "fleet " + name + " updated: "
            + String.join(", ", details));
        change = new FleetChange(name, FleetChange.Kind.UPDATED, cur.currentRelease(), cur.currentRelease(), details);
      } else {
        change = new FleetChange(name, FleetChange.Kind.UNCHANGED, cur.currentRelease(), cur.currentRelease(), List.of());
      }
    }
    if (write) {
      if (change.kind() != FleetChange.Kind.UNCHANGED) {
        deps.startFailures.remove(name); // a changed fleet is tried at once, not after the start backoff
        deps.crashLoops.remove(name); // nor after a crash loop's backoff: the change may be its fix
      }
      publish(store.commit(b));
      loop.enqueue(name);
    }
    return change;
  }

  /**
   * The one place a release is made: the fleet's next version of {@code spec} (see
   * {@link #nextVersion}: a number is never reused).
   */
  private Release mint(String fleet, ReleaseSpec spec, Instant now) {
    int version = nextVersion(fleet);
    return new Release(Release.idOf(fleet, version), fleet, version, spec, now);
  }

  /**
   * Adds to {@code b}: the release, the fleet now on it, and a rollout to it from the last good
   * release with the fleet's strategy, with its events ({@code summary} says what changed).
   */
  private static void rollOut(Batch b, FleetRecord fleet, Release r, String summary, Instant now) {
    String from = fleet.lastGoodRelease().orElse(fleet.currentRelease());
    Fleet.Rollout ro = fleet.settings().rollout();
    b.release(r).fleet(fleet.withCurrent(r.id()))
        .rollout(new Rollout(fleet.name(), from, r.id(), ro.strategy(), Rollout.State.RUNNING, now, now, null, false, null,
            false, summary))
        .event(now, fleet.name(), "", EventKind.RELEASE_CREATED, summary)
        .event(now, fleet.name(), "", EventKind.ROLLOUT_STARTED, ro.strategy().keyword().replace('_', '-') + " rollout "
            + from + " → " + r.id() + " started (max_surge " + ro.maxSurge() + ", max_unavailable " + ro.maxUnavailable() + ")");
  }

  /**
   * The next release number of a fleet: above every release herd.db records and every release a
   * node on the engine still carries. After herd.db is restored from an older copy the engine
   * remembers releases the copy never saw; reusing one of their numbers would make those nodes
   * look like drifted nodes of the new release (and be replaced all at once).
   */
  private int nextVersion(String fleet) {
    int recorded = store.releases(fleet).stream().mapToInt(Release::version).max().orElse(0);
    int onEngine = 0;
    try {
      for (NodeInfo n : config.engine().listNodes(config.project())) {
        if (n.fleet().equals(fleet)) {
          onEngine = Math.max(onEngine, Release.versionOf(fleet, n.releaseId()));
        }
      }
    } catch (EngineException e) {
      log.debug("fleet {}: engine not listed for the next release number: {}", fleet, e.getMessage());
    }
    for (NodeRecord r : store.nodes(fleet)) {
      onEngine = Math.max(onEngine, Release.versionOf(fleet, r.releaseId()));
    }
    return Math.max(recorded, onEngine) + 1;
  }

  /**
   * A new release of the fleet: its current release with {@code change} applied (a new config
   * revision and env, new secret revisions), rolled out with the fleet's strategy like a new image
   * and rolled back like one. {@code cause} says why, for the events ("config prod/web revision
   * 4"). Returns the new release's id, or empty when the change makes no difference (or the fleet
   * is being deleted).
   */
  public Optional<String> rerelease(String fleet, java.util.function.UnaryOperator<ReleaseSpec> change, String cause) {
    return withLock(fleet, () -> {
      FleetRecord cur = require(fleet);
      if (cur.deleted()) {
        return Optional.<String>empty();
      }
      Release current = store.release(cur.currentRelease()).orElseThrow(
          () -> new IllegalStateException("fleet " + fleet + "'s current release " + cur.currentRelease() + " is missing"));
      ReleaseSpec next = change.apply(current.spec());
      if (next.fingerprint().equals(current.spec().fingerprint())) {
        return Optional.<String>empty();
      }
      Instant now = now();
      Release r = mint(fleet, next, now);
      Batch b = new Batch();
      rollOut(b, cur, r, "new release " + r.id() + " (" + cause + "): " + String.join(", ", Changes.release(current.spec(), next)),
          now);
      commit(b, fleet);
      return Optional.of(r.id());
    });
  }

  /** A scheduled rebake's step (checked, skipped and why, baked with which updates) as a {@code rebake} event of the fleet. */
  public void rebakeEvent(String fleet, String reason) {
    note(fleet, EventKind.REBAKE, reason);
  }

  /** Records an event of a fleet that is not a change of its own records (an image revoked elsewhere). */
  void note(String fleet, EventKind kind, String reason) {
    withLock(fleet, () -> {
      require(fleet);
      commit(new Batch().event(now(), fleet, "", kind, reason), fleet);
      return null;
    });
  }

  // ---- backups -----------------------------------------------------------------------------

  private volatile BackupStore backupStore;

  private BackupStore backupStore() {
    BackupStore b = backupStore;
    if (b == null) {
      b = new BackupStore(config.stateDir(), config.engine(), config.clock());
      backupStore = b;
    }
    return b;
  }

  /**
   * Takes a backup of one node of the fleet ({@code slot}, or its first healthy node): the
   * backup command's stdout or a tar of each volume, stored under .herd/backups/FLEET/ with its
   * sha256; then keeps the newest {@code backup.keep}. A failure is a BACKUP_FAILED event and a
   * {@link BackupStore.BackupRefused}, never a silent gap.
   */
  public BackupStore.BackupInfo backup(String fleet, Optional<String> slot) {
    FleetRecord f = require(fleet);
    FleetSettings st = f.settings();
    NodeStatus node = status(fleet).nodes().stream()
        .filter(n -> slot.map(n.name()::equals).orElse(true))
        .filter(n -> n.phase() == NodeStatus.Phase.HEALTHY)
        .findFirst().orElseThrow(() -> failedBackup(fleet, slot.orElse(""), slot.isPresent()
            ? "no healthy node " + slot.get() + " in fleet " + fleet : "fleet " + fleet + " has no healthy node to back up"));
    if (st.volumes().isEmpty() && st.backup().map(b -> b.command().isEmpty()).orElse(true)) {
      throw failedBackup(fleet, node.name(), "fleet " + fleet + " has no volumes and no backup.command: nothing to back up");
    }
    NodeRef ref = new NodeRef(config.project(), node.engineName());
    BackupStore.BackupInfo info;
    try (AutoCloseable own = deps.drift.ownAction(ref)) {
      info = backupStore().take(fleet, node.name(), ref, st.volumes(), st.backup());
    } catch (BackupStore.BackupRefused e) {
      throw failedBackup(fleet, node.name(), e.getMessage());
    } catch (Exception e) {
      throw failedBackup(fleet, node.name(), "backup of " + node.name() + " failed: " + e.getMessage());
    }
    List<String> pruned = backupStore().prune(fleet, st.backup().map(Fleet.Backup::keep).orElse(7));
    commit(new Batch().event(now(), fleet, node.name(), EventKind.BACKUP_TAKEN, "backup " + info.id() + " of " + node.name()
        + " taken (" + info.bytes() + " bytes in " + info.took().toMillis() + " ms)"
        + (pruned.isEmpty() ? "" : "; deleted " + String.join(", ", pruned) + " (keep " + st.backup().map(Fleet.Backup::keep).orElse(7) + ")")),
        fleet);
    return info;
  }

  private BackupStore.BackupRefused failedBackup(String fleet, String node, String why) {
    publish(store.commit(new Batch().event(now(), fleet, node, EventKind.BACKUP_FAILED, why)));
    return new BackupStore.BackupRefused(why);
  }

  /** How often the controller looks for fleets whose scheduled backup is due. */
  static final Duration BACKUP_TICK = Duration.ofSeconds(30);
  /** A scheduled backup that failed is tried again after this (or after every, if shorter). */
  static final Duration BACKUP_RETRY = Duration.ofMinutes(10);
  private final Map<String, Instant> backupAttempts = new ConcurrentHashMap<>();
  private final Set<String> backupsRunning = ConcurrentHashMap.newKeySet();

  /**
   * When a fleet's next scheduled backup is due: {@code every} after the newest stored one (now,
   * without one), and not before a failed attempt's retry time. Empty without {@code every}.
   */
  static Optional<Instant> backupDue(Optional<Duration> every, Optional<Instant> newest, Optional<Instant> lastAttempt) {
    if (every.isEmpty()) {
      return Optional.empty();
    }
    Instant due = newest.map(n -> n.plus(every.get())).orElse(Instant.MIN);
    if (lastAttempt.isPresent()) {
      Duration retry = every.get().compareTo(BACKUP_RETRY) < 0 ? every.get() : BACKUP_RETRY;
      Instant again = lastAttempt.get().plus(retry);
      due = again.isAfter(due) ? again : due;
    }
    return Optional.of(due);
  }

  /** Takes the backups that are due (backup.every), each on its own thread; reschedules itself. */
  private void backupTick() {
    if (closed) {
      return;
    }
    try {
      for (FleetRecord f : store.fleets()) {
        Optional<Duration> every = f.settings().backup().flatMap(Fleet.Backup::every);
        if (f.deleted() || every.isEmpty() || backupsRunning.contains(f.name())) {
          continue;
        }
        Optional<Instant> newest = backupStore().list(Optional.of(f.name())).stream().findFirst().map(BackupStore.BackupInfo::created);
        Instant due = backupDue(every, newest, Optional.ofNullable(backupAttempts.get(f.name()))).orElseThrow();
        if (now().isBefore(due)) {
          continue;
        }
        backupsRunning.add(f.name());
        Runnable take = () -> {
          try {
            backupAttempts.remove(f.name());
            backup(f.name(), Optional.empty());
          } catch (RuntimeException e) {
            // the failure is a BACKUP_FAILED event already (backup says so); try again later, not every tick
            backupAttempts.put(f.name(), now());
            log.warn("fleet {}: scheduled backup failed: {}", f.name(), e.getMessage());
          } finally {
            backupsRunning.remove(f.name());
          }
        };
        if (config.background()) {
          Thread.ofVirtual().name("herd-backup-" + f.name()).start(take);
        } else {
          take.run();
        }
      }
    } catch (RuntimeException e) {
      log.warn("scheduled backups: {}", e.getMessage());
    } finally {
      if (!closed) {
        config.scheduler().schedule(BACKUP_TICK, this::backupTick);
      }
    }
  }

  /** The stored backups of a fleet (every fleet when empty), newest first. */
  public List<BackupStore.BackupInfo> backups(Optional<String> fleet) {
    fleet.ifPresent(this::require);
    return backupStore().list(fleet);
  }

  /**
   * Restores a volume backup into a node of the fleet ({@code slot}, or the node it was taken
   * of): checks every file against its sha256 first (a mismatch changes nothing), then removes
   * the node's container and lets the next round start it on fresh volumes filled from the
   * archive. Returns the slot; {@code herd restore} waits for it to be healthy.
   */
  public String restore(String fleet, String backupId, Optional<String> slot) {
    FleetRecord f = require(fleet);
    BackupStore.BackupInfo b = backupStore().find(fleet, backupId);
    String target = slot.orElse(b.node());
    Map<String, java.nio.file.Path> files = backupStore().verified(b);
    if (b.kind().equals("command")) {
      return restoreByCommand(f, b, target, files);
    }
    Map<String, java.nio.file.Path> seeds = new java.util.TreeMap<>();
    for (Fleet.Volume v : f.settings().volumes()) {
      java.nio.file.Path p = files.get(v.name() + ".tar");
      if (p == null) {
        throw new BackupStore.BackupRefused("backup " + backupId + " has no archive of volume " + v.name()
            + " (it holds " + String.join(", ", files.keySet()) + "); nothing was changed");
      }
      seeds.put(v.name(), p);
    }
    if (seeds.isEmpty()) {
      throw new BackupStore.BackupRefused("fleet " + fleet + " has no volumes to restore into; nothing was changed");
    }
    return withLock(fleet, () -> {
      List<NodeRecord> rows = store.nodes(fleet).stream().filter(r -> r.slot().equals(target) && r.phase().live()).toList();
      if (rows.isEmpty()) {
        throw new NoSuchElementException("no node " + target + " in fleet " + fleet);
      }
      deps.restores.put(fleet + "/" + target, Map.copyOf(seeds));
      Batch batch = new Batch();
      for (NodeRecord r : rows) {
        batch.put(r.withPhase(NodePhase.REMOVING, "restoring backup " + backupId));
      }
      store.commit(batch);
      for (NodeRecord r : rows) {
        deps.monitor.forget(r.engineName());
        config.engine().removeNode(new NodeRef(config.project(), r.engineName()));
      }
      commit(new Batch().event(now(), fleet, target, EventKind.BACKUP_RESTORED, target + " stopped and removed to restore backup "
          + backupId + " (" + String.join(", ", seeds.keySet()) + "); its next generation starts on the restored volumes"), fleet);
      return target;
    });
  }

  /** The shell herd runs backup.restore through, to give it the archive as stdin (the engine's exec has none). */
  static final String SHELL = "/bin/sh";

  /**
   * The exec that feeds backup.restore its archive: the shell opens the file as stdin, removes its
   * name (the data lives on only in the open descriptor), then becomes the restore command.
   * Exit 125: the file could not be opened or removed, and the restore did not run.
   */
  static List<String> restoreExec(String file, List<String> restore) {
    List<String> argv = new ArrayList<>(List.of(SHELL, "-c",
        "f=$1; shift; exec <\"$f\" || exit 125; rm -f \"$f\" || exit 125; exec \"$@\"", "herd-restore", file));
    argv.addAll(restore);
    return List.copyOf(argv);
  }

  /**
   * Restores a backup.command archive into the running node: copies the verified archive into a
   * 0600 file in the node's /tmp (owned by the node's user), then runs backup.restore with it as
   * stdin. The node keeps serving throughout; the outcome is a BACKUP_RESTORED or BACKUP_FAILED event.
   */
  private String restoreByCommand(FleetRecord f, BackupStore.BackupInfo b, String target, Map<String, java.nio.file.Path> files) {
    String fleet = f.name();
    List<String> restore = f.settings().backup().map(Fleet.Backup::restore).orElse(List.of());
    if (restore.isEmpty()) {
      throw new BackupStore.BackupRefused("backup " + b.id() + " is a backup.command archive and fleet " + fleet
          + " declares no backup.restore to feed it to; nothing was changed");
    }
    java.nio.file.Path archive = files.get(BackupStore.COMMAND_ARCHIVE);
    if (archive == null) {
      throw new BackupStore.BackupRefused("backup " + b.id() + " has no " + BackupStore.COMMAND_ARCHIVE
          + " (it holds " + String.join(", ", files.keySet()) + "); nothing was changed");
    }
    NodeRecord row = store.nodes(fleet).stream().filter(r -> r.slot().equals(target) && r.phase() == NodePhase.HEALTHY)
        .findFirst().orElseThrow(() -> new BackupStore.BackupRefused("no healthy node " + target + " in fleet " + fleet
            + " to restore backup " + b.id() + " into; nothing was changed"));
    NodeRef ref = new NodeRef(config.project(), row.engineName());
    Optional<String> digest = store.release(row.releaseId()).map(r -> r.spec().imageDigest());
    dev.herd.engine.NodeSpec.RunAs owner = deps.images == null || digest.isEmpty()
        ? dev.herd.engine.NodeSpec.RunAs.ROOT : deps.users.computeIfAbsent(digest.get(), deps.images::user);
    String file = "/tmp/herd-restore-" + java.util.UUID.randomUUID();
    Instant started = now();
    try (AutoCloseable own = deps.drift.ownAction(ref)) {
      String noShell;
      try {
        dev.herd.engine.ExecResult shell = config.engine().exec(ref, List.of(SHELL, "-c", "exit 0"), java.io.OutputStream.nullOutputStream());
        noShell = shell.ok() ? null : "exit " + shell.exitCode();
      } catch (dev.herd.engine.EngineFailure e) {
        noShell = e.getMessage();
      }
      if (noShell != null) {
        throw new BackupStore.BackupRefused("cannot run " + SHELL + " in " + target + " (" + noShell + "): herd needs the image's "
            + SHELL + " to give backup.restore the archive as stdin; nothing was changed");
      }
      config.engine().copyFileIn(ref, file, archive, owner);
      dev.herd.engine.ExecResult r;
      try {
        r = config.engine().exec(ref, restoreExec(file, restore), java.io.OutputStream.nullOutputStream());
      } catch (RuntimeException e) {
        removeQuietly(ref, file);
        throw e;
      }
      if (r.exitCode() == 125) {
        removeQuietly(ref, file);
      }
      if (!r.ok()) {
        throw failedBackup(fleet, target, "restore of backup " + b.id() + " into " + target + " failed: "
            + String.join(" ", restore) + " exited with " + r.exitCode() + (r.stderr().isBlank() ? "" : ": " + r.stderr().strip()));
      }
    } catch (BackupStore.BackupRefused e) {
      throw e;
    } catch (Exception e) {
      throw failedBackup(fleet, target, "restore of backup " + b.id() + " into " + target + " failed: " + e.getMessage());
    }
    long ms = Duration.between(started, now()).toMillis();
    log.info("fleet {}: backup {} restored into {} by backup.restore ({} bytes)", fleet, b.id(), target, b.bytes());
    commit(new Batch().event(now(), fleet, target, EventKind.BACKUP_RESTORED, "backup " + b.id() + " restored into " + target
        + " by backup.restore (" + b.bytes() + " bytes in " + ms + " ms); the node kept running"), fleet);
    return target;
  }

  /** Removes a file herd copied into a node when its restore did not get to remove it; best effort. */
  private void removeQuietly(NodeRef ref, String file) {
    try {
      config.engine().exec(ref, List.of(SHELL, "-c", "rm -f \"$1\"", "herd-restore", file), java.io.OutputStream.nullOutputStream());
    } catch (RuntimeException e) {
      log.warn("{}: could not remove {} after a failed restore: {}", ref.containerName(), file, e.getMessage());
    }
  }

  // ---- operator actions --------------------------------------------------------------------

  /** Sets the fleet's count until the next apply; scaling down removes the highest names first (their volumes stay). */
  public void scale(String fleet, int count) {
    scale(fleet, count, false);
  }

  /**
   * {@link #scale(String, int)}; returns the volumes of the nodes scaled away: deleted once each
   * node is gone when {@code deleteVolumes}, else kept for a later scale up (the node finds its data).
   */
  public List<String> scale(String fleet, int count, boolean deleteVolumes) {
    scaleCount(fleet, count);
    FleetRecord f = require(fleet);
    List<String> volumes = new ArrayList<>();
    for (NodeRecord r : store.nodes(fleet)) {
      if (r.slotIndex() > count) {
        if (deleteVolumes) {
          deps.volumesToDelete.add(fleet + "/" + r.slot());
        }
        for (Fleet.Volume v : f.settings().volumes()) {
          String name = dev.herd.engine.VolumeInfo.engineName(config.project(), fleet, r.slot(), v.name());
          if (!volumes.contains(name)) {
            volumes.add(name);
          }
        }
      }
    }
    return volumes;
  }

  private void scaleCount(String fleet, int count) {
    if (count < 0 || count > Fleet.MAX_COUNT) {
      throw new IllegalArgumentException("count must be between 0 and " + Fleet.MAX_COUNT + ", got " + count);
    }
    withLock(fleet, () -> {
      FleetRecord f = require(fleet);
      if (f.deleted()) {
        throw new IllegalStateException("fleet " + fleet + " is being deleted");
      }
      commit(new Batch().fleet(f.withScale(OptionalInt.of(count))).event(now(), fleet, "", EventKind.SCALED,
          "fleet " + fleet + " scaled from " + f.count() + " to " + count + " (until the next apply)"), fleet);
      return null;
    });
  }

  /**
   * The autoscaler's change: like {@link #scale} (the fleet's rollout and availability rules
   * hold), only while the count in force is still {@code from} (an operator's scale in between
   * wins), with the decision's reason in the event: {@code web scaled 3 → 5: cpu 84% > target 60% for 30s}.
   * Returns whether it scaled.
   */
  public boolean autoscale(String fleet, int from, int to, String why) {
    if (to < 0 || to > Fleet.MAX_COUNT) {
      throw new IllegalArgumentException("count must be between 0 and " + Fleet.MAX_COUNT + ", got " + to);
    }
    return withLock(fleet, () -> {
      FleetRecord f = require(fleet);
      if (f.deleted() || f.count() != from || from == to) {
        return false;
      }
      commit(new Batch().fleet(f.withScale(OptionalInt.of(to))).event(now(), fleet, "", EventKind.SCALED,
          fleet + " scaled " + from + " → " + to + ": " + why), fleet);
      return true;
    });
  }

  /**
   * Rolls the fleet back to its last good release (or, when it already runs that, to the release
   * before it) through a rolling update. Returns the release rolled back to.
   */
  public String rollback(String fleet) {
    return withLock(fleet, () -> {
      FleetRecord f = require(fleet);
      String current = f.currentRelease();
      String target = f.lastGoodRelease().filter(g -> !g.equals(current)).orElseGet(() -> {
        int version = store.release(current).map(Release::version).orElse(0);
        return store.releases(fleet).stream().filter(r -> r.version() < version).map(Release::id).findFirst()
            .orElseThrow(() -> new IllegalStateException("fleet " + fleet + " has no release before " + current + " to roll back to"));
      });
      String why = "rollback of " + fleet + " requested: " + current + " → " + target;
      commit(new Batch().fleet(f.withCurrent(target))
          .rollout(new Rollout(fleet, current, target, Fleet.Strategy.ROLLING, Rollout.State.RUNNING, now(), now(), null,
              false, null, true, why))
          .event(now(), fleet, "", EventKind.ROLLBACK, why), fleet);
      return target;
    });
  }

  /** Holds a rollout: no more nodes are replaced for it (failed nodes still are). */
  public void pause(String fleet) {
    withLock(fleet, () -> {
      Rollout r = rolloutOf(fleet);
      if (r.state() != Rollout.State.RUNNING) {
        throw new IllegalStateException("fleet " + fleet + "'s rollout is " + r.state().name().toLowerCase() + ", not running");
      }
      commit(new Batch().rollout(r.withState(Rollout.State.PAUSED, "paused by operator"))
          .event(now(), fleet, "", EventKind.ROLLOUT_PAUSED, "rollout of " + r.toRelease() + " paused by operator"), fleet);
      return null;
    });
  }

  /** Continues a paused or failed (held) rollout; its progress deadline starts again. */
  public void resume(String fleet) {
    withLock(fleet, () -> {
      Rollout r = rolloutOf(fleet);
      if (r.state() == Rollout.State.RUNNING) {
        throw new IllegalStateException("fleet " + fleet + "'s rollout is already running");
      }
      commit(new Batch().rollout(r.withState(Rollout.State.RUNNING, "resumed by operator").withProgress(now()))
          .event(now(), fleet, "", EventKind.ROLLOUT_RESUMED, "rollout of " + r.toRelease() + " resumed by operator"), fleet);
      return null;
    });
  }

  /** Stops a rollout and returns the fleet to its last good release. */
  public void abort(String fleet) {
    withLock(fleet, () -> {
      FleetRecord f = require(fleet);
      Rollout r = rolloutOf(fleet);
      if (r.rollback()) {
        throw new IllegalStateException("fleet " + fleet + " is rolling back to " + r.toRelease()
            + "; a rollback cannot be aborted (apply a new release instead)");
      }
      String target = f.lastGoodRelease().filter(g -> !g.equals(r.toRelease())).orElse(r.fromRelease());
      if (target.equals(r.toRelease())) {
        throw new IllegalStateException("fleet " + fleet + " has no earlier release to return to");
      }
      String why = "rollout of " + r.toRelease() + " aborted by operator; rolling back to " + target;
      commit(new Batch().fleet(f.withCurrent(target))
          .rollout(new Rollout(fleet, r.toRelease(), target, Fleet.Strategy.ROLLING, Rollout.State.RUNNING, now(), now(),
              null, false, null, true, why))
          .event(now(), fleet, "", EventKind.ROLLBACK, why), fleet);
      return null;
    });
  }

  /** Canary: moves the rest of the fleet to the new release now, without waiting for promote_after. */
  public void promote(String fleet) {
    withLock(fleet, () -> {
      Rollout r = rolloutOf(fleet);
      if (r.strategy() != Fleet.Strategy.CANARY || r.rollback()) {
        throw new IllegalStateException("fleet " + fleet + "'s " + (r.rollback() ? "rollback" : r.strategy().keyword() + " rollout")
            + " has nothing to promote (only canary rollouts do)");
      }
      if (r.promoted()) {
        throw new IllegalStateException("fleet " + fleet + "'s canary of " + r.toRelease() + " is already promoted");
      }
      commit(new Batch().rollout(r.promote().withProgress(now()))
          .event(now(), fleet, "", EventKind.ROLLOUT_PROMOTED, "canary of " + r.toRelease() + " promoted by operator"), fleet);
      return null;
    });
  }

  // ---- reading -----------------------------------------------------------------------------

  public List<FleetStatus> status() {
    return store.fleets().stream().map(f -> status(f, store.rollout(f.name()), store.nodes(f.name()))).toList();
  }

  /**
   * What the fleet's front door measured (requests per second, responses by class, p50/p99 of the
   * last minute); empty when the fleet is not exposed or nothing was measured yet.
   */
  public Optional<FleetTraffic> traffic(String fleet) {
    return traffic == null ? Optional.empty() : traffic.traffic(fleet);
  }

  public FleetStatus status(String fleet) {
    FleetRecord f = require(fleet);
    return status(f, store.rollout(fleet), store.nodes(fleet));
  }

  private FleetStatus status(FleetRecord f, Optional<Rollout> rollout, List<NodeRecord> nodes) {
    List<NodeStatus> out = new ArrayList<>(nodes.size());
    Map<String, Integer> serving = Traffic.weights(f, rollout, nodes);
    // Behind this controller's front door a node is in service once HAProxy has it, not when
    // the pass decided it: whoever waits for "in service" may send requests at once.
    Set<String> door = frontDoor != null && f.settings().expose().isPresent() ? frontDoor.serving(f.name()) : null;
    for (NodeRecord n : nodes) {
      boolean in = serving.containsKey(n.engineName())
          && (door == null || door.contains(dev.herd.control.frontdoor.Server.nameOf(n.engineName(), n.port())));
      out.add(new NodeStatus(n.slot(), n.engineName(), n.generation(), n.releaseId(), n.port(), NodeStatus.Phase.of(n.phase()),
          in, n.containerId(), n.createdAt(), n.startedAt(), n.healthySince(), n.reason(),
          n.until()));
    }
    return new FleetStatus(f.name(), f.settings().role(), f.count(), f.settings().count(), f.scaleOverride(),
        f.currentRelease(), f.lastGoodRelease(), rollout.map(RolloutStatus::of), f.deleted(), out,
        f.settings().expose().map(e -> (e.protocol() == Fleet.Protocol.HTTP ? "http://" : "tcp://") + e.address()));
  }

  /** A fleet's releases, newest first. */
  public List<ReleaseInfo> releases(String fleet) {
    require(fleet);
    return store.releases(fleet).stream().map(ReleaseInfo::of).toList();
  }

  /**
   * How immutable a fleet is right now: share of nodes on the current release, median node age
   * against max_age, drift findings of the last 24 h, writable paths, and a short rating.
   */
  public ImmutabilityScore immutability(String fleet) {
    return immutability(fleet, Optional.empty());
  }

  /**
   * The score with the fleet's image consistency ({@link #consistency}) when a catalog is at
   * hand: the oldest image in service, versions behind the latest, age of its base.
   */
  public ImmutabilityScore immutability(String fleet, Optional<dev.herd.image.catalog.Catalog> catalog) {
    FleetRecord f = require(fleet);
    Release current = store.release(f.currentRelease()).orElseThrow(
        () -> new IllegalStateException("fleet " + fleet + "'s current release " + f.currentRelease() + " is missing"));
    Instant now = now();
    Optional<ImageConsistency> consistency = catalog.flatMap(c -> consistency(fleet, c));
    return ImmutabilityScore.of(f, current, store.nodes(fleet), driftStore.findings(fleet, now.minus(Duration.ofHours(24))),
        consistency, now);
  }

  /** The images the fleet's live nodes run, against the catalog; empty when none is in it. */
  public Optional<ImageConsistency> consistency(String fleet, dev.herd.image.catalog.Catalog catalog) {
    FleetRecord f = require(fleet);
    List<String> digests = new ArrayList<>();
    for (NodeRecord n : ImmutabilityScore.live(store.nodes(fleet))) {
      store.release(n.releaseId()).ifPresent(r -> digests.add(r.spec().imageDigest()));
    }
    if (digests.isEmpty()) {
      return Optional.empty();
    }
    List<dev.herd.image.catalog.CatalogImage> images = new ArrayList<>(catalog.list(f.settings().role()));
    Optional<ImageConsistency> own = ImageConsistency.of(fleet, digests, images, now());
    if (own.isPresent()) {
      return own;
    }
    // a fleet may run another role's image (image: other:3)
    for (String role : catalog.roles()) {
      if (!role.equals(f.settings().role())) {
        images.addAll(catalog.list(role));
      }
    }
    return ImageConsistency.of(fleet, digests, images, now());
  }

  /** Drift findings from {@code since} (null: all kept), of one fleet or all (null), oldest first. */
  public List<DriftFinding> driftFindings(String fleet, Instant since) {
    return driftStore.findings(fleet, since);
  }

  /** Events after the given id (0: from the start), oldest first, at most {@code limit}. */
  public List<ControllerEvent> events(long afterId, int limit) {
    return store.eventsAfter(afterId, limit).stream().map(ControllerEvent::of).toList();
  }

  /** Events from {@code since}, oldest first, at most {@code limit}. */
  public List<ControllerEvent> events(Instant since, int limit) {
    return store.eventsSince(since, limit).stream().map(ControllerEvent::of).toList();
  }

  /**
   * Observes every reconcile pass (key: a fleet's name, or {@code *orphans} for the project's
   * orphan sweep), with its wall-clock duration and outcome; for metrics.
   */
  public AutoCloseable onPass(ReconcileLoop.PassObserver observer) {
    return loop.observe(observer);
  }

  /** Fleets waiting for a reconcile pass. */
  public int queuedPasses() {
    return loop.queued();
  }

  /** Calls {@code listener} with every new event (on the thread that made it); close to stop. */
  public AutoCloseable onEvent(Consumer<ControllerEvent> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /**
   * Log lines of a fleet, or of one node name (all its generations) when {@code node} is not
   * null, from {@code since} (null: all kept), oldest first, at most {@code limit}.
   */
  public List<NodeLogLine> logs(String fleet, String node, Instant since, int limit) {
    logs.flush();
    return store.logs(fleet, node, since, limit).stream().map(NodeLogLine::of).toList();
  }

  /** For the image catalog's gc: an image is in use while any release a fleet may run pins it. */
  public InUse imagesInUse() {
    Set<String> digests = Set.copyOf(store.imagesInUse());
    return image -> digests.contains(image.digest().toString());
  }

  // ---- simulated time ----------------------------------------------------------------------

  /**
   * Simulated time only: runs due timers (probes, requeues, log flushes) and queued reconciles
   * until nothing is left for the current instant. Returns how many tasks and passes ran.
   */
  public int runPending() {
    if (config.background() || !(config.scheduler() instanceof ManualScheduler manual)) {
      throw new IllegalStateException("runPending() drives a simulated controller (ControllerConfig.Builder#simulated)");
    }
    int total = 0;
    for (int round = 0; round < 10_000; round++) {
      int n = manual.runDue() + loop.drain();
      total += n;
      if (n == 0) {
        return total;
      }
    }
    throw new IllegalStateException("the controller did not settle at " + config.clock().instant());
  }

  /**
   * The engine is back after herd restarted the service it owns: records {@code reason} as an
   * event and reconciles every fleet now instead of waiting out the failure backoff.
   */
  public void engineRestarted(String reason) {
    if (closed) {
      return;
    }
    try {
      publish(store.commit(new Batch().event(now(), "", "", EventKind.ENGINE_RESTARTED, reason)));
    } catch (RuntimeException e) {
      log.warn("could not record the engine restart: {}", e.toString());
    }
    List<String> keys = new ArrayList<>();
    store.fleets().forEach(f -> keys.add(f.name()));
    keys.add(ORPHANS);
    lastFailure.clear();
    loop.retryNow(keys);
  }

  /** Queues a fleet for a reconcile pass (what the server calls when something changed outside). */
  public void touch(String fleet) {
    loop.enqueue(fleet);
  }

  // ---- the loop ----------------------------------------------------------------------------

  private Result reconcile(String key) {
    if (key.equals(ORPHANS)) {
      return sweepOrphans();
    }
    MDC.put("fleet", key);
    try {
      Result r = FleetPass.run(deps, key, locks.computeIfAbsent(key, k -> new ReentrantLock()));
      // a fleet waiting for this one (depends_on) looks again: its nodes may have become healthy
      deps.waiting.forEach((fleet, w) -> {
        if (w.on().contains(key)) {
          loop.enqueue(fleet);
        }
      });
      lastFailure.remove(key);
      syncFrontDoor();
      return r;
    } catch (RuntimeException e) {
      // a store damaged while running: retrying cannot help, the operator has to restore it
      throw DbException.needingOperator(e).<RuntimeException>map(d -> new TerminalError(d.getMessage())).orElse(e);
    } finally {
      MDC.remove("fleet");
    }
  }

  /**
   * The host checks of the spec's front doors (bind address present, port free), for an apply
   * to refuse before it changes anything. Empty when this controller runs no front door.
   */
  public List<dev.herd.spec.SpecError> frontDoorProblems(dev.herd.spec.Spec spec) {
    if (frontDoor == null) {
      return List.of();
    }
    Set<String> served = new TreeSet<>();
    if (frontDoor.running().isPresent()) {
      store.fleets().forEach(f -> f.settings().expose().ifPresent(e -> served.add(e.address())));
    }
    return dev.herd.control.frontdoor.FrontDoorPreflight.check(spec, served);
  }

  /**
   * Gives the front door the in-service nodes of every exposed fleet (after each pass: a node
   * is added once ready, drained once out of service). The data plane runs on without the
   * controller, so a failure here is logged and retried at the next pass, never fatal.
   */
  private void syncFrontDoor() {
    if (frontDoor == null) {
      syncEngineTraffic();
      return;
    }
    synchronized (frontDoor) {
      List<dev.herd.control.frontdoor.Backend> backends = new ArrayList<>();
      for (Exposed x : exposed()) {
        List<dev.herd.control.frontdoor.Server> servers = x.nodes().stream()
            .filter(n -> x.weights().containsKey(n.engineName()))
            .map(n -> new dev.herd.control.frontdoor.Server(dev.herd.control.frontdoor.Server.nameOf(n.engineName(), n.port()),
                "127.0.0.1", n.port(), x.weights().get(n.engineName())))
            .toList();
        Fleet.Expose e = x.fleet().settings().expose().orElseThrow();
        boolean sticky = e.protocol() == Fleet.Protocol.HTTP
            && x.fleet().settings().rollout().canary().map(Fleet.Canary::sticky).orElse(false);
        backends.add(new dev.herd.control.frontdoor.Backend(x.fleet().name(), e, servers, sticky));
      }
      try {
        if (backends.isEmpty()) {
          if (frontDoor.stop()) {
            log.info("front door: stopped (no fleet is exposed)");
          }
          return;
        }
        frontDoor.reconcile(backends, now());
        frontDoorFailure = null;
      } catch (java.io.IOException | RuntimeException e) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        if (!why.equals(frontDoorFailure)) {
          log.warn("front door: {}", why);
        }
        frontDoorFailure = why;
      }
    }
  }

  /** An exposed fleet, its nodes and who takes its traffic ({@link Traffic#weights}), as the store says now. */
  private record Exposed(FleetRecord fleet, List<NodeRecord> nodes, Map<String, Integer> weights) {}

  /** The fleets whose traffic herd routes (exposed, not deleted), for the front door or the engine. */
  private List<Exposed> exposed() {
    List<Exposed> out = new ArrayList<>();
    for (FleetRecord f : store.fleets()) {
      if (f.deleted() || f.settings().expose().isEmpty()) {
        continue;
      }
      List<NodeRecord> nodes = store.nodes(f.name());
      out.add(new Exposed(f, nodes, Traffic.weights(f, store.rollout(f.name()), nodes)));
    }
    return out;
  }

  /** Whether the engine routes traffic itself; asked once it answers (a local engine never does). */
  private volatile Boolean routesTraffic;

  private boolean engineRoutesTraffic() {
    Boolean r = routesTraffic;
    if (r == null) {
      try {
        r = config.engine().capabilities().routesTraffic();
      } catch (RuntimeException e) {
        return false; // the engine is unreachable: asked again after the next pass
      }
      routesTraffic = r;
    }
    return r;
  }

  /** Last in-service state herd set per engine node name, on an engine that routes traffic itself. */
  private final Map<String, Boolean> inService = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile String engineTrafficFailure;

  /**
   * On an engine that routes a fleet's traffic itself (a cluster's Service), the same decision as
   * the front door's: the nodes that take requests (ready, in service, on the switched side of a
   * blue/green, not quarantined) are put in service, every other node of an exposed fleet out.
   * Only changes reach the engine; a failure is logged once and retried after the next pass.
   */
  private void syncEngineTraffic() {
    if (!engineRoutesTraffic()) {
      return;
    }
    synchronized (inService) {
      Set<String> present = new java.util.HashSet<>();
      for (Exposed x : exposed()) {
        FleetRecord f = x.fleet();
        for (NodeRecord n : x.nodes()) {
          present.add(n.engineName());
          boolean want = x.weights().getOrDefault(n.engineName(), 0) > 0;
          if (Boolean.valueOf(want).equals(inService.get(n.engineName()))) {
            continue;
          }
          try {
            if (config.engine().setInService(new NodeRef(config.project(), n.engineName()), want)) {
              inService.put(n.engineName(), want);
              log.info("fleet {}: {} {} its Service", f.name(), n.engineName(), want ? "put in" : "taken out of");
            }
            engineTrafficFailure = null;
          } catch (RuntimeException e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            if (!why.equals(engineTrafficFailure)) {
              log.warn("fleet {}: traffic of {} not changed: {}", f.name(), n.engineName(), why);
            }
            engineTrafficFailure = why;
          }
        }
      }
      inService.keySet().retainAll(present);
    }
  }

  /**
   * The actuator's drain: the store already says the nodes are leaving, so one sync adds the
   * fleet's newly ready nodes and sets the leaving ones to drain in one write; then, outside
   * the front door's lock, it waits for their connections to end (or drain_timeout), and
   * takes them out of the backend before the engine stops them.
   */
  private void drainThroughFrontDoor(String fleet, List<FleetPlan.Drain> nodes) {
    syncFrontDoor();
    List<String> servers = nodes.stream().map(FleetPlan.Drain::server).toList();
    Duration timeout = nodes.stream().map(FleetPlan.Drain::timeout).max(Duration::compareTo).orElse(Duration.ZERO);
    try {
      long t0 = System.nanoTime();
      boolean idle = frontDoor.awaitIdle(fleet, servers, timeout);
      synchronized (frontDoor) {
        frontDoor.retire(fleet, servers);
      }
      log.info("front door: fleet {}: drained {} in {} ms{}", fleet, String.join(", ", servers),
          (System.nanoTime() - t0) / 1_000_000, idle ? "" : " (drain_timeout passed with connections open)");
    } catch (java.io.IOException | RuntimeException e) {
      log.warn("front door: fleet {}: drain of {} incomplete: {}", fleet, String.join(", ", servers), e.getMessage());
    }
  }

  /**
   * Removes herd containers of this project whose fleet the controller does not know (drift
   * kind orphan) and reports containers that are not herd's but use a fleet's node names or a
   * leased port (kind foreign; never touched). Runs again at every resync.
   */
  private Result sweepOrphans() {
    Set<String> fleets = new TreeSet<>();
    Map<String, dev.herd.spec.NamePattern> patterns = new java.util.TreeMap<>();
    store.fleets().forEach(f -> {
      fleets.add(f.name());
      patterns.put(f.name(), f.settings().nodeName());
    });
    Batch b = new Batch();
    List<DriftFinding> findings = new ArrayList<>();
    for (NodeInfo n : config.engine().listNodes(config.project())) {
      if (fleets.contains(n.fleet())) {
        continue;
      }
      config.engine().removeNode(n.ref());
      String detail = "a herd node of fleet " + (n.fleet().isEmpty() ? "(none)" : n.fleet()) + ", which the controller does not run";
      findings.add(new DriftFinding(now(), n.fleet(), n.name(), n.ref().containerName(), DriftKind.ORPHAN, detail,
          DriftFinding.REMOVED, "orphan:" + n.id()));
      b.event(now(), n.fleet(), n.name(), EventKind.ORPHAN_REMOVED, "orphan " + n.ref().containerName()
          + " removed: " + detail);
    }
    driftStore.record(findings);
    sweepNodeLeftovers();
    Map<Integer, String> leases = new java.util.TreeMap<>();
    store.allNodes().forEach(n -> leases.put(n.port(), n.fleet()));
    for (DriftFinding f : driftStore.record(ForeignScan.scan(config.engine(), config.project(), patterns, leases, now()))) {
      b.event(now(), f.fleet(), f.node(), EventKind.DRIFT_DETECTED, "drift (foreign): " + f.detail());
    }
    publish(store.commit(b));
    return Result.requeueAfter(config.resync());
  }

  /** The controller's state, for tests that check what it recorded. */
  Store store() {
    return store;
  }

  /**
   * Drops node files and tokens of nodes that are neither on the engine nor recorded: a node
   * whose start failed, or one removed while no controller ran. The candidates are listed first:
   * a node's record is written before its files, so a node being started now is seen as recorded.
   */
  private void sweepNodeLeftovers() {
    Map<String, Set<String>> candidates;
    try {
      candidates = deps.nodeConfig.withState();
    } catch (RuntimeException e) {
      log.warn("cannot list node files and tokens for the sweep: {}", e.getMessage());
      return;
    }
    if (candidates.isEmpty()) {
      return;
    }
    Set<String> live = new java.util.HashSet<>();
    config.engine().listNodes(config.project()).forEach(n -> live.add(n.fleet() + "/" + n.name()));
    store.allNodes().forEach(n -> live.add(n.fleet() + "/" + n.engineName()));
    candidates.forEach((fleet, names) -> {
      for (String node : names) {
        if (!live.contains(fleet + "/" + node)) {
          if (deps.nodeConfig.removedOrWarn(fleet, node)) {
            log.info("fleet {}: removed the files and token left by node {}", fleet, node);
          }
        }
      }
    });
  }

  private void reconcileFailed(String key, RuntimeException e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    if (message.equals(lastFailure.put(key, message))) {
      return;
    }
    try {
      publish(store.commit(new Batch().event(now(), key.equals(ORPHANS) ? "" : key, "", EventKind.RECONCILE_FAILED,
          "reconcile of " + (key.equals(ORPHANS) ? "orphans" : key) + " failed: " + message)));
    } catch (RuntimeException ignored) {
      log.warn("could not record the failure of {}: {}", key, ignored.toString());
    }
  }

  private void subscribe() {
    if (closed) {
      return;
    }
    try {
      // replayed from the oldest node's start: an exec while no controller ran is still drift
      Instant since = store.allNodes().stream().map(NodeRecord::startedAt).filter(java.util.Objects::nonNull)
          .min(Instant::compareTo).orElse(null);
      engineEvents = config.engine().events(config.project(), since, this::onEngineEvent);
    } catch (EngineException e) {
      log.warn("cannot watch engine events ({}); retrying in 5s, fleets still resync", e.getMessage());
      config.scheduler().schedule(Duration.ofSeconds(5), this::subscribe);
    }
  }

  /** Handlers only notify: the event's fleet goes on the queue, the pass decides. */
  private void onEngineEvent(EngineEvent e) {
    deps.drift.onEngineEvent(e);
    deps.oom.onEngineEvent(e);
    String fleet = deps.fleetOfNode.get(e.node().node());
    loop.enqueue(fleet != null ? fleet : ORPHANS);
  }

  private void publish(List<Event> events) {
    for (Event e : events) {
      MDC.put("fleet", e.fleet());
      MDC.put("node", e.node());
      log.info("{} {}", e.kind(), e.reason());
      MDC.remove("node");
      if (traffic != null) {
        traffic.onEvent(e.fleet(), e.kind().name().toLowerCase(java.util.Locale.ROOT), e.time(),
            (fleet, summary) -> note(fleet, EventKind.ROLLOUT_TRAFFIC, summary));
      }
      ControllerEvent shown = listeners.isEmpty() ? null : ControllerEvent.of(e);
      for (Consumer<ControllerEvent> l : listeners) {
        try {
          l.accept(shown);
        } catch (RuntimeException ex) {
          log.warn("event listener failed: {}", ex.toString());
        }
      }
    }
  }

  private void commit(Batch b, String fleet) {
    publish(store.commit(b));
    loop.enqueue(fleet);
  }

  private FleetRecord require(String fleet) {
    return store.fleet(fleet).orElseThrow(() -> new NoSuchElementException("no fleet " + fleet + " (fleets: "
        + String.join(", ", store.fleets().stream().map(FleetRecord::name).toList()) + ")"));
  }

  private Rollout rolloutOf(String fleet) {
    require(fleet);
    return store.rollout(fleet).orElseThrow(() -> new IllegalStateException("fleet " + fleet + " has no rollout in progress"));
  }

  private Instant now() {
    return config.clock().instant();
  }

  private <T> T withLock(String fleet, java.util.function.Supplier<T> work) {
    ReentrantLock lock = locks.computeIfAbsent(fleet, k -> new ReentrantLock());
    lock.lock();
    try {
      return work.get();
    } finally {
      lock.unlock();
    }
  }
}
