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
 * @param removing nodes of the fleet whose removal an earlier round started and had not finished
 *     when this one began: that round records the result, so this one neither removes them again,
 *     nor drops their records, nor adopts a listed container whose record is already gone
 * @param dependencies the fleets of its {@code depends_on}, as they stand, in the order written
 * @param waitSaid the wait for dependencies the fleet last announced (so it is said once)
 * @param crashLoops slots whose nodes keep dying soon after starting, by slot index
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
    Optional<Deps.StartFailure> startFailure,
    java.util.Set<String> removing,
    List<Dependency> dependencies,
    Optional<String> waitSaid,
    Map<Integer, CrashLoop> crashLoops) {

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
    removing = java.util.Set.copyOf(removing);
    dependencies = List.copyOf(dependencies);
    Objects.requireNonNull(waitSaid, "waitSaid");
    crashLoops = Map.copyOf(crashLoops);
    for (NodeInfo n : engineNodes) {
      if (!n.fleet().equals(fleet.name())) {
        throw new IllegalArgumentException("engine node " + n.name() + " is of fleet " + n.fleet() + ", not " + fleet.name());
      }
    }
  }

  /**
   * A fleet this one depends on: how many of its slots have a healthy node, of how many it
   * wants ({@code applied} false when the controller has no such live fleet yet).
   */
  record Dependency(String fleet, boolean applied, int healthy, int wanted) {
    Dependency {
      Objects.requireNonNull(fleet, "fleet");
      if (healthy < 0 || wanted < 0) {
        throw new IllegalArgumentException("node counts cannot be negative: " + healthy + " of " + wanted);
      }
    }

    /** Every node it wants is healthy (a fleet scaled to 0 has nothing to wait for). */
    boolean ready() {
      return applied && healthy >= wanted;
    }

    /** "db (0 of 1 nodes healthy)". */
    String waitingFor() {
      return fleet + (applied ? " (" + healthy + " of " + wanted + " nodes healthy)"
          : " (not applied yet)");
    }
  }
}
