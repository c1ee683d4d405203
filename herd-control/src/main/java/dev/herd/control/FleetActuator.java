package dev.herd.control;

import dev.herd.control.FleetPlan.Create;
import dev.herd.control.FleetPlan.PlannedEvent;
import dev.herd.control.FleetPlan.Removal;
import dev.herd.control.drift.DriftFinding;
import dev.herd.control.drift.DriftKind;
import dev.herd.control.health.ProbeTarget;
import dev.herd.control.loop.TerminalError;
import dev.herd.control.state.Batch;
import dev.herd.control.state.FleetRecord;
import dev.herd.control.state.EventKind;
import dev.herd.control.state.NodePhase;
import dev.herd.control.state.NodeRecord;
import dev.herd.control.state.Release;
import dev.herd.control.state.Rollout;
import dev.herd.db.DbException;
import dev.herd.engine.EngineException;
import dev.herd.engine.EngineUnreachable;
import dev.herd.engine.ImageMissing;
import dev.herd.engine.NameConflict;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.NodeRef;
import dev.herd.engine.NodeSpec;
import dev.herd.engine.PortInUse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.locks.Lock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out one fleet's {@link FleetPlan}. First, under the fleet's lock, it records the
 * intent in one transaction: the plan's record changes and events, CREATING records (with port
 * lease and generation) for the nodes to start, REMOVING for the nodes to remove. Then, with
 * the lock released, it makes the plan's engine calls, which are independent of each other, in
 * parallel on virtual threads (at most {@link Deps#engineCalls} at once per engine), and records
 * each result as it lands. So an operator's pause, scale or abort never waits behind a slow
 * start, and a controller killed at any point finds either the container or the record.
 */
final class FleetActuator {
  private static final Logger log = LoggerFactory.getLogger(FleetActuator.class);

  private final Deps d;
  private final FleetSnapshot s;
  private final FleetPlan plan;
  private final String name;
  private final Instant now;
  private final Lock lock;
  private final Map<String, Create> createdFor = new HashMap<>();
  private boolean blockedThisPass;
  private Instant due;

  /** What acting did: whether it made engine calls, and when the fleet's start backoff ends. */
  record Outcome(boolean acted, Optional<Instant> retryAt) {}

  private FleetActuator(Deps d, FleetSnapshot s, FleetPlan plan, Lock lock) {
    this.d = d;
    this.s = s;
    this.plan = plan;
    this.name = plan.fleet();
    this.now = s.now();
    this.lock = lock;
  }

  /**
   * Records the plan's intent (the caller holds {@code lock}), then unlocks it, makes the engine
   * calls and records their results. Returns with the lock released.
   */
  static Outcome act(Deps d, FleetSnapshot s, FleetPlan plan, Lock lock) {
    FleetActuator a = new FleetActuator(d, s, plan, lock);
    List<NodeRecord> created;
    try {
      created = a.recordIntent();
    } finally {
      lock.unlock();
    }
    boolean acted = !created.isEmpty() || !plan.removals().isEmpty() || !plan.strays().isEmpty() || !plan.stops().isEmpty();
    if (plan.rolloutUpdate().isPresent() || plan.fleetUpdate().isPresent() || !plan.updates().isEmpty()) {
      // who serves may have changed (a node turned healthy, a switch, a promotion): the front
      // door takes it before discovery and the node files of the whole environment are rewritten
      d.frontDoorFollows.run();
    }
    a.execute(created);
    return new Outcome(acted, Optional.ofNullable(a.due));
  }

  // ---- intent ------------------------------------------------------------------------------

  private List<NodeRecord> recordIntent() {
    Batch intent = new Batch();
    for (NodeRecord r : plan.adopted()) {
      intent.lease(r.port(), r.engineName(), name).generation(name, r.slot(), r.generation());
      d.ports.adopt(r.port());
    }
    for (NodeRecord r : plan.updates()) {
      intent.put(r);
    }
    for (NodeRecord r : plan.dropped()) {
      intent.delete(r);
      d.ports.free(r.port());
      if (r.phase() == NodePhase.CREATING) {
        // recorded, but the controller stopped (or the start threw) before the engine had it
        intent.unusedGeneration(name, r.slot(), r.generation());
      }
      gone(r.engineName());
      d.logs.unfollow(r.engineName());
    }
    plan.forget().forEach(d.monitor::forget);
    for (PlannedEvent e : plan.events()) {
      intent.event(now, name, e.node(), e.kind(), e.reason());
      if (e.kind() == EventKind.NODE_CRASHLOOP) {
        log.warn("fleet {}: {}", name, e.reason());
      }
    }
    if (plan.crashLoops().isEmpty()) {
      d.crashLoops.remove(name);
    } else {
      d.crashLoops.put(name, plan.crashLoops());
    }
    List<Create> creates = ensureImages(intent);
    Map<String, Long> generations = new HashMap<>();
    if (!creates.isEmpty()) {
      generations.putAll(d.store.generations(name));
      for (NodeRecord r : plan.records().values()) {
        generations.merge(r.slot(), r.generation(), Math::max);
      }
    }
    List<NodeRecord> created = new ArrayList<>();
    for (Create c : creates) {
      String slot = s.fleet().settings().nodeName().name(c.slotIndex());
      long gen = 1 + generations.getOrDefault(slot, 0L);
      generations.put(slot, gen);
      String engineName = NodeRecord.engineName(slot, gen);
      int port = d.ports.lease(name, engineName, intent);
      NodeRecord row = new NodeRecord(engineName, name, slot, c.slotIndex(), gen, "", c.releaseId(), port,
          NodePhase.CREATING, now, null, null, "", null, "");
      intent.put(row).generation(name, slot, gen);
      d.fleetOfNode.put(engineName, name);
      created.add(row);
      if (c.kind() == EventKind.NODE_CREATED) {
        createdFor.put(engineName, c); // said when the engine has the node, not before
      } else {
        intent.event(now, name, slot, c.kind(), c.kind() == EventKind.NODE_RECYCLED ? c.why()
            : row.label() + " created on " + c.releaseId() + ", port " + port + ": " + c.why());
      }
    }
    // recorded before the decisions' batch: a finding is announced once, even if the
    // controller stops between the two (the next round then acts on the node again)
    for (DriftFinding f : d.driftStore.record(plan.drift())) {
      if (f.kind() != DriftKind.ORPHAN) { // the planner already made the orphan's event
        intent.event(now, name, f.node(), EventKind.DRIFT_DETECTED,
            f.engineName() + " drift (" + f.kind().keyword() + "): " + f.detail() + " → " + f.action());
      }
    }
    plan.fleetUpdate().ifPresent(intent::fleet);
    plan.rolloutUpdate().ifPresent(r -> r.ifPresentOrElse(intent::rollout, () -> intent.clearRollout(name)));
    d.publish.accept(d.store.commit(intent));
    // every record once per fleet and controller life, then only what this round recorded anew
    if (d.indexedFleets.add(name)) {
      plan.records().keySet().forEach(n -> d.fleetOfNode.put(n, name));
    } else {
      plan.adopted().forEach(r -> d.fleetOfNode.put(r.engineName(), name));
    }
    return created;
  }

  /**
   * Loads the images of the nodes to create before anything is recorded for them: a node whose
   * image the engine refuses is not created at all (no port lease, no generation, no event per
   * node); the refusal is said once and the fleet retries with backoff.
   */
  private List<Create> ensureImages(Batch intent) {
    List<Create> kept = new ArrayList<>();
    Map<String, String> refused = new LinkedHashMap<>();
    for (Create c : plan.creates()) {
      Release rel = s.releases().get(c.releaseId());
      if (rel == null) {
        kept.add(c); // start() reports the missing release
        continue;
      }
      String digest = rel.spec().imageDigest();
      if (!refused.containsKey(digest)) {
        try {
          ensureImage(d, rel);
          kept.add(c);
          continue;
        } catch (EngineUnreachable e) {
          throw e;
        } catch (EngineException | TerminalError e) {
          refused.put(digest, "image " + digest.substring(7, 19) + " of " + rel.id() + " cannot be loaded: " + e.getMessage());
        }
      }
    }
    refused.values().forEach(why -> startsBlocked(intent, why));
    return kept;
  }

  /** Makes sure the engine has the release's image; cached for the controller's life. */
  static void ensureImage(Deps d, Release rel) {
    String digest = rel.spec().imageDigest();
    if (d.images == null || d.ensured.contains(digest)) {
      return;
    }
    try {
      d.engine.ensureImage(d.images.source(digest));
    } catch (NoSuchElementException e) {
      throw new TerminalError("image " + digest + " of " + rel.id() + " is not in the image store: " + e.getMessage());
    }
    d.ensured.add(digest);
  }

  // ---- engine calls ------------------------------------------------------------------------

  /**
   * The plan's engine calls, all at once within the engine's bound: a replacement starts while
   * the dead node it replaces is being removed. Order that matters: the new nodes' files are
   * prepared first; then the fleet's discovery and node files are rewritten (the config service
   * does one thing at a time, and a replacement must not wait behind a rewrite of every node);
   * the removals wait for that rewrite, so no node leaves the engine while discovery still lists
   * it. Waits for the starts, stops and the rewrite (the first failure is rethrown), not for the
   * removals: a retired node serves nobody, so the next wave of a rollout need not wait for its
   * container to go. Each removal is tracked in {@link Deps#removing} until it has recorded its
   * result (record deleted, port freed), so later rounds neither remove it again nor free its
   * port twice; a restarted controller finishes it from its REMOVING record.
   */
  private void execute(List<NodeRecord> created) {
    vacated = new java.util.concurrent.CountDownLatch(d.parallel && stateful() ? plan.removals().size() + plan.stops().size() : 0);
    java.util.concurrent.CountDownLatch prepared = new java.util.concurrent.CountDownLatch(d.parallel ? created.size() : 0);
    java.util.concurrent.CountDownLatch told = new java.util.concurrent.CountDownLatch(d.parallel ? 1 : 0);
    // a node the front door may still send requests to leaves only after its drain
    java.util.concurrent.CountDownLatch drained = new java.util.concurrent.CountDownLatch(
        d.parallel && !plan.drains().isEmpty() ? 1 : 0);
    List<Runnable> calls = new ArrayList<>();
    for (NodeRecord row : created) {
      calls.add(() -> start(row, prepared));
    }
    for (NodeInfo stray : plan.strays()) {
      calls.add(() -> {
        await(told);
        bounded(() -> d.engine.removeNode(stray.ref()));
        gone(stray.name());
      });
    }
    List<Runnable> detached = new ArrayList<>();
    for (Removal r : plan.removals()) {
      // a stateful fleet's starts wait for its removals (the volume must be free): not detached
      if (d.parallel && !r.quarantine() && !stateful()) {
        String node = r.row().engineName();
        d.removing.add(node);
        detached.add(() -> {
          try {
            await(told);
            if (plan.drains(node)) {
              await(drained);
            }
            remove(r);
            d.wake.accept(name, java.time.Duration.ZERO); // the fleet's next round sees it gone
          } catch (RuntimeException e) {
            log.warn("fleet {}: removal of {} failed, retried by a later round: {}", name, node, e.getMessage());
            d.wake.accept(name, java.time.Duration.ofSeconds(1));
          } finally {
            d.removing.remove(node);
          }
        });
        continue;
      }
      calls.add(() -> {
        try {
          await(told);
          if (plan.drains(r.row().engineName())) {
            await(drained);
          }
          remove(r);
        } catch (RuntimeException e) {
          leftBehind.add(r.row().slot());
          throw e;
        } finally {
          vacated.countDown();
        }
      });
    }
    for (NodeRecord q : plan.stops()) {
      calls.add(() -> {
        try {
          if (plan.drains(q.engineName())) {
            await(drained);
          }
          bounded(() -> d.engine.stopNode(ref(q), d.stopGrace));
        } finally {
          vacated.countDown();
        }
      });
    }
    RuntimeException failure = null;
    if (!d.parallel) {
      tellMembers();
      drain();
      if (stateful()) {
        // the nodes leaving first: a new generation must find its volume free
        List<Runnable> starts = new ArrayList<>(calls.subList(0, created.size()));
        calls.subList(0, created.size()).clear();
        calls.addAll(starts);
      }
      for (Runnable c : calls) {
        failure = run(c, failure);
      }
    } else {
      List<Future<?>> running = new ArrayList<>();
      running.add(d.calls.submit(() -> {
        try {
          await(prepared);
          tellMembers();
        } finally {
          told.countDown();
        }
      }));
      if (!plan.drains().isEmpty()) {
        Runnable drain = () -> {
          try {
            drain();
          } finally {
            drained.countDown();
          }
        };
        // a drain that only detached removals wait for does not hold up the round either: the
        // next wave starts while the retired nodes finish their connections
        if (plan.drains().stream().allMatch(x -> d.removing.contains(x.row().engineName()))) {
          d.calls.submit(drain);
        } else {
          running.add(d.calls.submit(drain));
        }
      }
      for (Runnable c : calls) {
        running.add(d.calls.submit(c));
      }
      detached.forEach(d.calls::submit);
      for (Future<?> f : running) {
        try {
          f.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          failure = failure == null ? new IllegalStateException("interrupted while acting on fleet " + name) : failure;
        } catch (java.util.concurrent.ExecutionException e) {
          RuntimeException cause = e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
          failure = failure == null ? cause : failure;
        }
      }
    }
    java.util.Set<String> leaving = new java.util.HashSet<>();
    plan.removals().forEach(r -> leaving.add(r.row().engineName()));
    for (NodeRecord row : plan.records().values()) {
      if (row.phase().live() && row.phase() != NodePhase.DEAD && row.phase() != NodePhase.CREATING
          && !leaving.contains(row.engineName()) && !d.logs.following(row.engineName())) {
        follow(row);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** The front door drains the plan's leaving nodes (all at once: one wait, not one per node). */
  private void drain() {
    if (plan.drains().isEmpty()) {
      return;
    }
    try {
      d.drainer.drain(name, plan.drains());
    } catch (RuntimeException e) {
      log.warn("fleet {}: front door drain failed, removing anyway: {}", name, e.getMessage());
    }
  }

  /** Counted down as each removal or stop ends: a stateful fleet's starts wait for it (see {@link #execute}). */
  private java.util.concurrent.CountDownLatch vacated = new java.util.concurrent.CountDownLatch(0);
  /** Slots whose old generation could not be removed this round. */
  private final java.util.Set<String> leftBehind = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Whether the fleet's nodes keep volumes: an old generation stops before its successor starts. */
  private boolean stateful() {
    return s.fleet().settings().stateful();
  }

  private static RuntimeException run(Runnable c, RuntimeException failure) {
    try {
      c.run();
      return failure;
    } catch (RuntimeException e) {
      return failure == null ? e : failure;
    }
  }

  /** One engine call within the engine's bound (only the call: waiting for the config service holds no permit). */
  private <T> T bounded(java.util.function.Supplier<T> call) {
    try {
      d.engineCalls.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the engine");
    }
    try {
      return call.get();
    } finally {
      d.engineCalls.release();
    }
  }

  private static void await(java.util.concurrent.CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while acting");
    }
  }

  private void remove(Removal r) {
    Batch done = new Batch();
    NodeRef ref = ref(r.row());
    d.monitor.forget(r.row().engineName());
    if (r.quarantine()) {
      bounded(() -> d.engine.stopNode(ref, d.stopGrace));
      d.logs.unfollow(r.row().engineName());
    } else {
      bounded(() -> d.engine.removeNode(ref));
      d.logs.unfollow(r.row().engineName());
      gone(r.row().engineName());
      done.delete(r.row());
      String key = name + "/" + r.row().slot();
      java.util.Set<String> leaving = new java.util.HashSet<>();
      plan.removals().forEach(x -> leaving.add(x.row().engineName()));
      // the volume goes with the slot's last node: no other generation of it stays
      if (d.volumesToDelete.contains(key) && plan.records().values().stream()
          .noneMatch(x -> x.slot().equals(r.row().slot()) && !leaving.contains(x.engineName()))) {
        for (dev.herd.spec.Fleet.Volume v : s.fleet().settings().volumes()) {
          String volume = dev.herd.engine.VolumeInfo.engineName(d.project, name, r.row().slot(), v.name());
          try {
            if (bounded(() -> d.engine.removeVolume(d.project, volume))) {
              done.event(now, name, r.row().slot(), EventKind.NODE_REMOVED, "volume " + volume + " of " + r.row().slot()
                  + " deleted (herd scale --delete-volumes)");
            }
          } catch (RuntimeException e) {
            log.warn("fleet {}: could not delete volume {}: {}", name, volume, e.getMessage());
          }
        }
        d.volumesToDelete.remove(key);
      }
      record(done);
      d.ports.free(r.row().port());
    }
    log.info("fleet {}: {} {}", name, r.row().engineName(), r.quarantine() ? "quarantined" : "removed");
  }

  private void start(NodeRecord row, java.util.concurrent.CountDownLatch prepared) {
    Batch done = new Batch();
    List<Integer> freed = new ArrayList<>();
    String[] failedRollout = new String[1];
    java.util.concurrent.atomic.AtomicBoolean said = new java.util.concurrent.atomic.AtomicBoolean();
    Runnable onPrepared = () -> {
      if (said.compareAndSet(false, true)) {
        prepared.countDown();
      }
    };
    try {
      startOrFail(row, done, freed, failedRollout, onPrepared);
    } finally {
      onPrepared.run();
      if (failedRollout[0] == null) {
        record(done);
      } else {
        // remembered for the progress deadline's message in a later round; read and written
        // under the lock, so an operator's pause or abort made meanwhile stays
        lock.lock();
        try {
          d.store.rollout(name).filter(r -> row.releaseId().equals(r.toRelease()))
              .ifPresent(r -> done.rollout(r.withState(r.state(), failedRollout[0])));
          record(done);
        } finally {
          lock.unlock();
        }
      }
      freed.forEach(d.ports::free);
    }
  }

  private void startOrFail(NodeRecord row, Batch done, List<Integer> freed, String[] failedRollout, Runnable onPrepared) {
    Release rel = s.releases().get(row.releaseId());
    if (rel == null) {
      throw new TerminalError("release " + row.releaseId() + " of fleet " + name + " is missing from the state");
    }
    ensureImage(d, rel);
    NodeSpec.RunAs user;
    try {
      user = userOf(rel);
    } catch (RuntimeException e) {
      startFailed(row, done, "cannot tell which user its image runs as: " + e.getMessage(), freed, false, failedRollout);
      return;
    }
    NodeRecord current = row;
    for (int attempt = 1; ; attempt++) {
      NodeSpec spec;
      try {
        spec = d.nodeConfig.prepare(nodeSpec(current, rel, user), new NodeConfig.Launch(name, current.slot(), current.slotIndex(), rel));
      } catch (RuntimeException e) {
        if (DbException.needingOperator(e).isPresent()) {
          throw e; // a damaged herd.db is no failure of this node: the round stops (see Controller#reconcile)
        }
        // no config, no node: a node must never run without the config its release pins
        startFailed(current, done, "cannot give it its config: " + e.getMessage(), freed, false, failedRollout);
        return;
      }
      onPrepared.run();
      if (stateful()) {
        await(vacated);
        if (leftBehind.contains(current.slot())) {
          // its old generation still holds the volume: never two nodes on one volume
          startFailed(current, done, "its previous generation could not be removed, and it holds the volume", freed, false,
              failedRollout);
          return;
        }
      }
      try {
        NodeSpec ready = spec;
        String restoreKey = name + "/" + current.slot();
        Map<String, java.nio.file.Path> restore = d.restores.getOrDefault(restoreKey, Map.of());
        if (!restore.isEmpty()) {
          // a restore replaces the volume's content: a fresh volume, filled before the process starts
          for (NodeSpec.Volume v : ready.volumes()) {
            bounded(() -> d.engine.removeVolume(d.project, ready.volumeName(v)));
          }
        }
        NodeInfo info = bounded(() -> d.engine.startNode(ready, restore));
        if (!restore.isEmpty()) {
          d.restores.remove(restoreKey, restore);
          log.info("fleet {}: {} started on restored volumes", name, current.engineName());
        }
        Instant startedAt = info.startedAt() == null ? now : info.startedAt();
        NodeRecord started = current.withContainer(info.id(), startedAt).withPhase(NodePhase.STARTING, "");
        done.put(started);
        // the first probe goes out now, not at the next round or interval tick
        d.monitor.observe(new ProbeTarget(ref(started), name, started.releaseId(), started.port()),
            rel.spec().runtime().health(), startedAt, null);
        d.logs.follow(started, null);
        Create c = createdFor.get(started.engineName());
        if (c != null) {
          done.event(now, name, started.slot(), EventKind.NODE_CREATED,
              started.label() + " created on " + c.releaseId() + ", port " + started.port() + ": " + c.why());
        }
        log.info("fleet {}: started {} on {} port {}", name, started.engineName(), rel.id(), started.port());
        if (d.startFailures.remove(name) != null) {
          log.info("fleet {}: starts nodes again ({} started)", name, started.engineName());
        }
        return;
      } catch (PortInUse e) {
        d.ports.refuse(current.port());
        if (attempt >= 3) {
          startFailed(current, done, "port " + current.port() + " is taken on the host", freed, false, failedRollout);
          return;
        }
        int port = d.ports.lease(name, current.engineName(), done);
        current = new NodeRecord(current.engineName(), name, current.slot(), current.slotIndex(), current.generation(), "",
            current.releaseId(), port, NodePhase.CREATING, now, null, null, "", null, "");
        done.put(current);
      } catch (NameConflict e) {
        // a container has this name: the next generation's name avoids it; its files are that container's
        startFailed(current, done, e.getMessage(), freed, true, failedRollout);
        return;
      } catch (ImageMissing e) {
        startFailed(current, done, e.getMessage(), freed, false, failedRollout);
        throw new TerminalError("image " + rel.spec().imageDigest() + " of " + rel.id() + " is not on the engine: " + e.getMessage());
      } catch (EngineUnreachable e) {
        throw e;
      } catch (EngineException e) {
        // the engine refused to create or start it; DockerApiEngine removes a half-made container
        startFailed(current, done, e.getMessage(), freed, false, failedRollout);
        return;
      }
    }
  }

  /**
   * A node that did not start gives back its port lease and, when no container ever had its name,
   * its generation, files and token. The failure is said once per distinct reason, and the fleet's starts back off.
   */
  private void startFailed(NodeRecord row, Batch done, String why, List<Integer> freed, boolean nameTaken,
      String[] failedRollout) {
    done.delete(row);
    if (!nameTaken) {
      done.unusedGeneration(name, row.slot(), row.generation());
      gone(row.engineName()); // a node that never ran keeps no files or token
    }
    freed.add(row.port());
    // one reason for the whole fleet: node names would make every attempt look new
    startsBlocked(done, why.replace(ref(row).containerName(), "its container")
        .replace(ref(row).toString(), "a node").replace(row.engineName(), "a node"));
    failedRollout[0] = "last failure: " + row.label() + " failed to start: " + why;
  }

  /**
   * Records a start failure of the fleet: an event and a log line only for a reason not said
   * before; one backoff step per round, however many nodes failed in it.
   */
  private synchronized void startsBlocked(Batch batch, String why) {
    Deps.StartFailure prev = d.startFailures.get(name);
    java.util.Set<String> said = new java.util.HashSet<>(prev == null ? java.util.Set.of() : prev.said());
    boolean isNew = said.add(why);
    int attempts = prev == null ? 1 : blockedThisPass ? prev.attempts() : prev.attempts() + 1;
    Instant retryAt = blockedThisPass && prev != null ? prev.retryAt()
        : now.plus(dev.herd.control.loop.ReconcileLoop.backoff(attempts));
    blockedThisPass = true;
    d.startFailures.put(name, new Deps.StartFailure(said, attempts, retryAt));
    due = due == null || retryAt.isBefore(due) ? retryAt : due;
    if (isNew) {
      batch.event(now, name, "", EventKind.NODE_START_FAILED, "fleet " + name + " cannot start nodes: " + why
          + " (retrying with backoff; said again only if the reason changes)");
      log.warn("fleet {}: cannot start nodes: {} (retrying with backoff)", name, why);
    }
  }

  /** Commits one result batch (each engine call's outcome is recorded as it lands). */
  private void record(Batch b) {
    if (!b.isEmpty()) {
      d.publish.accept(d.store.commit(b));
    }
  }

  private void follow(NodeRecord row) {
    Instant last = d.store.lastLogTime(name, row.slot(), row.generation());
    d.logs.follow(row, last == null ? null : last.plusMillis(1));
  }

  private NodeSpec.RunAs userOf(Release rel) {
    String digest = rel.spec().imageDigest();
    return d.images == null ? NodeSpec.RunAs.ROOT : d.users.computeIfAbsent(digest, d.images::user);
  }

  private NodeSpec nodeSpec(NodeRecord row, Release rel, NodeSpec.RunAs user) {
    var rt = rel.spec().runtime();
    return NodeSpec.builder().project(d.project).fleet(name).node(row.engineName()).generation(row.generation())
        .releaseId(rel.id()).imageDigest(rel.spec().imageDigest()).command(rt.commandFor(row.port())).env(rt.env())
        .readOnlyRoot(rt.readOnlyRoot()).writablePaths(rt.writable()).port(row.port()).memoryBytes(rt.memoryBytes())
        .cpus(rt.cpus()).runAs(user)
        // volumes belong to the slot (db-1), so every generation of it mounts the same ones
        .volumes(s.fleet().settings().volumes().stream().map(v -> new NodeSpec.Volume(row.slot(), v.name(), v.path())).toList())
        .build();
  }

  // ---- config service ----------------------------------------------------------------------

  /** The fleet's live nodes as recorded now; serving ones are what discovery lists. */
  private void tellMembers() {
    java.util.Set<String> leaving = new java.util.HashSet<>();
    plan.removals().forEach(r -> leaving.add(r.row().engineName()));
    List<NodeConfig.Member> members = members(plan.fleetUpdate().orElse(s.fleet()), plan.rolloutUpdate().orElse(s.rollout()),
        plan.records().values(), leaving);
    try {
      d.nodeConfig.members(name, members);
    } catch (RuntimeException e) {
      log.warn("fleet {}: discovery and node files not updated: {}", name, e.getMessage());
    }
  }

  /**
   * The live nodes discovery and the node files list (not starting, not on their way out); a node
   * is serving exactly when {@link Traffic} gives it a front-door weight, so a client reading
   * discovery.json and the front door agree in every phase (a canary's promotion, a rollback's
   * switch back, blue/green's switch).
   */
  static List<NodeConfig.Member> members(FleetRecord fleet, Optional<Rollout> rollout, java.util.Collection<NodeRecord> records,
      java.util.Set<String> leaving) {
    List<NodeRecord> listed = records.stream()
        .filter(r -> r.phase().live() && r.phase() != NodePhase.CREATING && !leaving.contains(r.engineName())).toList();
    Map<String, Integer> serving = Traffic.weights(fleet, rollout, listed);
    List<NodeConfig.Member> members = new ArrayList<>(listed.size());
    for (NodeRecord r : listed) {
      members.add(new NodeConfig.Member(r.engineName(), r.slot(), r.slotIndex(), r.port(), r.releaseId(),
          serving.containsKey(r.engineName())));
    }
    return members;
  }

  private void gone(String engineName) {
    d.nodeConfig.removedOrWarn(name, engineName);
  }

  private NodeRef ref(NodeRecord r) {
    return new NodeRef(d.project, r.engineName());
  }
}
