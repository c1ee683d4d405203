package dev.herd.engine;

/** A node's lifecycle state as the engine reports it. */
public enum NodeState {
  CREATED,
  RUNNING,
  PAUSED,
  RESTARTING,
  STOPPING,
  EXITED,
  DEAD,
  UNKNOWN;

  /** Maps the Docker/Podman status words ("running", "exited", "configured", ...). */
  public static NodeState fromEngine(String status) {
    if (status == null) {
      return UNKNOWN;
    }
    return switch (status.toLowerCase(java.util.Locale.ROOT)) {
      case "created", "configured", "initialized" -> CREATED;
      case "running" -> RUNNING;
      case "paused" -> PAUSED;
      case "restarting" -> RESTARTING;
      case "stopping", "removing" -> STOPPING;
      case "exited", "stopped" -> EXITED;
      case "dead" -> DEAD;
      default -> UNKNOWN;
    };
  }
}
