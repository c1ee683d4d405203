package dev.herd.control;

import dev.herd.control.drift.DriftDecision;
import dev.herd.control.drift.DriftFinding;
import dev.herd.control.drift.DriftKind;
import dev.herd.control.health.NodeHealth;
import dev.herd.control.health.OomWatch;
import dev.herd.control.health.ProbeTarget;
import dev.herd.control.loop.Result;
import dev.herd.control.loop.TerminalError;
import dev.herd.control.state.Batch;
import dev.herd.control.state.EventKind;
import dev.herd.control.state.FleetRecord;
import dev.herd.control.state.FleetSettings;
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
import dev.herd.spec.Durations;
import dev.herd.spec.Fleet;
import dev.herd.spec.Size;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconcile pass of one fleet: read actual (engine) and recorded (DB) state, observe health,
 * decide, persist the decisions, act on the engine, persist the results.
 *
 * <p>Decisions are written before they are carried out (a node to create is recorded CREATING
 * with its port and generation; a node to remove is recorded REMOVING), so a controller killed
 * between the two finds either the container (adopts it) or the record (finishes or drops it).
 */
final class FleetPass {
  private static final Logger log = LoggerFactory.getLogger(FleetPass.class);

  private record Create(int slotIndex, String releaseId, EventKind kind, String why) {}

  private record Removal(NodeRecord row, boolean quarantine, EventKind kind, String why) {}

  private final Deps d;
  private final Instant now;
  private final String name;
  private FleetRecord fleet;
  private Rollout rollout;
  private boolean fleetChanged;
  private boolean rolloutChanged;
  private final Map<String, NodeInfo> onEngine = new LinkedHashMap<>();
  private final Map<String, NodeRecord> rows = new LinkedHashMap<>();
  private final Map<String, Release> releases = new HashMap<>();
  private final Batch intent = new Batch();
  private final List<Create> creates = new ArrayList<>();
  private final Map<String, Create> createdFor = new HashMap<>();
  private final List<Removal> removals = new ArrayList<>();
  private final java.util.Set<String> plannedNames = new java.util.HashSet<>();
  private Map<Integer, List<NodeRecord>> slotCache;
  private final List<NodeInfo> strays = new ArrayList<>();
  private final List<DriftFinding> drifted = new ArrayList<>();
  private final List<NodeRecord> toStop = new ArrayList<>();
  private final List<NodeRecord> toFollow = new ArrayList<>();
  private boolean progress;
  private Instant due;
  private boolean blockedThisPass;

  FleetPass(Deps d, FleetRecord fleet, Optional<Rollout> rollout) {
    this.d = d;
    this.now = d.clock.instant();
    this.name = fleet.name();
    this.fleet = fleet;
    this.rollout = rollout.orElse(null);
  }

  Result run() {
    for (NodeInfo n : d.engine.listNodes(d.project)) {
      if (n.fleet().equals(name)) {
        onEngine.put(n.name(), n);
      }
    }
    for (NodeRecord r : d.store.nodes(name)) {
      rows.put(r.engineName(), r);
    }
    sync();
    if (!fleet.deleted()) {
      detectDrift();
    }
    observe();
    if (fleet.deleted()) {
      removeEverything();
    } else {
      expireQuarantine();
      checkRollout();
      decide();
      advanceRollout();
      recordLastGood();
    }
    act();
    if (fleet.deleted() && rows.isEmpty() && onEngine.isEmpty()) {
      Batch b = new Batch().deleteFleet(name)
          .event(now, name, "", EventKind.FLEET_REMOVED, "fleet " + name + " deleted: all its nodes are gone");
      d.publish.accept(d.store.commit(b));
      return Result.done();
    }
    boolean acted = !creates.isEmpty() || !removals.isEmpty() || !strays.isEmpty() || !toStop.isEmpty();
    if (acted) {
      return Result.requeueAfter(Duration.ZERO);
    }
    Instant next = due == null ? now.plus(d.resync) : min(due, now.plus(d.resync));
    return Result.requeueAfter(Duration.between(now, next).isNegative() ? Duration.ZERO : Duration.between(now, next));
  }

  // ---- 1. recorded vs actual ---------------------------------------------------------------

