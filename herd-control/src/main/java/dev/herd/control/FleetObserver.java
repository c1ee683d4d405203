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
      if (r == null) {
        r = FleetPlanner.adoption(fleet, n, Optional.ofNullable(releases.get(n.releaseId())), now).orElse(null);
        if (r == null) {
          continue;
        }
      }
      Release rel = releases.get(r.releaseId());
      boolean watched = r.phase() == NodePhase.STARTING || r.phase() == NodePhase.HEALTHY;
      if (watched && !fleet.deleted() && rel != null) {
        List<DriftFinding> found = d.drift.inspect(r, n, rel);
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
        health.put(n.name(), d.monitor.observe(new ProbeTarget(new NodeRef(d.project, n.name()), name, r.releaseId(), r.port()),
            rel == null ? Optional.empty() : rel.spec().runtime().health(),
            n.startedAt() == null ? now : n.startedAt(), r.phase() == NodePhase.HEALTHY ? r.healthySince() : null));
      }
    }
    return new FleetSnapshot(now, fleet, rollout, onEngine, records, releases, health, drift, oom,
        Optional.ofNullable(d.startFailures.get(name)));
  }
}
