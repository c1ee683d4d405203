package dev.herd.control;

import dev.herd.control.drift.DriftDecision;
import dev.herd.control.drift.DriftFinding;
import dev.herd.control.health.NodeHealth;
import dev.herd.control.health.OomWatch;
import dev.herd.control.health.ProbeTarget;
import dev.herd.control.state.FleetRecord;
import dev.herd.control.state.NodePhase;
import dev.herd.control.state.NodeRecord;
import dev.herd.control.state.Release;
import dev.herd.control.state.Rollout;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.NodeRef;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Takes a fleet's {@link FleetSnapshot}: one label-filtered engine list, one read of its records
 * and releases, and the health monitor's and drift detector's verdicts for its running nodes.
 * Reads only; the probes it starts watching are the monitor's business.
 */
final class FleetObserver {
  private FleetObserver() {}

  static FleetSnapshot observe(Deps d, FleetRecord fleet, Optional<Rollout> rollout) {
    // taken before the engine list and the records: a removal that ends after this is still in
    // flight for this round (its container may be listed while its record is already gone); one
    // that ended before it has already deleted both
    java.util.Set<String> removing = d.removing.isEmpty() ? java.util.Set.of() : java.util.Set.copyOf(d.removing);
    Instant now = d.clock.instant();
    String name = fleet.name();
    List<NodeInfo> onEngine = d.engine.listNodes(d.project, name);
    List<NodeRecord> records = d.store.nodes(name);
    Map<String, NodeRecord> rows = new HashMap<>();
    for (NodeRecord r : records) {
      rows.put(r.engineName(), r);
    }
    Map<String, Release> releases = new HashMap<>();
    java.util.function.Consumer<String> load = id -> {
      if (id != null && !releases.containsKey(id)) {
        d.store.release(id).ifPresent(rel -> releases.put(id, rel));
      }
    };
    load.accept(fleet.currentRelease());
    fleet.lastGoodRelease().ifPresent(load);
    rollout.ifPresent(r -> {
      load.accept(r.fromRelease());
      load.accept(r.toRelease());
    });
    rows.values().forEach(r -> load.accept(r.releaseId()));
    onEngine.forEach(n -> load.accept(n.releaseId()));

    Map<String, NodeHealth> health = new HashMap<>();
    Map<String, List<DriftFinding>> drift = new HashMap<>();
    Map<String, OomWatch.Report> oom = new HashMap<>();
    for (NodeInfo n : onEngine) {
      NodeRecord r = rows.get(n.name());
      if (r == null && removing.contains(n.name())) {
        continue; // its removal is finishing: no adoption, no probe
      }
      if (r == null) {
        r = FleetPlanner.adoption(fleet, n, Optional.ofNullable(releases.get(n.releaseId())), now).orElse(null);
        if (r == null) {
          continue;
        }
      }
      Release rel = releases.get(r.releaseId());
      boolean watched = r.phase() == NodePhase.STARTING || r.phase() == NodePhase.HEALTHY;
      if (watched && !fleet.deleted() && rel != null) {
        List<DriftFinding> found = d.drift.inspect(r, n, rel,
            fleet.settings().volumes().stream().map(dev.herd.spec.Fleet.Volume::path).toList());
        if (!found.isEmpty()) {
          drift.put(n.name(), found);
          if (DriftDecision.of(found, fleet.settings().drift()).nodeAction().isPresent()) {
            continue; // the planner takes it out: no probe for it
          }
        }
      }
      if ((watched || r.phase() == NodePhase.CREATING) && n.running()) {
        // drained here, once per round: the planner turns the kills into events and verdicts
        OomWatch.Report kills = d.oom.drain(n.id(), now);
        if (kills.newKills() > 0) {
          oom.put(n.name(), kills);
        }
        Optional<dev.herd.spec.Health> check = rel == null ? Optional.empty() : rel.spec().runtime().health();
        NodeHealth verdict = check.isPresent() ? d.monitor.verdict(n.name()) : null;
        if (verdict == null) {
          verdict = d.monitor.observe(new ProbeTarget(new NodeRef(d.project, n.name()), name, r.releaseId(), r.port()), check,
              n.startedAt() == null ? now : n.startedAt(), r.phase() == NodePhase.HEALTHY ? r.healthySince() : null);
        }
        health.put(n.name(), verdict);
      }
    }
    return new FleetSnapshot(now, fleet, rollout, onEngine, records, releases, health, drift, oom,
        Optional.ofNullable(d.startFailures.get(name)), inFlight(removing, records, onEngine),
        dependencies(d, fleet),
        Optional.ofNullable(d.waiting.get(name)).map(Deps.Waiting::reason),
        d.crashLoops.getOrDefault(name, Map.of()));
  }

  /** The fleet's nodes (recorded or listed) whose removal an earlier round started and has not finished. */
  private static java.util.Set<String> inFlight(java.util.Set<String> removing, List<NodeRecord> records, List<NodeInfo> onEngine) {
    if (removing.isEmpty()) {
      return java.util.Set.of();
    }
    java.util.Set<String> out = new java.util.HashSet<>();
    for (NodeRecord r : records) {
      if (r.phase() == NodePhase.REMOVING && removing.contains(r.engineName())) {
        out.add(r.engineName());
      }
    }
    for (NodeInfo n : onEngine) {
      if (removing.contains(n.name())) {
        out.add(n.name());
      }
    }
    return out;
  }

  /** The fleets of depends_on as their records stand (read without their locks: a wait is re-checked each round). */
  private static List<FleetSnapshot.Dependency> dependencies(Deps d, FleetRecord fleet) {
    List<FleetSnapshot.Dependency> out = new java.util.ArrayList<>();
    for (String dep : fleet.settings().dependsOn()) {
      Optional<FleetRecord> r = d.store.fleet(dep).filter(f -> !f.deleted());
      if (r.isEmpty()) {
        out.add(new FleetSnapshot.Dependency(dep, false, 0, 0));
        continue;
      }
      int wanted = r.get().count();
      long healthy = d.store.nodes(dep).stream()
          .filter(n -> n.phase() == NodePhase.HEALTHY && n.slotIndex() <= wanted)
          .map(NodeRecord::slotIndex).distinct().count();
      out.add(new FleetSnapshot.Dependency(dep, true, (int) healthy, wanted));
    }
    return out;
  }
}