  private void sync() {
    for (NodeInfo n : onEngine.values()) {
      if (rows.containsKey(n.name())) {
        continue;
      }
      String slot = NodeRecord.slotOf(n.name(), n.generation());
      int index = slot == null ? -1 : SlotNames.indexOf(fleet.settings().nodeName(), slot);
      if (index < 1 || fleet.deleted()) {
        strays.add(n);
        drifted.add(new DriftFinding(now, name, n.name(), n.ref().containerName(), DriftKind.ORPHAN,
            "container " + n.ref().containerName() + " carries fleet " + name + "'s labels but is no node of it",
            DriftFinding.REMOVED, "orphan:" + n.id()));
        intent.event(now, name, n.name(), EventKind.ORPHAN_REMOVED, "container " + n.ref().containerName()
            + " carries fleet " + name + "'s labels but is no node of it" + (index < 1
                ? " (its name does not follow the pattern " + fleet.settings().nodeName() + ")" : " (the fleet is being deleted)")
            + ": removing it");
        continue;
      }
      NodeRecord adopted = new NodeRecord(n.name(), name, slot, index, n.generation(), n.id(), n.releaseId(), n.port(),
          adoptedPhase(n), n.createdAt() == null ? now : n.createdAt(), n.startedAt(),
          adoptedPhase(n) == NodePhase.HEALTHY ? n.startedAt() : null, n.running() ? "" : exitReason(n), null, "");
      rows.put(n.name(), adopted);
      intent.put(adopted).lease(n.port(), n.name(), name).generation(name, slot, n.generation());
      d.ports.adopt(n.port());
      intent.event(now, name, slot, EventKind.NODE_ADOPTED, adopted.label() + " adopted: found on the engine running release "
          + n.releaseId() + " without a record (the controller stopped mid-change, or herd.db was restored from an older copy)");
    }
    for (NodeRecord r : List.copyOf(rows.values())) {
      if (onEngine.containsKey(r.engineName())) {
        continue;
      }
      rows.remove(r.engineName());
      intent.delete(r);
      d.ports.free(r.port());
      if (r.phase() == NodePhase.CREATING) {
        // recorded, but the controller stopped (or the start threw) before the engine had it
        intent.unusedGeneration(name, r.slot(), r.generation());
      }
      gone(r.engineName());
      d.monitor.forget(r.engineName());
      d.logs.unfollow(r.engineName());
      switch (r.phase()) {
        case CREATING, REMOVING -> log.debug("fleet {}: {} was {} when the controller stopped; record dropped", name,
            r.engineName(), r.phase());
        case QUARANTINED -> intent.event(now, name, r.slot(), EventKind.NODE_REMOVED,
            "quarantined " + r.label() + " is gone from the engine (removed outside herd)");
        default -> intent.event(now, name, r.slot(), EventKind.NODE_VANISHED,
            r.label() + " disappeared from the engine (removed outside herd)");
      }
    }
  }

  /**
   * A running node found without a record that has run longer than its start grace plus
   * min_healthy_time was serving before herd lost track of it (herd.db restored from an older
   * copy): it is adopted healthy and ready, so the availability limit protects it like any node,
   * until its probes say otherwise. A younger one (a controller killed right after starting it)
   * is adopted starting and must prove itself, as a node herd just started would.
   */
  private NodePhase adoptedPhase(NodeInfo n) {
    if (!n.running()) {
      return NodePhase.DEAD;
    }
    Release rel = release(n.releaseId());
    Duration grace = rel == null ? Duration.ZERO
        : rel.spec().runtime().health().map(dev.herd.spec.Health::startGrace).orElse(Duration.ZERO);
    Duration settle = grace.plus(settings().rollout().minHealthyTime());
    return n.startedAt() != null && !n.startedAt().plus(settle).isAfter(now) ? NodePhase.HEALTHY : NodePhase.STARTING;
  }

  // ---- 1b. drift ---------------------------------------------------------------------------

  /**
   * Compares each running node with its release. Findings are recorded once (with an event);
   * a node whose policy says replace or quarantine is marked unhealthy with a drift reason, so
   * decide() replaces or quarantines it in this same pass.
   */
  private void detectDrift() {
    for (NodeRecord r : List.copyOf(rows.values())) {
      if (r.phase() != NodePhase.STARTING && r.phase() != NodePhase.HEALTHY) {
        continue;
      }
      NodeInfo n = onEngine.get(r.engineName());
      Release rel = release(r.releaseId());
      if (n == null || rel == null) {
        continue;
      }
      List<DriftFinding> found = d.drift.inspect(r, n, rel);
      if (found.isEmpty()) {
        continue;
      }
      DriftDecision decision = DriftDecision.of(found, settings().drift());
      drifted.addAll(decision.findings());
      if (decision.nodeAction().isPresent()) {
        d.monitor.forget(r.engineName());
        NodeRecord u = r.withPhase(NodePhase.UNHEALTHY, decision.reason());
        rows.put(u.engineName(), u);
        slotCache = null;
        intent.put(u);
      }
    }
  }

  // ---- 2. observe --------------------------------------------------------------------------

  private void observe() {
    for (NodeRecord r : List.copyOf(rows.values())) {
      NodeInfo n = onEngine.get(r.engineName());
      d.fleetOfNode.put(r.engineName(), name);
      NodeRecord u = r;
      if (!u.containerId().equals(n.id()) || !Objects.equals(u.startedAt(), n.startedAt())) {
        u = u.withContainer(n.id(), n.startedAt());
      }
      if (u.phase() == NodePhase.REMOVING) {
        removals.add(new Removal(u, false, null, null));
        continue;
      }
      if (u.phase() == NodePhase.QUARANTINED) {
        if (n.running()) {
          toStop.add(u);
        }
        save(r, u);
        continue;
      }
      if (u.phase() == NodePhase.CREATING) {
        u = u.withPhase(NodePhase.STARTING, "");
      }
      if (u.phase() == NodePhase.STARTING || u.phase() == NodePhase.HEALTHY) {
        if (!n.running()) {
          u = u.withPhase(NodePhase.DEAD, exitReason(n));
          d.monitor.forget(u.engineName());
        } else {
          Release rel = release(u.releaseId());
          NodeHealth v = d.monitor.observe(new ProbeTarget(ref(u), name, u.releaseId(), u.port()),
              rel == null ? Optional.empty() : rel.spec().runtime().health(),
              n.startedAt() == null ? now : n.startedAt(), u.phase() == NodePhase.HEALTHY ? u.healthySince() : null);
          if (v.state() == NodeHealth.State.HEALTHY && u.phase() != NodePhase.HEALTHY) {
            u = u.withPhase(NodePhase.HEALTHY, "").withHealthySince(v.healthySince());
            if (rollout != null && u.releaseId().equals(rollout.toRelease())) {
              progress = true;
            }
          } else if (v.state() == NodeHealth.State.UNHEALTHY) {
            u = u.withPhase(NodePhase.UNHEALTHY, v.reason());
            d.monitor.forget(u.engineName());
          }
          if (u.phase() == NodePhase.STARTING || u.phase() == NodePhase.HEALTHY) {
            u = oomKills(u);
          }
        }
      }
      save(r, u);
      if (u.phase().live() && u.phase() != NodePhase.DEAD && !d.logs.following(u.engineName())) {
        toFollow.add(u);
      }
    }
  }

