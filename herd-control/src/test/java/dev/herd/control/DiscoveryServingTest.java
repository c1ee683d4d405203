package dev.herd.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.control.state.NodePhase;
import dev.herd.control.state.NodeRecord;
import dev.herd.control.state.Rollout;
import dev.herd.spec.Fleet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What discovery.json and the node files call serving, one case per rollout phase: nodes
 * {@code web-1@v1} (healthy unless marked {@code !}, leaving when marked {@code -}) in, the listed
 * nodes and the serving ones out; serving must be exactly who the front door sends requests to.
 */
class DiscoveryServingTest {
  record Case(String name, Fleet.Strategy strategy, Optional<Integer> weight, Rollout rollout, List<String> nodes,
      Set<String> listed, Set<String> serving) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    Fleet.Strategy rolling = Fleet.Strategy.ROLLING;
    Fleet.Strategy bg = Fleet.Strategy.BLUE_GREEN;
    Fleet.Strategy canary = Fleet.Strategy.CANARY;
    Optional<Integer> none = Optional.empty();
    return Stream.of(
        new Case("steady: healthy nodes serve, an unhealthy one is listed only", rolling, none, null,
            List.of("web-1@v1", "web-2@v1!"), Set.of("web-1-g1", "web-2-g1"), Set.of("web-1-g1")),
        new Case("a leaving node is not listed", rolling, none, TrafficTest.rollout(rolling, "v1", "v2"),
            List.of("web-1@v1-", "web-1@v2"), Set.of("web-1-g2"), Set.of("web-1-g2")),
        new Case("blue/green before the switch: the old set", bg, none, TrafficTest.rollout(bg, "v1", "v2"),
            List.of("web-1@v1", "web-1@v2"), Set.of("web-1-g1", "web-1-g2"), Set.of("web-1-g1")),
        new Case("blue/green after the switch: the new set", bg, none, TrafficTest.rollout(bg, "v1", "v2").switched(TrafficTest.T),
            List.of("web-1@v1", "web-1@v2"), Set.of("web-1-g1", "web-1-g2"), Set.of("web-1-g2")),
        new Case("canary 10% before promotion: both releases", canary, Optional.of(10), TrafficTest.rollout(canary, "v1", "v2"),
            List.of("web-1@v2", "web-2@v1", "web-3@v1"), Set.of("web-1-g1", "web-2-g1", "web-3-g1"),
            Set.of("web-1-g1", "web-2-g1", "web-3-g1")),
        new Case("promoted canary: only the new release, the old nodes still running are not serving", canary, Optional.of(10),
            TrafficTest.rollout(canary, "v1", "v2").promote(), List.of("web-1@v2", "web-2@v1", "web-3@v1"),
            Set.of("web-1-g1", "web-2-g1", "web-3-g1"), Set.of("web-1-g1")),
        new Case("rollback with the old release whole again: switched back, the failed release not serving", rolling, none,
            TrafficTest.rollback("v2", "v1"), List.of("web-1@v1", "web-2@v1", "web-1@v2", "web-2@v2"),
            Set.of("web-1-g1", "web-2-g1", "web-1-g2", "web-2-g2"), Set.of("web-1-g1", "web-2-g1")),
        new Case("rollback with the old release not whole yet: every healthy node", rolling, none, TrafficTest.rollback("v2", "v1"),
            List.of("web-1@v1", "web-2@v2"), Set.of("web-1-g1", "web-2-g1"), Set.of("web-1-g1", "web-2-g1")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void discoveryServesWhomTheFrontDoorServes(Case c) {
    List<NodeRecord> nodes = new ArrayList<>();
    Set<String> leaving = new TreeSet<>();
    for (String n : c.nodes()) {
      boolean healthy = !n.endsWith("!");
      String[] p = n.replace("!", "").replace("-", "").replace("web", "web-").split("@");
      int slot = Integer.parseInt(p[0].substring(4));
      long gen = 1 + nodes.stream().filter(r -> r.slotIndex() == slot).count();
      String engineName = p[0] + "-g" + gen;
      if (n.endsWith("-")) {
        leaving.add(engineName);
      }
      nodes.add(new NodeRecord(engineName, "web", p[0], slot, gen, "c" + nodes.size(), p[1], 20000 + nodes.size(),
          healthy ? NodePhase.HEALTHY : NodePhase.UNHEALTHY, TrafficTest.T, TrafficTest.T, healthy ? TrafficTest.T : null, "",
          null, ""));
    }
    int count = (int) nodes.stream().map(NodeRecord::slotIndex).distinct().count();
    var fleet = TrafficTest.fleet(c.strategy(), c.weight(), count);
    List<NodeConfig.Member> members = FleetActuator.members(fleet, Optional.ofNullable(c.rollout()), nodes, leaving);

    assertThat(members).extracting(NodeConfig.Member::engineName).containsExactlyInAnyOrderElementsOf(c.listed());
    Set<String> serving = new TreeSet<>();
    members.stream().filter(NodeConfig.Member::serving).forEach(m -> serving.add(m.engineName()));
    assertThat(serving).isEqualTo(new TreeSet<>(c.serving()));
    List<NodeRecord> listed = nodes.stream().filter(r -> !leaving.contains(r.engineName())).toList();
    assertThat(serving).isEqualTo(new TreeSet<>(Traffic.weights(fleet, Optional.ofNullable(c.rollout()), listed).keySet()));
  }
}
