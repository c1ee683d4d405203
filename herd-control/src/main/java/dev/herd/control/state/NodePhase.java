package dev.herd.control.state;

/** Where a node is in its life, as the controller last saw it. */
public enum NodePhase {
  /** Decided and persisted, not yet confirmed by the engine (a crash here is safe: adopt or redo). */
  CREATING,
  /** Running, not yet healthy. */
  STARTING,
  HEALTHY,
  /** Running, but failed its health check failure_threshold times. */
  UNHEALTHY,
  /** The process exited. */
  DEAD,
  /** Being removed; a restarted controller finishes the removal. */
  REMOVING,
  /** Stopped and kept for inspection until its retention ends; out of service, slot free. */
  QUARANTINED;

  /** A node that occupies its slot (counts toward the fleet). */
  public boolean live() {
    return this == STARTING || this == HEALTHY || this == UNHEALTHY || this == DEAD || this == CREATING;
  }
}