  /** OOM kills the engine reported for a running node: one event each; too many make it unhealthy. */
  private NodeRecord oomKills(NodeRecord u) {
    OomWatch.Report kills = d.oom.drain(u.containerId(), now);
    if (kills.newKills() == 0) {
      return u;
    }
    Release rel = release(u.releaseId());
    long limit = rel == null ? 0 : rel.spec().runtime().memoryBytes();
    String what = limit > 0 ? "memory limit " + Size.ofBytes(limit) : "no memory limit";
    intent.event(now, name, u.slot(), EventKind.NODE_OOM, u.label() + ": "
        + (kills.newKills() == 1 ? "process" : kills.newKills() + " processes") + " OOM-killed (" + what + ")");
    if (!kills.unhealthy()) {
      return u;
    }
    d.monitor.forget(u.engineName());
    return u.withPhase(NodePhase.UNHEALTHY, "OOM-killed " + kills.recentKills() + " times within "
        + Durations.format(OomWatch.WINDOW) + " (" + what + ")");
  }

  private void save(NodeRecord before, NodeRecord after) {
    if (!after.equals(before)) {
      slotCache = null;
      rows.put(after.engineName(), after);
      intent.put(after);
    }
  }

  // ---- 3. rollout failure ------------------------------------------------------------------

  private void checkRollout() {
    if (rollout == null) {
      return;
    }
    if (progress) {
      setRollout(rollout.withProgress(now));
    }
    for (NodeRecord r : live()) {
      if (bad(r) && r.releaseId().equals(rollout.toRelease())) {
        String failure = "last failure: " + r.label() + ": " + r.reason();
        if (!failure.equals(rollout.reason())) {
          setRollout(rollout.withState(rollout.state(), failure));
        }
        if (canaryPhase() && r.slotIndex() <= canaryCount() && rollout.state() == Rollout.State.RUNNING) {
          fail("canary " + r.label() + " on " + r.releaseId() + ": " + r.reason());
          return;
        }
      }
    }
    if (rollout.state() != Rollout.State.RUNNING) {
      return;
    }
    Duration deadline = settings().rollout().progressDeadline();
    // waiting by design (healthy canaries before promotion, the old blue/green set before its
    // removal) is not a stall
    boolean waiting = canaryPhase() && rollout.canaryHealthySince() != null
        || blueGreenPhase() && rollout.switchedAt() != null;
    if (!deadline.isZero() && !waiting) {
      Instant limit = rollout.progressAt().plus(deadline);
      if (!now.isBefore(limit)) {
        fail("no progress for " + Durations.format(deadline)
            + (rollout.reason().startsWith("last failure: ") ? " (" + rollout.reason() + ")" : ""));
      } else {
        due(limit);
      }
    }
  }

  private void fail(String why) {
    String to = rollout.toRelease();
    Optional<String> good = fleet.lastGoodRelease().filter(g -> !g.equals(to));
    if (!rollout.rollback() && settings().rollout().autoRollback() && good.isPresent()) {
      rollbackTo(good.get(), "rollout of " + to + " failed: " + why + "; rolling back to " + good.get());
    } else {
      String tail = rollout.rollback() ? "; the rollback itself failed: holding, fix and apply again"
          : !settings().rollout().autoRollback() ? "; auto_rollback is off: holding (rollback, abort or apply a fix)"
          : "; there is no earlier good release to return to: holding";
      setRollout(rollout.withState(Rollout.State.FAILED, why));
      intent.event(now, name, "", EventKind.ROLLOUT_FAILED, "rollout of " + to + " failed: " + why + tail);
    }
  }

  private void rollbackTo(String target, String why) {
    intent.event(now, name, "", EventKind.ROLLBACK, why);
    fleet = fleet.withCurrent(target);
    fleetChanged = true;
    setRollout(new Rollout(name, rollout.toRelease(), target, Fleet.Strategy.ROLLING, Rollout.State.RUNNING, now, now,
        null, false, null, true, why));
  }

  // ---- 4. decide ---------------------------------------------------------------------------

