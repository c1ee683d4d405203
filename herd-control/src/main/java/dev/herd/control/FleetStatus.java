package dev.herd.control;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A fleet as status reports it.
 *
 * @param count the count in force (the scale override when set, else the spec's)
 * @param nodes every recorded node, quarantined ones included, by name then generation
 */
public record FleetStatus(
    String fleet,
    String role,
    int count,
    int specCount,
    OptionalInt scaleOverride,
    String currentRelease,
    Optional<String> lastGoodRelease,
    Optional<RolloutStatus> rollout,
    boolean deleted,
    List<NodeStatus> nodes,
    Optional<String> address) {

  public FleetStatus {
    nodes = List.copyOf(nodes);
  }

  public long healthy() {
    return nodes.stream().filter(n -> n.phase() == NodeStatus.Phase.HEALTHY).count();
  }
}
