package dev.herd.engine;

import java.time.Instant;

/** Something that happened to a herd node, as reported by the engine. */
public sealed interface EngineEvent {
  Instant time();

  NodeRef node();

  /** The engine's container id. */
  String containerId();

  record Created(Instant time, NodeRef node, String containerId) implements EngineEvent {}

  record Started(Instant time, NodeRef node, String containerId) implements EngineEvent {}

  /** The main process ended (on its own, killed, or stopped); exitCode -1 when unknown. */
  record Died(Instant time, NodeRef node, String containerId, int exitCode) implements EngineEvent {}

  record OutOfMemory(Instant time, NodeRef node, String containerId) implements EngineEvent {}

  /**
   * Someone ran a process inside the node: a hand-touched node is drifting.
   *
   * @param command the command line when the engine reports it (Docker does), else empty
   */
  record Exec(Instant time, NodeRef node, String containerId, String command) implements EngineEvent {
    public Exec {
      command = command == null ? "" : command.strip();
    }

    public Exec(Instant time, NodeRef node, String containerId) {
      this(time, node, containerId, "");
    }
  }

  record Paused(Instant time, NodeRef node, String containerId) implements EngineEvent {}

  record Unpaused(Instant time, NodeRef node, String containerId) implements EngineEvent {}

  record Restarted(Instant time, NodeRef node, String containerId) implements EngineEvent {}

  record Removed(Instant time, NodeRef node, String containerId) implements EngineEvent {}

  /** Any other action the engine reported (kill, attach, mount, ...). */
  record Other(Instant time, NodeRef node, String containerId, String action) implements EngineEvent {}
}