  private void removeEverything() {
    for (NodeRecord r : rows.values()) {
      if (r.phase() != NodePhase.REMOVING) {
        plan(new Removal(r, false, EventKind.NODE_REMOVED, r.label() + " removed: fleet " + name + " is being deleted"));
      }
    }
  }

  private void expireQuarantine() {
    for (NodeRecord r : rows.values()) {
      if (r.phase() == NodePhase.QUARANTINED && r.until() != null) {
        if (!now.isBefore(r.until())) {
          plan(new Removal(r, false, EventKind.NODE_REMOVED, "quarantined " + r.label() + " removed: retention of "
              + Durations.format(settings().quarantineRetention()) + " is over"));
        } else {
          due(r.until());
        }
      }
    }
  }

  private void decide() {
    int count = fleet.count();
    Map<Integer, String> why = new HashMap<>();
    // dead or unhealthy nodes go first: they serve nobody, so removing them costs no availability
    for (NodeRecord r : live()) {
      if (!bad(r)) {
        continue;
      }
      if (r.slotIndex() > count) {
        plan(new Removal(r, false, EventKind.NODE_REMOVED, r.label() + " removed: " + r.reason()));
      } else if (DriftDecision.actionOf(r.reason(), settings().drift()).map(a -> a == Fleet.DriftAction.QUARANTINE)
          .orElse(settings().onUnhealthy() == Fleet.OnUnhealthy.QUARANTINE)) {
        plan(new Removal(r, true, EventKind.NODE_QUARANTINED, r.slot() + " quarantined: " + r.reason()
            + "; container kept stopped for " + Durations.format(settings().quarantineRetention())));
        why.put(r.slotIndex(), "replaces quarantined gen " + r.generation());
      } else {
        plan(new Removal(r, false, EventKind.NODE_REPLACED, r.slot() + " replaced: " + r.reason()));
        why.put(r.slotIndex(), "replaces gen " + r.generation() + " (" + r.reason() + ")");
      }
    }
    // scale down: highest index first
    live().stream().filter(r -> r.slotIndex() > count)
        .sorted(Comparator.comparingInt(NodeRecord::slotIndex).reversed().thenComparing(NodeRecord::generation, Comparator.reverseOrder()))
        .forEach(r -> plan(new Removal(r, false, EventKind.NODE_REMOVED,
            r.label() + " removed: fleet scaled to " + count + " node" + (count == 1 ? "" : "s"))));

    int maxSurge = settings().maxSurge(count);
    int minAvailable = Math.max(0, count - settings().maxUnavailable(count));
    boolean blueGreen = blueGreenPhase();
    int maxTotal = blueGreen ? 2 * count : count + maxSurge;
    boolean holding = rollout != null && rollout.state() != Rollout.State.RUNNING;
    Map<Integer, List<NodeRecord>> bySlot = bySlot(count);
    int total = bySlot.values().stream().mapToInt(List::size).sum();
    // availability counts nodes healthy for min_healthy_time, so a new node counts only once it has held up
    int healthy = (int) bySlot.values().stream().flatMap(List::stream).filter(this::ready).count();

    List<Integer> needing = new ArrayList<>();
    for (int slot = 1; slot <= count; slot++) {
      List<NodeRecord> nodes = bySlot.getOrDefault(slot, List.of());
      NodeRecord t = targetNode(slot, nodes);
      if (t == null) {
        needing.add(slot);
        continue;
      }
      for (NodeRecord o : nodes) {
        if (o == t) {
          continue;
        }
        if (o.phase() != NodePhase.HEALTHY) {
          plan(new Removal(o, false, EventKind.NODE_REMOVED, o.label() + " removed: superseded by gen " + t.generation()));
          total--;
        } else if (ready(t) && !keepOld()) {
          plan(new Removal(o, false, EventKind.NODE_REMOVED, o.label() + " removed: replaced by gen " + t.generation()
              + " on " + t.releaseId()));
          total--;
          if (ready(o)) {
            healthy--;
          }
          progress = true;
        }
      }
      if (t.phase() == NodePhase.HEALTHY && !ready(t)) {
        due(t.healthySince().plus(settings().rollout().minHealthyTime()));
      }
    }
    for (int slot : needing) {
      String target = targetFor(slot);
      List<NodeRecord> nodes = bySlot.getOrDefault(slot, List.of()).stream().filter(r -> !planned(r)).toList();
      if (nodes.isEmpty()) {
        String reason = why.getOrDefault(slot, rollout == null && fleet.lastGoodRelease().isEmpty() ? "new fleet" : "fleet needs "
            + count + " node" + (count == 1 ? "" : "s"));
        plan(new Create(slot, target, EventKind.NODE_CREATED, reason));
        total++;
        continue;
      }
      if (holding) {
        continue;
      }
      NodeRecord old = nodes.getLast();
      String reason = rolloutWord() + " " + old.releaseId() + " → " + target;
      if (total < maxTotal) {
        plan(new Create(slot, target, EventKind.NODE_CREATED, reason));
        total++;
      } else if (!ready(old) || healthy - 1 >= minAvailable) {
        plan(new Removal(old, false, EventKind.NODE_REMOVED, old.label() + " removed to make room: " + reason));
        if (ready(old)) {
          healthy--;
        }
        plan(new Create(slot, target, EventKind.NODE_CREATED, reason));
        progress = true;
      }
    }
    if (rollout == null && creates.isEmpty() && removals.isEmpty()) {
      recycleOldest(bySlot, count, total, healthy, maxTotal, minAvailable);
    }
  }

