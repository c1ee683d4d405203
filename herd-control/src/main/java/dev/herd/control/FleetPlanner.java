package dev.herd.control;

import dev.herd.control.FleetPlan.Create;
import dev.herd.control.FleetPlan.PlannedEvent;
import dev.herd.control.FleetPlan.Removal;
import dev.herd.control.drift.DriftDecision;
import dev.herd.control.drift.DriftFinding;
import dev.herd.control.drift.DriftKind;
import dev.herd.control.health.NodeHealth;
import dev.herd.control.health.OomWatch;
import dev.herd.control.state.EventKind;
import dev.herd.control.state.FleetSettings;
import dev.herd.control.state.NodePhase;
import dev.herd.control.state.NodeRecord;
import dev.herd.control.state.Release;
import dev.herd.engine.NodeInfo;
import dev.herd.spec.Durations;
import dev.herd.spec.Fleet;
import dev.herd.spec.Size;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Decides one round of one fleet: {@link #plan(FleetSnapshot)} turns what was observed into what
 * to do (adopt, record, create, remove, quarantine, events, the next wake-up). A pure function:
 * no engine, no database, no clock but the snapshot's, so every situation is a test in memory.
 *
 * <p>Order of decisions: recorded vs actual (adopt, drop vanished, strays), drift, health, then
 * for a live fleet quarantine expiry, rollout failure, slot decisions, rollout milestones.
 */
final class FleetPlanner implements RolloutMachine.Slots {

  private final FleetSnapshot s;
  private final String name;
  private final Instant now;
  private final List<PlannedEvent> events = new ArrayList<>();
  private final RolloutMachine rollout;
  private final Map<String, NodeInfo> onEngine = new LinkedHashMap<>();
  private final Map<String, NodeRecord> rows = new LinkedHashMap<>();
  private final List<NodeRecord> adopted = new ArrayList<>();
  private final Map<String, NodeRecord> updates = new LinkedHashMap<>();
  private final List<NodeRecord> dropped = new ArrayList<>();
  private final List<Create> creates = new ArrayList<>();
  private final List<Removal> removals = new ArrayList<>();
  private final Set<String> plannedNames = new HashSet<>();
  private final List<NodeInfo> strays = new ArrayList<>();
  private final List<DriftFinding> drifted = new ArrayList<>();
  private final List<NodeRecord> stops = new ArrayList<>();
  private final List<String> forget = new ArrayList<>();
  private final Map<Integer, CrashLoop> crashLoops;
  private Map<Integer, List<NodeRecord>> slotCache;
  private boolean progress;
  private Instant due;
  private String waiting;

  private FleetPlanner(FleetSnapshot s) {
    this.s = s;
    this.name = s.fleet().name();
    this.now = s.now();
    this.rollout = new RolloutMachine(s.fleet(), s.rollout(), now, events, this::due);
    s.engineNodes().forEach(n -> onEngine.put(n.name(), n));
    s.records().forEach(r -> rows.put(r.engineName(), r));
    this.crashLoops = new TreeMap<>(s.crashLoops());
  }

  static FleetPlan plan(FleetSnapshot snapshot) {
    return new FleetPlanner(snapshot).run();
  }

  private FleetPlan run() {
    boolean deleted = s.fleet().deleted();
    sync();
    if (!deleted) {
      drift();
    }
    health();
    if (deleted) {
      removeEverything();
    } else {
      expireQuarantine();
      rollout.check(live(), progress);
      decide();
      rollout.retired(progress);
      boolean actions = !creates.isEmpty() || !removals.isEmpty();
      rollout.advance(this, actions);
      rollout.recordLastGood(this, actions);
    }
    boolean gone = deleted && rows.isEmpty() && onEngine.isEmpty() && s.removing().isEmpty();
    for (Removal r : removals) {
      if (r.kind() != null) {
        events.add(new PlannedEvent(r.row().slot(), r.kind(), r.why()));
      }
    }
    holdCreatesWhileBackingOff();
    crashLoops.keySet().removeIf(slot -> deleted || slot > count());
    for (Removal r : removals) {
      if (r.quarantine()) {
        Release rel = s.releases().get(r.row().releaseId());
        String snapshot = "release=" + r.row().releaseId() + "\nport=" + r.row().port() + "\ncontainer=" + r.row().containerId()
            + "\n" + (rel == null ? "" : rel.spec().fingerprint());
        update(r.row().quarantined(r.why(), now.plus(settings().quarantineRetention()), snapshot));
      } else if (r.row().phase() != NodePhase.REMOVING) {
        update(r.row().withPhase(NodePhase.REMOVING, r.why()));
      }
    }
    return new FleetPlan(name, adopted, List.copyOf(updates.values()), dropped, creates, removals, stops, strays, forget,
        drifted, events, rollout.fleetUpdate(), rollout.rolloutUpdate(), rows, gone, Optional.ofNullable(due), drains(),
        Optional.ofNullable(waiting), crashLoops);
  }

  /**
   * The nodes leaving this round that the front door may still send requests to: a running node
   * that was healthy (or turned unhealthy or drifted this round, or was being removed when a
   * controller stopped). Draining one that never served costs nothing; skipping one that serves
   * fails its requests in flight.
   */
  private List<FleetPlan.Drain> drains() {
    if (settings().expose().isEmpty()) {
      return List.of();
    }
    Duration timeout = settings().expose().get().drainTimeout();
    List<FleetPlan.Drain> out = new ArrayList<>();
    List<NodeRecord> leaving = new ArrayList<>();
    removals.forEach(r -> leaving.add(r.row()));
    leaving.addAll(stops);
    for (NodeRecord r : leaving) {
      NodeInfo n = onEngine.get(r.engineName());
      boolean mayServe = switch (r.phase()) {
        case HEALTHY, UNHEALTHY, REMOVING, QUARANTINED -> true;
        default -> false;
      };
      if (n != null && n.running() && mayServe) {
        out.add(new FleetPlan.Drain(r, timeout));
      }
    }
    return out;
  }

  // ---- recorded vs actual ------------------------------------------------------------------

  /**
   * The record an engine node without one gets (the controller stopped between start and
   * record), or empty when the container is no node of the fleet (a stray).
   */
  static Optional<NodeRecord> adoption(dev.herd.control.state.FleetRecord fleet, NodeInfo n, Optional<Release> rel, Instant now) {
    String slot = NodeRecord.slotOf(n.name(), n.generation());
    int index = slot == null ? -1 : SlotNames.indexOf(fleet.settings().nodeName(), slot);
    if (index < 1 || fleet.deleted()) {
      return Optional.empty();
    }
    NodePhase phase = adoptedPhase(fleet, n, rel, now);
    return Optional.of(new NodeRecord(n.name(), fleet.name(), slot, index, n.generation(), n.id(), n.releaseId(), n.port(),
        phase, n.createdAt() == null ? now : n.createdAt(), n.startedAt(), phase == NodePhase.HEALTHY ? n.startedAt() : null,
        n.running() ? "" : exitReason(n), null, ""));
  }

  /**
   * A running node found without a record that has run longer than its start grace plus
   * min_healthy_time was serving before herd lost track of it (herd.db restored from an older
   * copy): it is adopted healthy and ready, so the availability limit protects it like any node,
   * until its probes say otherwise. A younger one (a controller killed right after starting it)
   * is adopted starting and must prove itself, as a node herd just started would.
   */
  private static NodePhase adoptedPhase(dev.herd.control.state.FleetRecord fleet, NodeInfo n, Optional<Release> rel,
      Instant now) {
    if (!n.running()) {
      return NodePhase.DEAD;
    }
    Duration grace = rel.flatMap(r -> r.spec().runtime().health()).map(dev.herd.spec.Health::startGrace).orElse(Duration.ZERO);
    Duration settle = grace.plus(fleet.settings().rollout().minHealthyTime());
    return n.startedAt() != null && !n.startedAt().plus(settle).isAfter(now) ? NodePhase.HEALTHY : NodePhase.STARTING;
  }

  private void sync() {
    for (NodeInfo n : onEngine.values()) {
      if (rows.containsKey(n.name()) || s.removing().contains(n.name())) {
        continue; // recorded, or its removal is finishing (its record already deleted): no adoption
      }
      Optional<NodeRecord> a = adoption(s.fleet(), n, Optional.ofNullable(s.releases().get(n.releaseId())), now);
      if (a.isEmpty()) {
        String what = "container " + n.ref().containerName() + " carries fleet " + name + "'s labels but is no node of it";
        strays.add(n);
        drifted.add(new DriftFinding(now, name, n.name(), n.ref().containerName(), DriftKind.ORPHAN, what,
            DriftFinding.REMOVED, "orphan:" + n.id()));
        String slot = NodeRecord.slotOf(n.name(), n.generation());
        boolean fits = slot != null && SlotNames.indexOf(settings().nodeName(), slot) >= 1;
        event(n.name(), EventKind.ORPHAN_REMOVED, what + (fits ? " (the fleet is being deleted)"
            : " (its name does not follow the pattern " + settings().nodeName() + ")") + ": removing it");
        continue;
      }
      NodeRecord r = a.get();
      rows.put(r.engineName(), r);
      adopted.add(r);
      updates.put(r.engineName(), r);
      event(r.slot(), EventKind.NODE_ADOPTED, r.label() + " adopted: found on the engine running release "
          + n.releaseId() + " without a record (the controller stopped mid-change, or herd.db was restored from an older copy)");
    }
    for (NodeRecord r : List.copyOf(rows.values())) {
      if (onEngine.containsKey(r.engineName())) {
        continue;
      }
      rows.remove(r.engineName());
      if (s.removing().contains(r.engineName())) {
        continue; // its removal is still running: that round deletes the record and frees the port, once
      }
      dropped.add(r);
      forget.add(r.engineName());
      switch (r.phase()) {
        case CREATING, REMOVING -> { } // the controller stopped before the engine had it, or mid-removal
        case QUARANTINED -> event(r.slot(), EventKind.NODE_REMOVED,
            "quarantined " + r.label() + " is gone from the engine (removed outside herd)");
        default -> event(r.slot(), EventKind.NODE_VANISHED, r.label() + " disappeared from the engine (removed outside herd)");
      }
    }
  }

  /**
   * Running nodes that drifted from their release: findings are recorded; a node whose policy
   * says replace or quarantine turns unhealthy with the drift as reason, so this round acts on it.
   */
  private void drift() {
    for (NodeRecord r : List.copyOf(rows.values())) {
      if (r.phase() != NodePhase.STARTING && r.phase() != NodePhase.HEALTHY) {
        continue;
      }
      List<DriftFinding> found = s.drift().getOrDefault(r.engineName(), List.of());
      if (found.isEmpty() || !onEngine.containsKey(r.engineName()) || !s.releases().containsKey(r.releaseId())) {
        continue;
      }
      DriftDecision decision = DriftDecision.of(found, settings().drift());
      drifted.addAll(decision.findings());
      if (decision.nodeAction().isPresent()) {
        forget.add(r.engineName());
        save(r, r.withPhase(NodePhase.UNHEALTHY, decision.reason()));
      }
    }
  }

  private void health() {
    for (NodeRecord r : List.copyOf(rows.values())) {
      NodeInfo n = onEngine.get(r.engineName());
      NodeRecord u = r;
      if (!u.containerId().equals(n.id()) || !java.util.Objects.equals(u.startedAt(), n.startedAt())) {
        u = u.withContainer(n.id(), n.startedAt());
      }
      if (u.phase() == NodePhase.REMOVING) {
        if (!s.removing().contains(u.engineName())) {
          removals.add(new Removal(u, false, null, null)); // decided earlier, not running now (a restart): finish it
        }
        continue;
      }
      if (u.phase() == NodePhase.QUARANTINED) {
        if (n.running()) {
          stops.add(u);
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
          forget.add(u.engineName());
          died(u, n);
        } else {
          NodeHealth v = s.health().get(u.engineName());
          if (v != null && v.state() == NodeHealth.State.HEALTHY && u.phase() != NodePhase.HEALTHY) {
            u = u.withPhase(NodePhase.HEALTHY, "").withHealthySince(v.healthySince());
            if (rollout.targets(u)) {
              progress = true;
            }
          } else if (v != null && v.state() == NodeHealth.State.UNHEALTHY) {
            u = u.withPhase(NodePhase.UNHEALTHY, v.reason());
            forget.add(u.engineName());
          }
          if (u.phase() == NodePhase.STARTING || u.phase() == NodePhase.HEALTHY) {
            u = oomKills(u);
          }
          if (u.phase() == NodePhase.HEALTHY && u.startedAt() != null && !now.isBefore(u.startedAt().plus(CrashLoop.QUICK))) {
            NodeRecord held = u;
            // a node of the slot's release that held up past the quick window ends its crash loop
            crashLoops.computeIfPresent(u.slotIndex(), (k, c) -> c.releaseId().equals(held.releaseId()) ? null : c);
          }
        }
      }
      save(r, u);
    }
  }

  /**
   * A node that died: a quick death (before it was ever healthy, or within {@link CrashLoop#QUICK}
   * of its start) counts towards its slot's crash loop, and the slot's next start waits
   * {@link CrashLoop#delay}; said once, when the slot starts waiting. A node that ran longer is
   * replaced at once, and ends the slot's crash loop.
   */
  private void died(NodeRecord r, NodeInfo n) {
    Instant end = n.finishedAt() != null ? n.finishedAt() : now;
    boolean quick = r.healthySince() == null || r.startedAt() == null || end.isBefore(r.startedAt().plus(CrashLoop.QUICK));
    if (!quick) {
      crashLoops.remove(r.slotIndex());
      return;
    }
    CrashLoop prev = crashLoops.get(r.slotIndex());
    int deaths = prev != null && prev.releaseId().equals(r.releaseId()) ? prev.deaths() + 1 : 1;
    Duration wait = CrashLoop.delay(deaths);
    crashLoops.put(r.slotIndex(), new CrashLoop(r.releaseId(), deaths, now.plus(wait)));
    if (deaths == 2) {
      event(r.slot(), EventKind.NODE_CRASHLOOP, r.slot() + " died " + deaths + " times within "
          + Durations.format(CrashLoop.QUICK) + " of starting (" + r.reason() + "); next start in " + Durations.format(wait)
          + ", waiting twice as long after each quick death (up to " + Durations.format(CrashLoop.CAP) + ")");
    }
  }

  /** True when the slot's next start on {@code target} waits for its crash-loop backoff (the round wakes then). */
  private boolean backingOff(int slot, String target) {
    CrashLoop c = crashLoops.get(slot);
    if (c == null || !c.releaseId().equals(target) || !now.isBefore(c.retryAt())) {
      return false;
    }
    due(c.retryAt());
    return true;
  }

  /** OOM kills the engine reported for a running node: one event each round; too many make it unhealthy. */
  private NodeRecord oomKills(NodeRecord u) {
    OomWatch.Report kills = s.oom().getOrDefault(u.engineName(), OomWatch.Report.NONE);
    if (kills.newKills() == 0) {
      return u;
    }
    Release rel = s.releases().get(u.releaseId());
    long limit = rel == null ? 0 : rel.spec().runtime().memoryBytes();
    String what = limit > 0 ? "memory limit " + Size.ofBytes(limit) : "no memory limit";
    event(u.slot(), EventKind.NODE_OOM, u.label() + ": "
        + (kills.newKills() == 1 ? "process" : kills.newKills() + " processes") + " OOM-killed (" + what + ")");
    if (!kills.unhealthy()) {
      return u;
    }
    forget.add(u.engineName());
    return u.withPhase(NodePhase.UNHEALTHY, "OOM-killed " + kills.recentKills() + " times within "
        + Durations.format(OomWatch.WINDOW) + " (" + what + ")");
  }

  private void save(NodeRecord before, NodeRecord after) {
    if (!after.equals(before)) {
      slotCache = null;
      rows.put(after.engineName(), after);
      update(after);
    }
  }

  private void update(NodeRecord r) {
    updates.put(r.engineName(), r);
  }

  // ---- decisions ---------------------------------------------------------------------------

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
    int count = count();
    Map<Integer, String> why = new HashMap<>();
    // dead or unhealthy nodes go first: they serve nobody, so removing them costs no availability
    for (NodeRecord r : live()) {
      if (!RolloutMachine.bad(r)) {
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
    int maxTotal = rollout.blueGreenPhase() ? 2 * count : count + maxSurge;
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
        } else if (ready(t) && !rollout.keepOld()) {
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
    Optional<String> after = needing.isEmpty() ? Optional.empty() : startAfterDependencies();
    for (int slot : needing) {
      String target = rollout.targetFor(slot);
      List<NodeRecord> nodes = bySlot.getOrDefault(slot, List.of()).stream().filter(r -> !planned(r)).toList();
      if (backingOff(slot, target)) {
        if (!nodes.isEmpty()) {
          total++; // a rollout's slot waiting out its crash loop keeps its surge room: the bad release spreads no faster
        }
        continue;
      }
      if (nodes.isEmpty()) {
        if (waiting != null) {
          continue;
        }
        CrashLoop loop = crashLoops.get(slot);
        String reason = why.getOrDefault(slot, loop != null && loop.deaths() > 1 && loop.releaseId().equals(target)
            ? "starts again after " + loop.deaths() + " quick deaths in a row (crash-loop backoff)"
            : !rollout.active() && s.fleet().lastGoodRelease().isEmpty() ? "new fleet"
            : "fleet needs " + count + " node" + (count == 1 ? "" : "s")) + after.orElse("");
        creates.add(new Create(slot, target, EventKind.NODE_CREATED, reason));
        total++;
        continue;
      }
      if (rollout.holding()) {
        continue;
      }
      NodeRecord old = nodes.getLast();
      String reason = rollout.word() + " " + old.releaseId() + " → " + target;
      if (total < maxTotal) {
        creates.add(new Create(slot, target, EventKind.NODE_CREATED, reason));
        total++;
      } else if (!ready(old) || healthy - 1 >= minAvailable) {
        plan(new Removal(old, false, EventKind.NODE_REMOVED, old.label() + " removed to make room: " + reason));
        if (ready(old)) {
          healthy--;
        }
        creates.add(new Create(slot, target, EventKind.NODE_CREATED, reason));
        progress = true;
      }
    }
    if (!rollout.active() && creates.isEmpty() && removals.isEmpty()) {
      recycleOldest(bySlot, count, total, healthy, maxTotal, minAvailable);
    }
  }

  /**
   * depends_on: a fleet that has no node running or on its way (a first start, after herd down,
   * after all its nodes died) starts only once every fleet it depends on has all its nodes
   * healthy; until then it waits, said once per change of what it waits for. A fleet that runs
   * is never held: its rollouts and healing do not wait for anyone. Returns what the creates'
   * reasons add ("; db, cache healthy"), and sets {@link #waiting} when the fleet waits.
   */
  private Optional<String> startAfterDependencies() {
    if (s.dependencies().isEmpty() || rows.values().stream().anyMatch(r -> !planned(r) && (r.phase() == NodePhase.CREATING
        || r.phase() == NodePhase.STARTING || r.phase() == NodePhase.HEALTHY))) {
      return Optional.empty();
    }
    List<FleetSnapshot.Dependency> pending = s.dependencies().stream().filter(d -> !d.ready()).toList();
    if (pending.isEmpty()) {
      return Optional.of("; " + s.dependencies().stream().map(FleetSnapshot.Dependency::fleet)
          .collect(Collectors.joining(", ")) + (s.dependencies().size() == 1 ? " is" : " are") + " healthy");
    }
    waiting = name + " waits for " + pending.stream().map(FleetSnapshot.Dependency::waitingFor).collect(Collectors.joining(", "))
        + " before starting its nodes";
    if (!waiting.equals(s.waitSaid().orElse(null))) {
      event("", EventKind.FLEET_WAITING, waiting);
    }
    return Optional.empty();
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
        .min(Comparator.comparing(FleetPlanner::bornAt).thenComparing(NodeRecord::slotIndex)).orElseThrow();
    Instant expiry = bornAt(oldest).plus(maxAge.get());
    if (now.isBefore(expiry)) {
      due(expiry);
      return;
    }
    String reason = oldest.slot() + " recycled: older than max_age " + Durations.format(maxAge.get()) + " (age "
        + Durations.format(Duration.between(bornAt(oldest), now).withNanos(0)) + ")";
    if (total < maxTotal) {
      creates.add(new Create(oldest.slotIndex(), oldest.releaseId(), EventKind.NODE_RECYCLED, reason));
    } else if (healthy - 1 >= minAvailable) {
      plan(new Removal(oldest, false, EventKind.NODE_RECYCLED, reason));
      creates.add(new Create(oldest.slotIndex(), oldest.releaseId(), EventKind.NODE_CREATED,
          "replaces recycled gen " + oldest.generation()));
    }
  }

  /** While the fleet's starts back off after a failure, nothing new is created. */
  private void holdCreatesWhileBackingOff() {
    s.startFailure().filter(f -> now.isBefore(f.retryAt()) && !creates.isEmpty()).ifPresent(f -> {
      creates.clear();
      due(f.retryAt());
    });
  }

  // ---- the slots (RolloutMachine.Slots) ----------------------------------------------------

  @Override
  public boolean settled(int slot) {
    List<NodeRecord> nodes = bySlot(count()).getOrDefault(slot, List.of());
    NodeRecord t = targetNode(slot, nodes);
    return t != null && ready(t) && (nodes.size() == 1 || rollout.keepOld());
  }

  @Override
  public int size(int slot) {
    return bySlot(count()).getOrDefault(slot, List.of()).size();
  }

  @Override
  public boolean anyAbove(int count) {
    return live().stream().anyMatch(r -> r.slotIndex() > count);
  }

  // ---- helpers -----------------------------------------------------------------------------

  private int count() {
    return rollout.fleet().count();
  }

  private FleetSettings settings() {
    return rollout.fleet().settings();
  }

  private void plan(Removal r) {
    if (plannedNames.add(r.row().engineName())) {
      removals.add(r);
      slotCache = null;
    }
  }

  private boolean planned(NodeRecord r) {
    return plannedNames.contains(r.engineName());
  }

  /** Nodes that occupy a slot and are not already on their way out. */
  private List<NodeRecord> live() {
    return rows.values().stream().filter(r -> r.phase().live() && r.phase() != NodePhase.CREATING && !planned(r)).toList();
  }

  /** Live nodes of slots 1..count by slot; cached until the next planned removal or record change. */
  private Map<Integer, List<NodeRecord>> bySlot(int count) {
    if (slotCache == null) {
      slotCache = live().stream().filter(r -> r.slotIndex() <= count)
          .collect(Collectors.groupingBy(NodeRecord::slotIndex, TreeMap::new, Collectors.toList()));
    }
    return slotCache;
  }

  private boolean ready(NodeRecord r) {
    return r.phase() == NodePhase.HEALTHY && r.healthySince() != null
        && !now.isBefore(r.healthySince().plus(settings().rollout().minHealthyTime()));
  }

  /** The newest node of the slot on the slot's target release, or null. */
  private NodeRecord targetNode(int slot, List<NodeRecord> nodes) {
    String target = rollout.targetFor(slot);
    NodeRecord best = null;
    for (NodeRecord r : nodes) {
      if (r.releaseId().equals(target) && (best == null || r.generation() > best.generation())) {
        best = r;
      }
    }
    return best;
  }

  private static Instant bornAt(NodeRecord r) {
    return r.startedAt() != null ? r.startedAt() : r.createdAt();
  }

  private void event(String node, EventKind kind, String reason) {
    events.add(new PlannedEvent(node, kind, reason));
  }

  private void due(Instant t) {
    due = due == null || t.isBefore(due) ? t : due;
  }

  static String exitReason(NodeInfo n) {
    if (n.oomKilled()) {
      return "killed: out of memory" + (n.exitCode() == null ? "" : " (exit code " + n.exitCode() + ")");
    }
    return n.exitCode() == null ? "stopped (" + n.state().name().toLowerCase() + ")" : "exited with code " + n.exitCode();
  }
}
