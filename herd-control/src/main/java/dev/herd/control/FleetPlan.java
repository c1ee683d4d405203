package dev.herd.control;

import dev.herd.control.drift.DriftFinding;
import dev.herd.control.state.EventKind;
import dev.herd.control.state.FleetRecord;
import dev.herd.control.state.NodeRecord;
import dev.herd.control.state.Rollout;
import dev.herd.engine.NodeInfo;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the planner decided for one fleet in one round; the actuator records it and carries it
 * out. Nothing here has happened yet.
 *
 * @param adopted engine nodes without a record, now recorded (they keep their port and generation)
 * @param updates records whose phase, container or health changed (adopted ones included)
 * @param dropped records whose container is gone from the engine: their records are deleted
 * @param creates new nodes to start, in order
 * @param removals nodes to remove (or stop and keep, for quarantine), in order
 * @param stops quarantined nodes that still run
 * @param strays containers with the fleet's labels that are no node of it: removed
 * @param forget nodes whose health probes stop (dead, unhealthy, drifted)
 * @param drift drift findings to record (each announced once)
 * @param events what the round decided, in order
 * @param fleetUpdate the fleet record, when it changed (current or last good release)
 * @param rolloutUpdate the rollout when it changed: present with the new one, or an empty
 *     optional inside when it ended
 * @param records the fleet's records after this plan (the removals still in them)
 * @param fleetGone the fleet is deleted and nothing of it is left: its record goes too
 * @param wakeAt when the fleet needs another round even if nothing happens (a deadline, a timer)
 * @param drains nodes of an exposed fleet that may be serving and are about to be removed or
 *     stopped: the front door drains them first, and their engine call waits for it
 * @param waiting why the fleet starts no node yet: it starts from none, and fleets it depends on
 *     are not healthy (their passes wake it)
 * @param crashLoops the slots' crash-loop backoff after this round, by slot index (see {@link CrashLoop})
 */
record FleetPlan(
    String fleet,
    List<NodeRecord> adopted,
    List<NodeRecord> updates,
    List<NodeRecord> dropped,
    List<Create> creates,
    List<Removal> removals,
    List<NodeRecord> stops,
    List<NodeInfo> strays,
    List<String> forget,
    List<DriftFinding> drift,
    List<PlannedEvent> events,
    Optional<FleetRecord> fleetUpdate,
    Optional<Optional<Rollout>> rolloutUpdate,
    Map<String, NodeRecord> records,
    boolean fleetGone,
    Optional<Instant> wakeAt,
    List<Drain> drains,
    Optional<String> waiting,
    Map<Integer, CrashLoop> crashLoops) {

  FleetPlan {
    Objects.requireNonNull(fleet, "fleet");
    adopted = List.copyOf(adopted);
    updates = List.copyOf(updates);
    dropped = List.copyOf(dropped);
    creates = List.copyOf(creates);
    removals = List.copyOf(removals);
    stops = List.copyOf(stops);
    strays = List.copyOf(strays);
    forget = List.copyOf(forget);
    drift = List.copyOf(drift);
    events = List.copyOf(events);
    Objects.requireNonNull(fleetUpdate, "fleetUpdate");
    Objects.requireNonNull(rolloutUpdate, "rolloutUpdate");
    records = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(records));
    Objects.requireNonNull(wakeAt, "wakeAt");
    drains = List.copyOf(drains);
    Objects.requireNonNull(waiting, "waiting");
    crashLoops = Map.copyOf(crashLoops);
  }

  /**
   * A node the front door stops sending requests to before it is removed or stopped: its
   * connections end, or {@code timeout} (the fleet's {@code expose.drain_timeout}) passes.
   */
  record Drain(NodeRecord row, java.time.Duration timeout) {
    Drain {
      Objects.requireNonNull(row, "row");
      Objects.requireNonNull(timeout, "timeout");
    }

    /** Its server in the fleet's backend ({@code <node>_<port>}). */
    String server() {
      return dev.herd.control.frontdoor.Server.nameOf(row.engineName(), row.port());
    }
  }

  /** True when the engine call for {@code engineName} waits for the front door's drain. */
  boolean drains(String engineName) {
    return drains.stream().anyMatch(d -> d.row().engineName().equals(engineName));
  }

  /** A node to start in slot {@code slotIndex} on {@code releaseId}; the actuator picks generation and port. */
  record Create(int slotIndex, String releaseId, EventKind kind, String why) {
    Create {
      if (slotIndex < 1) {
        throw new IllegalArgumentException("slot index must be 1 or more, got " + slotIndex);
      }
      Objects.requireNonNull(releaseId, "releaseId");
      Objects.requireNonNull(kind, "kind");
    }
  }

  /**
   * A node to take out: removed, or (quarantine) stopped and kept. {@code kind} null means the
   * removal was decided in an earlier round (the record says REMOVING) and is only finished now.
   */
  record Removal(NodeRecord row, boolean quarantine, EventKind kind, String why) {
    Removal {
      Objects.requireNonNull(row, "row");
    }
  }

  /** An event the round records; {@code node} is the slot name, empty for the fleet. */
  record PlannedEvent(String node, EventKind kind, String reason) {
    PlannedEvent {
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** Engine calls this plan makes (starts, removals, stops): zero means a quiet round. */
  int engineCalls() {
    return creates.size() + removals.size() + stops.size() + strays.size();
  }
}
