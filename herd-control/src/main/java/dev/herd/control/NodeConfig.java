package dev.herd.control;

import dev.herd.control.state.Release;
import dev.herd.engine.NodeSpec;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the controller asks of the config service ({@code dev.herd.control.config.ConfigDelivery})
 * around a node's life: what to give a node at launch, who is in discovery, when a node is gone.
 * {@link #NONE} gives nodes only their release's env (no /etc/herd, no secrets).
 */
public interface NodeConfig {

  /**
   * A node about to be started.
   *
   * @param slot the stable name ({@code web-3}); {@code spec.node()} is the engine name with its generation
   * @param index the 1-based index of the name
   */
  record Launch(String fleet, String slot, int index, Release release) {
    public Launch {
      Objects.requireNonNull(fleet, "fleet");
      Objects.requireNonNull(slot, "slot");
      Objects.requireNonNull(release, "release");
    }
  }

  /**
   * A live node of a fleet after a pass recorded its decisions.
   *
   * @param serving healthy, not on its way out, on the side that takes traffic: what discovery lists
   */
  record Member(String engineName, String slot, int index, int port, String releaseId, boolean serving) {
    public Member {
      Objects.requireNonNull(engineName, "engineName");
      Objects.requireNonNull(slot, "slot");
      Objects.requireNonNull(releaseId, "releaseId");
    }
  }

  /**
   * The spec to start, completed with the node's config env, config dir and secret files. Throws
   * (with a message naming the fleet and what is wrong) when the node cannot be given its config;
   * the start then fails like any other and is retried.
   */
  NodeSpec prepare(NodeSpec spec, Launch node);

  /**
   * Called after each pass recorded its decisions and before it acts on the engine, so a node on
   * its way out leaves discovery before it is stopped. {@code members} are the fleet's live nodes
   * (empty when the fleet is gone).
   */
  void members(String fleet, List<Member> members);

  /** The node's container is gone (removed, vanished, never adopted): drop its files and token. */
  void removed(String fleet, String engineName);

  /**
   * {@link #removed}, for callers to whom a failure is worth a warning only: the node is gone
   * either way, and the sweep at the next start drops what is left. False when it failed.
   */
  default boolean removedOrWarn(String fleet, String engineName) {
    try {
      removed(fleet, engineName);
      return true;
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(NodeConfig.class)
          .warn("fleet {}: files or token of {} not cleaned up: {}", fleet, engineName, e.getMessage());
      return false;
    }
  }

  /**
   * Nodes that still have files or a token, fleet → engine names. The controller sweeps those
   * that are neither on the engine nor recorded (a node whose start failed, a controller killed
   * before it cleaned up) through {@link #removed}.
   */
  default Map<String, Set<String>> withState() {
    return Map.of();
  }

  NodeConfig NONE = new NodeConfig() {
    @Override
    public NodeSpec prepare(NodeSpec spec, Launch node) {
      return spec;
    }

    @Override
    public void members(String fleet, List<Member> members) {}

    @Override
    public void removed(String fleet, String engineName) {}
  };
}