  /** max_age: replace the oldest over-age node, one at a time, only when the fleet is whole. */
  private void recycleOldest(Map<Integer, List<NodeRecord>> bySlot, int count, int total, int healthy, int maxTotal,
      int minAvailable) {
    Optional<Duration> maxAge = settings().maxAge();
    if (maxAge.isEmpty() || count == 0) {
      return;
    }
    for (int slot = 1; slot <= count; slot++) {
      List<NodeRecord> nodes = bySlot.getOrDefault(slot, List.of());
      if (nodes.size() != 1 || !ready(nodes.getFirst())) {
        return;
      }
    }
    NodeRecord oldest = bySlot.values().stream().map(List::getFirst)
        .min(Comparator.comparing(this::bornAt).thenComparing(NodeRecord::slotIndex)).orElseThrow();
    Instant expiry = bornAt(oldest).plus(maxAge.get());
    if (now.isBefore(expiry)) {
      due(expiry);
      return;
    }
    String reason = oldest.slot() + " recycled: older than max_age " + Durations.format(maxAge.get()) + " (age "
        + Durations.format(Duration.between(bornAt(oldest), now).withNanos(0)) + ")";
    if (total < maxTotal) {
      plan(new Create(oldest.slotIndex(), oldest.releaseId(), EventKind.NODE_RECYCLED, reason));
    } else if (healthy - 1 >= minAvailable) {
      plan(new Removal(oldest, false, EventKind.NODE_RECYCLED, reason));
      plan(new Create(oldest.slotIndex(), oldest.releaseId(), EventKind.NODE_CREATED, "replaces recycled gen " + oldest.generation()));
    }
  }

  // ---- 5. rollout milestones ---------------------------------------------------------------

  private void advanceRollout() {
    if (rollout == null) {
      return;
    }
    int count = fleet.count();
    boolean actions = !creates.isEmpty() || !removals.isEmpty();
    if (canaryPhase() && rollout.state() == Rollout.State.RUNNING) {
      boolean settled = true;
      for (int slot = 1; slot <= Math.min(canaryCount(), count); slot++) {
        settled &= settled(slot);
      }
      if (!settled && rollout.canaryHealthySince() != null) {
        setRollout(rollout.withCanaryHealthySince(null));
      } else if (settled && rollout.canaryHealthySince() == null) {
        setRollout(rollout.withCanaryHealthySince(now));
      }
      Duration after = settings().rollout().canary().map(Fleet.Canary::promoteAfter).orElse(Duration.ZERO);
      if (settled && !after.isZero()) {
        Instant at = rollout.canaryHealthySince().plus(after);
        if (!now.isBefore(at)) {
          setRollout(rollout.promote().withProgress(now));
          intent.event(now, name, "", EventKind.ROLLOUT_PROMOTED, "canary of " + rollout.toRelease() + " healthy for "
              + Durations.format(after) + ": promoting it to all " + count + " nodes");
          actionsFollow();
        } else {
          due(at);
        }
      }
      return;
    }
    if (blueGreenPhase() && rollout.switchedAt() == null && rollout.state() == Rollout.State.RUNNING) {
      boolean all = count > 0;
      for (int slot = 1; slot <= count; slot++) {
        all &= settled(slot);
      }
      if (all) {
        switchOver("all " + count + " new nodes healthy");
      }
      return;
    }
    if (blueGreenPhase() && rollout.switchedAt() != null && keepOld()) {
      due(rollout.switchedAt().plus(removeOldAfter()));
    }
    if (actions || keepOld() || canaryPhase() || blueGreenPhase() && rollout.switchedAt() == null) {
      return;
    }
    for (NodeRecord r : live()) {
      if (r.slotIndex() > count) {
        return;
      }
    }
    for (int slot = 1; slot <= count; slot++) {
      if (!settled(slot) || bySlot(count).getOrDefault(slot, List.of()).size() != 1) {
        return;
      }
    }
    String to = rollout.toRelease();
    intent.event(now, name, "", EventKind.ROLLOUT_COMPLETED, (rollout.rollback() ? "rollback to " : "rollout of ") + to
        + " complete: " + count + " node" + (count == 1 ? "" : "s") + " healthy on it");
    fleet = fleet.withLastGood(to);
    fleetChanged = true;
    setRollout(null);
  }

  /** Blue/green: the new set takes over; the old set stays until remove_old_after. */
  void switchOver(String why) {
    setRollout(rollout.switched(now).withProgress(now));
    intent.event(now, name, "", EventKind.ROLLOUT_SWITCHED, why + ": switched " + name + " to " + rollout.toRelease()
        + "; old nodes removed after " + Durations.format(removeOldAfter()));
    due(now.plus(removeOldAfter()));
  }

  private void recordLastGood() {
    if (rollout != null || !creates.isEmpty() || !removals.isEmpty()) {
      return;
    }
    int count = fleet.count();
    if (fleet.lastGoodRelease().filter(fleet.currentRelease()::equals).isPresent()) {
      return;
    }
    for (int slot = 1; slot <= count; slot++) {
      if (!settled(slot)) {
        return;
      }
    }
    fleet = fleet.withLastGood(fleet.currentRelease());
    fleetChanged = true;
    intent.event(now, name, "", EventKind.ROLLOUT_COMPLETED, fleet.currentRelease() + " healthy on all " + count + " node"
        + (count == 1 ? "" : "s"));
  }

