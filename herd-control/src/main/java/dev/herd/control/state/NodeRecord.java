package dev.herd.control.state;

import java.time.Instant;
import java.util.Objects;

/**
 * One node (one generation of one slot) as the controller stores it.
 *
 * @param engineName the engine's node name: {@code <slot>-g<generation>}, e.g. web-3-g2
 * @param slot the stable, user-facing name from the fleet's pattern, e.g. web-3
 * @param slotIndex the n in the pattern (1-based)
 * @param containerId empty until the engine created it
 * @param reason why the node is in its phase (exit code, health failure), empty when none
 * @param until for QUARANTINED: when the kept container is removed
 * @param snapshot for QUARANTINED: the release and node settings it ran with
 */
public record NodeRecord(
    String engineName,
    String fleet,
    String slot,
    int slotIndex,
    long generation,
    String containerId,
    String releaseId,
    int port,
    NodePhase phase,
    Instant createdAt,
    Instant startedAt,
    Instant healthySince,
    String reason,
    Instant until,
    String snapshot) {

  public NodeRecord {
    Objects.requireNonNull(engineName, "engineName");
    Objects.requireNonNull(fleet, "fleet");
    Objects.requireNonNull(slot, "slot");
    Objects.requireNonNull(containerId, "containerId");
    Objects.requireNonNull(releaseId, "releaseId");
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(createdAt, "createdAt");
    reason = reason == null ? "" : reason;
    snapshot = snapshot == null ? "" : snapshot;
    // the database keeps milliseconds; equal records must stay equal after a round trip, or
    // every pass would rewrite every node
    createdAt = millis(createdAt);
    startedAt = millis(startedAt);
    healthySince = millis(healthySince);
    until = millis(until);
  }

  private static Instant millis(Instant t) {
    return t == null ? null : t.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
  }

  public static String engineName(String slot, long generation) {
    return slot + "-g" + generation;
  }

  /** The slot of an engine node name carrying this generation, or null when it does not fit. */
  public static String slotOf(String engineName, long generation) {
    String suffix = "-g" + generation;
    return generation > 0 && engineName.endsWith(suffix) && engineName.length() > suffix.length()
        ? engineName.substring(0, engineName.length() - suffix.length()) : null;
  }

  /** "web-3 (gen 2)": how events and logs name a node. */
  public String label() {
    return slot + " (gen " + generation + ")";
  }

  public NodeRecord withPhase(NodePhase p, String why) {
    return new NodeRecord(engineName, fleet, slot, slotIndex, generation, containerId, releaseId, port, p, createdAt,
        startedAt, healthySince, why, until, snapshot);
  }

  public NodeRecord withHealthySince(Instant t) {
    return new NodeRecord(engineName, fleet, slot, slotIndex, generation, containerId, releaseId, port, phase, createdAt,
        startedAt, t, reason, until, snapshot);
  }

  public NodeRecord withContainer(String id, Instant started) {
    return new NodeRecord(engineName, fleet, slot, slotIndex, generation, id, releaseId, port, phase, createdAt,
        started, healthySince, reason, until, snapshot);
  }

  public NodeRecord quarantined(String why, Instant keepUntil, String snap) {
    return new NodeRecord(engineName, fleet, slot, slotIndex, generation, containerId, releaseId, port,
        NodePhase.QUARANTINED, createdAt, startedAt, null, why, keepUntil, snap);
  }
}
