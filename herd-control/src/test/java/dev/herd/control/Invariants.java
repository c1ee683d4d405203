package dev.herd.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.engine.NodeInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What must hold after every step of a rollout: availability never below count -
 * max_unavailable (as the controller counts it and as the nodes answer), never more nodes than
 * the strategy allows, never two nodes of one name on one release, never two containers with one
 * name.
 */
final class Invariants {
  final int minHealthy;
  final int maxRunning;
  int steps;
  int peakRunning;
  int lowestHealthy = Integer.MAX_VALUE;

  Invariants(int minHealthy, int maxRunning) {
    this.minHealthy = minHealthy;
    this.maxRunning = maxRunning;
  }

  void check(Sim sim) {
    steps++;
    List<NodeInfo> all = sim.nodes();
    List<NodeInfo> running = sim.running();
    String at = " at step " + steps + " (" + sim.clock.instant() + ")\nevents:\n" + sim.eventLog();
    assertThat(all).extracting(NodeInfo::name).as("container names" + at).doesNotHaveDuplicates();
    Map<String, Integer> perNameAndRelease = new HashMap<>();
    for (NodeInfo n : running) {
      perNameAndRelease.merge(n.name().replaceAll("-g\\d+$", "") + "@" + n.releaseId(), 1, Integer::sum);
    }
    assertThat(perNameAndRelease).as("two running nodes with one name on one release" + at).allSatisfy((k, v) -> assertThat(v).isEqualTo(1));
    assertThat(running.size()).as("running nodes" + at).isLessThanOrEqualTo(maxRunning);
    long healthyByController = sim.status().healthy();
    long answering = running.stream().filter(n -> sim.fake.healthy(n.ref()) && !sim.failingReleases.contains(n.releaseId())).count();
    assertThat(healthyByController).as("healthy nodes (controller)" + at).isGreaterThanOrEqualTo(minHealthy);
    assertThat(answering).as("healthy nodes (probes)" + at).isGreaterThanOrEqualTo(minHealthy);
    peakRunning = Math.max(peakRunning, running.size());
    lowestHealthy = (int) Math.min(lowestHealthy, healthyByController);
  }
}
