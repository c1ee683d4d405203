package dev.herd.engine;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A node as the engine reports it. Built only from containers carrying herd's labels.
 *
 * @param id the engine's container id
 * @param exitCode set once the node has exited, else null
 * @param startedAt null until started; finishedAt null until it exited
 * @param env the environment the engine reports for the container (never holds secrets)
 */
public record NodeInfo(
    String id,
    NodeRef ref,
    String fleet,
    long generation,
    String releaseId,
    String imageDigest,
    int port,
    NodeState state,
    Integer exitCode,
    boolean oomKilled,
    boolean readOnlyRoot,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    Map<String, String> env,
    Map<String, String> labels) {

  public NodeInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(state, "state");
    env = Map.copyOf(env);
    labels = Map.copyOf(labels);
  }

  public String name() {
    return ref.node();
  }

  public boolean running() {
    return state == NodeState.RUNNING;
  }

  /** Builds the herd fields from labels; null when the labels are not a herd node of project. */
  public static NodeInfo fromLabels(
      String id, String project, Map<String, String> labels, NodeState state, Integer exitCode,
      boolean oomKilled, boolean readOnlyRoot, Instant createdAt, Instant startedAt, Instant finishedAt,
      Map<String, String> env) {
    if (!Labels.isHerdNode(labels, project)) {
      return null;
    }
    return new NodeInfo(id, new NodeRef(project, labels.get(Labels.NODE)),
        labels.getOrDefault(Labels.FLEET, ""), parseLong(labels.get(Labels.GENERATION)),
        labels.getOrDefault(Labels.RELEASE, ""), labels.getOrDefault(Labels.IMAGE, ""),
        (int) parseLong(labels.get(Labels.PORT)), state, exitCode, oomKilled, readOnlyRoot,
        createdAt, startedAt, finishedAt, env, labels);
  }

  private static long parseLong(String s) {
    try {
      return s == null ? 0 : Long.parseLong(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
