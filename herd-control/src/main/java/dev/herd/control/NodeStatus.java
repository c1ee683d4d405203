package dev.herd.control;

import java.time.Instant;
import java.util.Objects;

/**
 * One node as status reports it.
 *
 * @param name the node's stable name (web-3); {@code engineName} adds the generation (web-3-g2)
 * @param inService healthy and on the side that takes traffic (blue/green: the old set until
 *     the switch, the new one after)
 * @param reason why the node is in its phase (exit code, health failure, quarantine), or empty
 * @param until for a quarantined node: when herd removes the kept container
 */
public record NodeStatus(
    String name,
    String engineName,
    long generation,
    String release,
    int port,
    Phase phase,
    boolean inService,
    String containerId,
    Instant createdAt,
    Instant startedAt,
    Instant healthySince,
    String reason,
    Instant until) {

  /** Where a node is in its life, as the controller last saw it. */
  public enum Phase {
    /** Decided and recorded, not yet confirmed by the engine. */
    CREATING,
    /** Running, not yet healthy. */
    STARTING,
    HEALTHY,
    /** Running, but failed its health check failure_threshold times. */
    UNHEALTHY,
    /** The process exited. */
    DEAD,
    /** Being removed. */
    REMOVING,
    /** Stopped and kept for inspection until its retention ends; out of service, slot free. */
    QUARANTINED;

    /** A node that occupies its slot (counts toward the fleet). */
    public boolean live() {
      return this == STARTING || this == HEALTHY || this == UNHEALTHY || this == DEAD || this == CREATING;
    }

    static Phase of(dev.herd.control.state.NodePhase p) {
      return valueOf(p.name());
    }
  }

  public NodeStatus {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(engineName, "engineName");
    Objects.requireNonNull(phase, "phase");
  }
}