  // ---- 6. act ------------------------------------------------------------------------------

  private void act() {
    for (Removal r : removals) {
      if (r.kind() != null) {
        intent.event(now, name, r.row().slot(), r.kind(), r.why());
      }
    }
    holdCreatesWhileBackingOff();
    ensureImages();
    Map<String, Long> generations = new HashMap<>();
    if (!creates.isEmpty()) {
      generations.putAll(d.store.generations(name));
      for (NodeRecord r : rows.values()) {
        generations.merge(r.slot(), r.generation(), Math::max);
      }
    }
    List<NodeRecord> created = new ArrayList<>();
    for (Create c : creates) {
      String slot = settings().nodeName().name(c.slotIndex());
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
    for (Removal r : removals) {
      if (r.quarantine()) {
        Release rel = release(r.row().releaseId());
        String snapshot = "release=" + r.row().releaseId() + "\nport=" + r.row().port() + "\ncontainer=" + r.row().containerId()
            + "\n" + (rel == null ? "" : rel.spec().fingerprint());
        intent.put(r.row().quarantined(r.why(), now.plus(settings().quarantineRetention()), snapshot));
      } else if (r.row().phase() != NodePhase.REMOVING) {
        intent.put(r.row().withPhase(NodePhase.REMOVING, r.why()));
      }
    }
    // recorded before the decisions' batch: a finding is announced once, even if the
    // controller stops between the two (the next pass then acts on the node again)
    for (DriftFinding f : d.driftStore.record(drifted)) {
      if (f.kind() != DriftKind.ORPHAN) { // sync() already made the orphan's event
        intent.event(now, name, f.node(), EventKind.DRIFT_DETECTED,
            f.engineName() + " drift (" + f.kind().keyword() + "): " + f.detail() + " → " + f.action());
      }
    }
    if (fleetChanged) {
      intent.fleet(fleet);
    }
    if (rolloutChanged) {
      if (rollout == null) {
        intent.clearRollout(name);
      } else {
        intent.rollout(rollout);
      }
    }
    d.publish.accept(d.store.commit(intent));
    tellMembers();

    Batch done = new Batch();
    List<Integer> freed = new ArrayList<>();
    try {
      for (NodeInfo s : strays) {
        d.engine.removeNode(s.ref());
        gone(s.name());
      }
      for (Removal r : removals) {
        NodeRef ref = ref(r.row());
        d.monitor.forget(r.row().engineName());
        if (r.quarantine()) {
          d.engine.stopNode(ref, d.stopGrace);
          d.logs.unfollow(r.row().engineName());
        } else {
          d.engine.removeNode(ref);
          d.logs.unfollow(r.row().engineName());
          gone(r.row().engineName());
          done.delete(r.row());
          freed.add(r.row().port());
        }
        log.info("fleet {}: {} {}", name, r.row().engineName(), r.quarantine() ? "quarantined" : "removed");
      }
      for (NodeRecord q : toStop) {
        d.engine.stopNode(ref(q), d.stopGrace);
      }
      for (NodeRecord row : created) {
        start(row, done, freed);
      }
      for (NodeRecord row : toFollow) {
        follow(row);
      }
    } finally {
      d.publish.accept(d.store.commit(done));
      freed.forEach(d.ports::free);
    }
  }

  private void start(NodeRecord row, Batch done, List<Integer> freed) {
    Release rel = release(row.releaseId());
    if (rel == null) {
      throw new TerminalError("release " + row.releaseId() + " of fleet " + name + " is missing from the state");
    }
    ensureImage(rel);
    NodeSpec.RunAs user;
    try {
      user = userOf(rel);
    } catch (RuntimeException e) {
      startFailed(row, done, "cannot tell which user its image runs as: " + e.getMessage(), freed, false);
      return;
    }
    NodeRecord current = row;
    for (int attempt = 1; ; attempt++) {
      NodeSpec spec;
      try {
        spec = d.nodeConfig.prepare(nodeSpec(current, rel, user), new NodeConfig.Launch(name, current.slot(), current.slotIndex(), rel));
      } catch (RuntimeException e) {
        if (DbException.needingOperator(e).isPresent()) {
          throw e; // a damaged herd.db is no failure of this node: the pass stops (see Controller#reconcile)
        }
        // no config, no node: a node must never run without the config its release pins
        startFailed(current, done, "cannot give it its config: " + e.getMessage(), freed, false);
        return;
      }
      try {
        NodeInfo info = d.engine.startNode(spec);
        NodeRecord started = current.withContainer(info.id(), info.startedAt() == null ? now : info.startedAt())
            .withPhase(NodePhase.STARTING, "");
        done.put(started);
        rows.put(started.engineName(), started);
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
          startFailed(current, done, "port " + current.port() + " is taken on the host", freed, false);
          return;
        }
        int port = d.ports.lease(name, current.engineName(), done);
        current = new NodeRecord(current.engineName(), name, current.slot(), current.slotIndex(), current.generation(), "",
            current.releaseId(), port, NodePhase.CREATING, now, null, null, "", null, "");
        done.put(current);
      } catch (NameConflict e) {
        // a container has this name: the next generation's name avoids it; its files are that container's
        startFailed(current, done, e.getMessage(), freed, true);
        return;
      } catch (ImageMissing e) {
        startFailed(current, done, e.getMessage(), freed, false);
        throw new TerminalError("image " + rel.spec().imageDigest() + " of " + rel.id() + " is not on the engine: " + e.getMessage());
      } catch (EngineUnreachable e) {
        throw e;
      } catch (EngineException e) {
        // the engine refused to create or start it; DockerApiEngine removes a half-made container
        startFailed(current, done, e.getMessage(), freed, false);
        return;
      }
    }
  }

