package dev.herd.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.control.state.FleetRecord;
import dev.herd.control.state.FleetSettings;
import dev.herd.control.state.NodePhase;
import dev.herd.control.state.NodeRecord;
import dev.herd.control.state.Rollout;
import dev.herd.spec.Amount;
import dev.herd.spec.Fleet;
import dev.herd.spec.NamePattern;
import dev.herd.spec.Size;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Who takes the front door's requests, one case per situation: nodes {@code web-1@v1} (healthy
 * unless marked {@code !}) in, {@code node=weight} out.
 */
class TrafficTest {
  static final Instant T = Instant.parse("2026-03-01T12:00:00Z");

  record Case(String name, Fleet.Strategy strategy, Optional<Integer> weight, Rollout rollout, List<String> nodes,
      Map<String, Integer> expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Rollout rollout(Fleet.Strategy s, String from, String to) {
    return new Rollout("web", from, to, s, Rollout.State.RUNNING, T, T, null, false, null, false, "");
  }

  static Rollout rollback(String from, String to) {
    return new Rollout("web", from, to, Fleet.Strategy.ROLLING, Rollout.State.RUNNING, T, T, null, false, null, true, "");
  }

  static Map<String, Integer> w(Object... kv) {
    Map<String, Integer> m = new TreeMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], (Integer) kv[i + 1]);
    }
    return m;
  }

  static Stream<Case> cases() {
    Fleet.Strategy rolling = Fleet.Strategy.ROLLING;
    Fleet.Strategy bg = Fleet.Strategy.BLUE_GREEN;
    Fleet.Strategy canary = Fleet.Strategy.CANARY;
    Optional<Integer> none = Optional.empty();
    return Stream.of(
        new Case("steady: every healthy node an even share", rolling, none, null,
            List.of("web-1@v1", "web-2@v1", "web-3@v1!"), w("web-1-g1", 100, "web-2-g1", 100)),
        new Case("rolling: old and new healthy nodes both serve", rolling, none, rollout(rolling, "v1", "v2"),
            List.of("web-1@v2", "web-2@v1"), w("web-1-g1", 100, "web-2-g1", 100)),
        new Case("blue/green before the switch: only the old set, however ready the new one", bg, none, rollout(bg, "v1", "v2"),
            List.of("web-1@v1", "web-2@v1", "web-1@v2", "web-2@v2"), w("web-1-g1", 100, "web-2-g1", 100)),
        new Case("blue/green after the switch: only the new set, the old one kept idle", bg, none,
            rollout(bg, "v1", "v2").switched(T), List.of("web-1@v1", "web-2@v1", "web-1@v2", "web-2@v2"),
            w("web-1-g2", 100, "web-2-g2", 100)),
        new Case("rollback with the old set whole again: switched back to it alone", rolling, none, rollback("v2", "v1"),
            List.of("web-1@v1", "web-2@v1", "web-1@v2", "web-2@v2"), w("web-1-g1", 100, "web-2-g1", 100)),
        new Case("rollback with the old set not whole yet: every healthy node, none left idle", rolling, none, rollback("v2", "v1"),
            List.of("web-1@v1", "web-2@v2"), w("web-1-g1", 100, "web-2-g1", 100)),
        new Case("canary without weight: an even share per node", canary, none, rollout(canary, "v1", "v2"),
            List.of("web-1@v2", "web-2@v1", "web-3@v1"), w("web-1-g1", 100, "web-2-g1", 100, "web-3-g1", 100)),
        new Case("canary 10%: one canary beside two stable nodes", canary, Optional.of(10), rollout(canary, "v1", "v2"),
            List.of("web-1@v2", "web-2@v1", "web-3@v1"), w("web-1-g1", 57, "web-2-g1", 256, "web-3-g1", 256)),
        new Case("canary 90%: the canary weighs most", canary, Optional.of(90), rollout(canary, "v1", "v2"),
            List.of("web-1@v2", "web-2@v1", "web-3@v1"), w("web-1-g1", 256, "web-2-g1", 14, "web-3-g1", 14)),
        new Case("canary weight with the canary not healthy yet: stable nodes only", canary, Optional.of(10),
            rollout(canary, "v1", "v2"), List.of("web-1@v2!", "web-2@v1", "web-3@v1"), w("web-2-g1", 100, "web-3-g1", 100)),
        new Case("promoted canary: every request to the new release at once", canary, Optional.of(10),
            rollout(canary, "v1", "v2").promote(), List.of("web-1@v2", "web-2@v1", "web-3@v1"), w("web-1-g1", 100)),
        new Case("promoted canary whose new nodes all failed: the old ones keep serving", canary, Optional.of(10),
            rollout(canary, "v1", "v2").promote(), List.of("web-1@v2!", "web-2@v1"), w("web-2-g1", 100)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decidesWhoServes(Case c) {
    List<NodeRecord> nodes = new ArrayList<>();
    for (String n : c.nodes()) {
      boolean healthy = !n.endsWith("!");
      String[] p = n.replace("!", "").split("@");
      int slot = Integer.parseInt(p[0].substring(4));
      long gen = 1 + nodes.stream().filter(r -> r.slotIndex() == slot).count();
      nodes.add(new NodeRecord(p[0] + "-g" + gen, "web", p[0], slot, gen, "c" + nodes.size(), p[1], 20000 + nodes.size(),
          healthy ? NodePhase.HEALTHY : NodePhase.UNHEALTHY, T, T, healthy ? T : null, "", null, ""));
    }
    int count = (int) nodes.stream().map(NodeRecord::slotIndex).distinct().count();
    assertThat(new TreeMap<>(Traffic.weights(fleet(c.strategy(), c.weight(), count), Optional.ofNullable(c.rollout()), nodes)))
        .isEqualTo(c.expected());
  }

  @Test
  void aDeletedFleetServesNothing() {
    FleetRecord f = fleet(Fleet.Strategy.ROLLING, Optional.empty(), 1);
    NodeRecord n = new NodeRecord("web-1-g1", "web", "web-1", 1, 1, "c", "v1", 20001, NodePhase.HEALTHY, T, T, T, "", null, "");
    assertThat(Traffic.weights(f.withDeleted(true), Optional.empty(), List.of(n))).isEmpty();
  }

  @ParameterizedTest(name = "{0}% to {1} canaries beside {2} stable")
  @CsvSource({"10,1,2", "10,1,9", "10,2,1", "1,1,99", "50,1,1", "99,1,1", "25,3,5", "5,1,30"})
  void weightsGiveTheCanaryItsShareWithinHalfAPercent(int percent, int canaries, int stable) {
    int[] w = Traffic.split(percent, canaries, stable);
    assertThat(w[0]).isBetween(1, 256);
    assertThat(w[1]).isBetween(1, 256);
    double share = 100.0 * canaries * w[0] / (canaries * w[0] + stable * (double) w[1]);
    assertThat(share).isCloseTo(percent, org.assertj.core.data.Offset.offset(0.5));
  }

  static FleetRecord fleet(Fleet.Strategy s, Optional<Integer> weight, int count) {
    Fleet.Rollout ro = new Fleet.Rollout(s, Amount.nodes(1), Amount.nodes(0), Duration.ofSeconds(2), Duration.ofSeconds(30), true,
        s == Fleet.Strategy.CANARY ? Optional.of(new Fleet.Canary(1, Duration.ofMinutes(1), weight, false)) : Optional.empty(),
        s == Fleet.Strategy.BLUE_GREEN ? Optional.of(new Fleet.BlueGreen(Duration.ofSeconds(10))) : Optional.empty());
    FleetSettings settings = new FleetSettings("web", "web", count, NamePattern.forFleet("web"), ro, Optional.empty(),
        Fleet.OnUnhealthy.REPLACE, Duration.ofHours(1), new Fleet.Logs(Duration.ofDays(7), Size.ofBytes(0)));
    return new FleetRecord(settings, OptionalInt.empty(), "v2", Optional.of("v1"), false);
  }
}
