package dev.herd.control.state;

/** What a controller event is about. */
public enum EventKind {
  FLEET_CREATED,
  FLEET_UPDATED,
  FLEET_REMOVED,
  RELEASE_CREATED,
  SCALED,
  /** A fleet starting from no node waits for the fleets it depends on (depends_on) to be healthy. */
  FLEET_WAITING,
  NODE_CREATED,
  NODE_START_FAILED,
  /** A slot's nodes keep dying soon after they start: its next starts wait, longer each time (said once). */
  NODE_CRASHLOOP,
  NODE_REPLACED,
  NODE_REMOVED,
  NODE_RECYCLED,
  NODE_QUARANTINED,
  NODE_ADOPTED,
  NODE_VANISHED,
  /** A process in the node was OOM-killed (the node may still run). */
  NODE_OOM,
  ORPHAN_REMOVED,
  DRIFT_DETECTED,
  ROLLOUT_STARTED,
  ROLLOUT_PAUSED,
  ROLLOUT_RESUMED,
  ROLLOUT_PROMOTED,
  ROLLOUT_SWITCHED,
  ROLLOUT_COMPLETED,
  ROLLOUT_FAILED,
  ROLLBACK,
  RECONCILE_FAILED,
  /** An image a fleet runs was revoked: the fleet rolls to a replacement, or holds (said why). */
  IMAGE_REVOKED,
  /** A scheduled rebake (roles.NAME.rebake): checked, skipped (and why), or baked with the updates it takes. */
  REBAKE,
  /** herd restarted the engine service it owns after it died. */
  ENGINE_RESTARTED,
  /** What went through a fleet's front door during a rollout that just ended (requests, errors, p50/p99). */
  ROLLOUT_TRAFFIC,
  BACKUP_TAKEN,
  BACKUP_FAILED,
  BACKUP_RESTORED
}