  /**
   * A node that did not start gives back its port lease and, when no container ever had its name,
   * its generation, files and token. The failure is said once per distinct reason, and the fleet's
   * starts back off.
   */
  private void startFailed(NodeRecord row, Batch done, String why, List<Integer> freed, boolean nameTaken) {
    done.delete(row);
    if (!nameTaken) {
      done.unusedGeneration(name, row.slot(), row.generation());
      gone(row.engineName()); // a node that never ran keeps no files or token
    }
    freed.add(row.port());
    rows.remove(row.engineName());
    // one reason for the whole fleet: node names would make every attempt look new
    startsBlocked(done, why.replace(ref(row).containerName(), "its container")
        .replace(ref(row).toString(), "a node").replace(row.engineName(), "a node"));
    if (rollout != null && row.releaseId().equals(rollout.toRelease())) {
      // remembered for the progress deadline's message on the next pass
      Rollout r = rollout.withState(rollout.state(), "last failure: " + row.label() + " failed to start: " + why);
      done.rollout(r);
    }
  }

  /** While the fleet's starts back off after a failure, nothing new is created. */
  private void holdCreatesWhileBackingOff() {
    Deps.StartFailure f = d.startFailures.get(name);
    if (f != null && now.isBefore(f.retryAt()) && !creates.isEmpty()) {
      creates.clear();
      due(f.retryAt());
    }
  }

  /**
   * Loads the images of the nodes to create before anything is recorded for them: a node whose
   * image the engine refuses is not created at all (no port lease, no generation, no event per
   * node); the refusal is said once and the fleet retries with backoff.
   */
  private void ensureImages() {
    Map<String, String> refused = new LinkedHashMap<>();
    for (Create c : List.copyOf(creates)) {
      Release rel = release(c.releaseId());
      if (rel == null) {
        continue; // start() reports the missing release
      }
      String digest = rel.spec().imageDigest();
      if (!refused.containsKey(digest)) {
        try {
          ensureImage(rel);
          continue;
        } catch (EngineUnreachable e) {
          throw e;
        } catch (EngineException | TerminalError e) {
          refused.put(digest, "image " + digest.substring(7, 19) + " of " + rel.id() + " cannot be loaded: " + e.getMessage());
        }
      }
      creates.remove(c);
    }
    refused.values().forEach(why -> startsBlocked(intent, why));
  }

  /**
   * Records a start failure of the fleet: an event and a log line only for a reason not said
   * before; one backoff step per pass, however many nodes failed in it.
   */
  private void startsBlocked(Batch batch, String why) {
    Deps.StartFailure prev = d.startFailures.get(name);
    java.util.Set<String> said = new java.util.HashSet<>(prev == null ? java.util.Set.of() : prev.said());
    boolean isNew = said.add(why);
    int attempts = prev == null ? 1 : blockedThisPass ? prev.attempts() : prev.attempts() + 1;
    Instant retryAt = blockedThisPass && prev != null ? prev.retryAt()
        : now.plus(dev.herd.control.loop.ReconcileLoop.backoff(attempts));
    blockedThisPass = true;
    d.startFailures.put(name, new Deps.StartFailure(said, attempts, retryAt));
    due(retryAt);
    if (isNew) {
      batch.event(now, name, "", EventKind.NODE_START_FAILED, "fleet " + name + " cannot start nodes: " + why
          + " (retrying with backoff; said again only if the reason changes)");
      log.warn("fleet {}: cannot start nodes: {} (retrying with backoff)", name, why);
    }
  }

  private void ensureImage(Release rel) {
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
        .cpus(rt.cpus()).runAs(user).build();
  }

  // ---- config service ----------------------------------------------------------------------

  /** The fleet's live nodes as recorded now; serving ones are what discovery lists. */
  private void tellMembers() {
    List<NodeConfig.Member> members = new ArrayList<>();
    for (NodeRecord r : rows.values()) {
      if (!r.phase().live() || r.phase() == NodePhase.CREATING || planned(r)) {
        continue;
      }
      boolean serving = r.phase() == NodePhase.HEALTHY && !fleet.deleted() && onServingSide(r);
      members.add(new NodeConfig.Member(r.engineName(), r.slot(), r.slotIndex(), r.port(), r.releaseId(), serving));
    }
    try {
      d.nodeConfig.members(name, members);
    } catch (RuntimeException e) {
      log.warn("fleet {}: discovery and node files not updated: {}", name, e.getMessage());
    }
  }

