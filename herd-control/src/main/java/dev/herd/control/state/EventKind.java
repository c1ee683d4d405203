package dev.herd.control.state;

/** What a controller event is about. */
public enum EventKind {
  FLEET_CREATED,
  FLEET_UPDATED,
  FLEET_REMOVED,
  RELEASE_CREATED,
  SCALED,
  NODE_CREATED,
  NODE_START_FAILED,
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
  /** herd restarted the engine service it owns after it died. */
  ENGINE_RESTARTED
}
