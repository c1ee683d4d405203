package dev.herd.control;

import dev.herd.control.drift.DriftFinding;
import dev.herd.control.health.NodeHealth;
import dev.herd.control.health.OomWatch;
import dev.herd.control.state.FleetRecord;
import dev.herd.control.state.NodeRecord;
import dev.herd.control.state.Release;
import dev.herd.control.state.Rollout;
import dev.herd.engine.NodeInfo;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What one reconcile round of one fleet sees, taken once and never changed: the fleet's nodes on
 * the engine, their records, the releases they name, the health verdicts and drift findings of
 * their running nodes, the rollout, the fleet's start backoff, and the time. The planner decides
 * from this alone.
 *
 * @param health verdicts by engine node name, for running nodes that are starting or healthy
 * @param drift findings by engine node name (only nodes that drifted)
 * @param oom OOM kills the engine reported since the last round, by engine node name (only nodes with kills)
 * @param startFailure the fleet's start backoff, when its last starts failed
 */
record FleetSnapshot(
    Instant now,
    FleetRecord fleet,
    Optional<Rollout> rollout,
    List<NodeInfo> engineNodes,
    List<NodeRecord> records,
    Map<String, Release> releases,
    Map<String, NodeHealth> health,
    Map<String, List<DriftFinding>> drift,
    Map<String, OomWatch.Report> oom,
    Optional<Deps.StartFailure> startFailure) {

  FleetSnapshot {
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(fleet, "fleet");
    Objects.requireNonNull(rollout, "rollout");
    Objects.requireNonNull(startFailure, "startFailure");
    engineNodes = List.copyOf(engineNodes);
    records = List.copyOf(records);
    releases = Map.copyOf(releases);
    health = Map.copyOf(health);
    drift = Map.copyOf(drift);
    oom = Map.copyOf(oom);
    for (NodeInfo n : engineNodes) {
      if (!n.fleet().equals(fleet.name())) {
        throw new IllegalArgumentException("engine node " + n.name() + " is of fleet " + n.fleet() + ", not " + fleet.name());
      }
    }
  }
}