  /** Blue/green before the switch serves the old set, after it the new one; other strategies serve every healthy node. */
  private boolean onServingSide(NodeRecord r) {
    if (rollout == null || rollout.strategy() != Fleet.Strategy.BLUE_GREEN || rollout.rollback()) {
      return true;
    }
    return r.releaseId().equals(rollout.switchedAt() == null ? rollout.fromRelease() : rollout.toRelease());
  }

  private void gone(String engineName) {
    try {
      d.nodeConfig.removed(name, engineName);
    } catch (RuntimeException e) {
      log.warn("fleet {}: files or token of {} not cleaned up: {}", name, engineName, e.getMessage());
    }
  }

  // ---- helpers -----------------------------------------------------------------------------

  private FleetSettings settings() {
    return fleet.settings();
  }

  private void setRollout(Rollout r) {
    rollout = r;
    rolloutChanged = true;
  }

  private void plan(Removal r) {
    if (plannedNames.add(r.row().engineName())) {
      removals.add(r);
      slotCache = null;
    }
  }

  private void plan(Create c) {
    creates.add(c);
  }

  private boolean planned(NodeRecord r) {
    return plannedNames.contains(r.engineName());
  }

  /** Nodes that occupy a slot and are not already on their way out. */
  private List<NodeRecord> live() {
    return rows.values().stream().filter(r -> r.phase().live() && r.phase() != NodePhase.CREATING && !planned(r)).toList();
  }

  /** Live nodes of slots 1..count by slot; cached until the next planned removal. */
  private Map<Integer, List<NodeRecord>> bySlot(int count) {
    if (slotCache == null || count != fleet.count()) {
      Map<Integer, List<NodeRecord>> m = live().stream().filter(r -> r.slotIndex() <= count)
          .collect(Collectors.groupingBy(NodeRecord::slotIndex, TreeMap::new, Collectors.toList()));
      if (count != fleet.count()) {
        return m;
      }
      slotCache = m;
    }
    return slotCache;
  }

  private static boolean bad(NodeRecord r) {
    return r.phase() == NodePhase.DEAD || r.phase() == NodePhase.UNHEALTHY;
  }

  private boolean ready(NodeRecord r) {
    return r.phase() == NodePhase.HEALTHY && r.healthySince() != null
        && !now.isBefore(r.healthySince().plus(settings().rollout().minHealthyTime()));
  }

  /** The newest node of the slot on the slot's target release, or null. */
  private NodeRecord targetNode(int slot, List<NodeRecord> nodes) {
    String target = targetFor(slot);
    NodeRecord best = null;
    for (NodeRecord r : nodes) {
      if (r.releaseId().equals(target) && (best == null || r.generation() > best.generation())) {
        best = r;
      }
    }
    return best;
  }

  /** The slot has its target node, ready, and nothing else (except the old set blue/green keeps). */
  private boolean settled(int slot) {
    List<NodeRecord> nodes = bySlot(fleet.count()).getOrDefault(slot, List.of());
    NodeRecord t = targetNode(slot, nodes);
    return t != null && ready(t) && (nodes.size() == 1 || keepOld());
  }

  private String targetFor(int slot) {
    if (rollout == null) {
      return fleet.currentRelease();
    }
    if (canaryPhase() && slot > canaryCount()) {
      return rollout.fromRelease();
    }
    return rollout.toRelease();
  }

  private boolean canaryPhase() {
    return rollout != null && rollout.strategy() == Fleet.Strategy.CANARY && !rollout.rollback() && !rollout.promoted();
  }

  private int canaryCount() {
    return settings().rollout().canary().map(Fleet.Canary::count).orElse(1);
  }

  private boolean blueGreenPhase() {
    return rollout != null && rollout.strategy() == Fleet.Strategy.BLUE_GREEN && !rollout.rollback();
  }

  private Duration removeOldAfter() {
    return settings().rollout().blueGreen().map(Fleet.BlueGreen::removeOldAfter).orElse(Duration.ZERO);
  }

  /** Blue/green keeps the old set running until remove_old_after past the switch. */
  private boolean keepOld() {
    return blueGreenPhase() && (rollout.switchedAt() == null || now.isBefore(rollout.switchedAt().plus(removeOldAfter())));
  }

  private String rolloutWord() {
    if (rollout == null) {
      return "update";
    }
    return rollout.rollback() ? "rollback" : rollout.strategy().keyword().replace('_', '-') + " update";
  }

  private void actionsFollow() {
    due(now);
  }

  private Instant bornAt(NodeRecord r) {
    return r.startedAt() != null ? r.startedAt() : r.createdAt();
  }

  private Release release(String id) {
    return releases.computeIfAbsent(id, k -> d.store.release(k).orElse(null));
  }

  private NodeRef ref(NodeRecord r) {
    return new NodeRef(d.project, r.engineName());
  }

  private void due(Instant t) {
    due = due == null ? t : min(due, t);
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  static String exitReason(NodeInfo n) {
    if (n.oomKilled()) {
      return "killed: out of memory" + (n.exitCode() == null ? "" : " (exit code " + n.exitCode() + ")");
    }
    return n.exitCode() == null ? "stopped (" + n.state().name().toLowerCase() + ")" : "exited with code " + n.exitCode();
  }
}
