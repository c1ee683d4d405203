package dev.herd.control;

import dev.herd.control.state.FleetRecord;
import dev.herd.control.state.NodePhase;
import dev.herd.control.state.NodeRecord;
import dev.herd.control.state.Rollout;
import dev.herd.spec.Fleet;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which of a fleet's nodes take requests, and in what share: pure, so the front door's
 * switches are decided (and tested) in memory. Only healthy nodes serve; then
 * <ul>
 *   <li>blue/green serves the old set until the switch and the new set after it;
 *   <li>a canary before promotion serves both, the canary nodes with {@code rollout.canary.weight}
 *       of the requests when it is set; after promotion only the new release, once a node of it serves;
 *   <li>a rollback serves only the release it returns to once every slot has a healthy node of
 *       it (blue/green's kept old set: a switch back), until then every healthy node.
 * </ul>
 */
final class Traffic {
  /** A server's weight when it gets an even share. */
  static final int FULL = 100;
  /** HAProxy's largest server weight. */
  static final int MAX_WEIGHT = 256;

  private Traffic() {}

  /** Engine node name → HAProxy weight of every node that takes requests (absent: none). */
  static Map<String, Integer> weights(FleetRecord fleet, Optional<Rollout> rollout, Collection<NodeRecord> nodes) {
    List<NodeRecord> healthy = nodes.stream().filter(n -> n.phase() == NodePhase.HEALTHY).toList();
    Map<String, Integer> out = new LinkedHashMap<>();
    if (fleet.deleted()) {
      return out;
    }
    Rollout r = rollout.orElse(null);
    List<NodeRecord> serving = healthy;
    if (r != null && r.rollback()) {
      Set<Integer> covered = healthy.stream().filter(n -> n.releaseId().equals(r.toRelease())).map(NodeRecord::slotIndex)
          .collect(Collectors.toSet());
      boolean whole = fleet.count() > 0;
      for (int slot = 1; slot <= fleet.count(); slot++) {
        whole &= covered.contains(slot);
      }
      if (whole) {
        serving = on(healthy, r.toRelease());
      }
    } else if (r != null && r.strategy() == Fleet.Strategy.BLUE_GREEN) {
      serving = on(healthy, r.switchedAt() == null ? r.fromRelease() : r.toRelease());
    } else if (r != null && r.strategy() == Fleet.Strategy.CANARY && r.promoted()) {
      List<NodeRecord> fresh = on(healthy, r.toRelease());
      serving = fresh.isEmpty() ? healthy : fresh;
    } else if (r != null && r.strategy() == Fleet.Strategy.CANARY) {
      Optional<Integer> share = fleet.settings().rollout().canary().flatMap(Fleet.Canary::weight);
      long canaries = healthy.stream().filter(n -> n.releaseId().equals(r.toRelease())).count();
      long stable = healthy.size() - canaries;
      if (share.isPresent() && canaries > 0 && stable > 0) {
        int[] w = split(share.get(), (int) canaries, (int) stable);
        healthy.forEach(n -> out.put(n.engineName(), n.releaseId().equals(r.toRelease()) ? w[0] : w[1]));
        return out;
      }
    }
    serving.forEach(n -> out.put(n.engineName(), FULL));
    return out;
  }

  /**
   * Per-server weights {canary, stable} within 1-256 so that {@code canaries} servers get
   * {@code percent}% of the requests and {@code stable} servers the rest, as closely as integer
   * weights allow (10% of 1 canary beside 2 stable: 57 and 256, 10.0%).
   */
  static int[] split(int percent, int canaries, int stable) {
    double ratio = percent * (double) stable / ((100.0 - percent) * canaries); // canary weight / stable weight
    if (ratio <= 1) {
      return new int[] {Math.max(1, (int) Math.round(MAX_WEIGHT * ratio)), MAX_WEIGHT};
    }
    return new int[] {MAX_WEIGHT, Math.max(1, (int) Math.round(MAX_WEIGHT / ratio))};
  }

  private static List<NodeRecord> on(List<NodeRecord> nodes, String release) {
    return nodes.stream().filter(n -> n.releaseId().equals(release)).toList();
  }
}
