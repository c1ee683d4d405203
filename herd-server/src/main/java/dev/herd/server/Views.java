package dev.herd.server;

import dev.herd.control.ApplyResult;
import dev.herd.control.FleetChange;
import dev.herd.control.FleetStatus;
import dev.herd.control.FleetTraffic;
import dev.herd.control.NodeStatus;
import dev.herd.control.ControllerEvent;
import dev.herd.control.NodeLogLine;
import dev.herd.control.RolloutStatus;
import dev.herd.server.api.Api;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** Controller records → API bodies. */
final class Views {
  private Views() {}

  static Api.FleetView fleet(FleetStatus f, java.util.Optional<FleetTraffic> traffic, Instant now) {
    List<Api.NodeView> nodes = f.nodes().stream().map(n -> node(n, now)).toList();
    return new Api.FleetView(f.fleet(), f.role(), f.count(), f.specCount(), f.currentRelease(),
        f.lastGoodRelease().orElse(null), f.healthy(), f.deleted(), f.rollout().map(r -> rollout(r, f)).orElse(null),
        nodes, f.address().orElse(null), null, traffic.map(Views::traffic).orElse(null));
  }

  static Api.ConsistencyView consistency(dev.herd.control.drift.ImageConsistency c) {
    return new Api.ConsistencyView(c.oldestImage(), c.latestImage(), c.versionsBehind(),
        c.baseAgeDays().isPresent() ? c.baseAgeDays().getAsLong() : null, c.imagesInService(), c.summary());
  }

  static Api.TrafficView traffic(FleetTraffic t) {
    return new Api.TrafficView(t.requestsPerSecond().isPresent() ? Math.round(t.requestsPerSecond().getAsDouble() * 10) / 10.0 : null,
        t.requests(), t.responses1xx(), t.responses2xx(), t.responses3xx(), t.responses4xx(), t.responses5xx(),
        t.connectionErrors(), t.responseErrors(), t.retries(), t.avgResponseMs(), t.avgTotalMs(),
        t.p50Ms().isPresent() ? t.p50Ms().getAsLong() : null, t.p99Ms().isPresent() ? t.p99Ms().getAsLong() : null,
        t.windowRequests(), t.windowFailed(), t.window().toSeconds(), t.summary());
  }

  /**
   * "2..6 nodes at cpu 60%; cpu 90% 3s ago; cpu 90% > target 60%, waiting for 30s", or with a
   * requests target "2..6 nodes at 50 req/s per node; 72.4 req/s per node 3s ago; ..."
   */
  static String autoscale(dev.herd.control.autoscale.Autoscaler.State a, Instant now) {
    boolean cpu = a.settings().metric() == dev.herd.spec.Autoscale.Metric.CPU;
    StringBuilder sb = new StringBuilder().append(a.settings().min()).append("..").append(a.settings().max())
        .append(cpu ? " nodes at cpu " + a.settings().cpuPercent() + "%" : " nodes at " + a.settings().requestsPerNode() + " req/s per node");
    if (a.load().isPresent() && a.measuredAt() != null) {
      long ago = Math.max(0, Duration.between(a.measuredAt(), now).toSeconds());
      sb.append(cpu ? "; cpu " + Math.round(a.load().get()) + "% "
          : "; " + String.format(Locale.ROOT, "%.1f", a.load().get()) + " req/s per node ").append(ago).append("s ago");
    } else {
      sb.append("; not measured yet");
    }
    if (!a.decision().isEmpty()) {
      sb.append("; ").append(a.decision());
    }
    return sb.toString();
  }

  static Api.NodeView node(NodeStatus n, Instant now) {
    long age = n.createdAt() == null ? 0 : Math.max(0, Duration.between(n.createdAt(), now).toSeconds());
    return new Api.NodeView(n.name(), n.generation(), n.release(), n.port(), lower(n.phase().name()), n.inService(),
        age, n.createdAt(), n.healthySince(), n.reason() == null ? "" : n.reason());
  }

  static Api.RolloutView rollout(RolloutStatus r, FleetStatus f) {
    int updated = 0;
    int ready = 0;
    for (NodeStatus n : f.nodes()) {
      if (n.phase().live() && n.release().equals(r.toRelease())) {
        updated++;
        if (n.phase() == NodeStatus.Phase.HEALTHY) {
          ready++;
        }
      }
    }
    return new Api.RolloutView(r.fromRelease(), r.toRelease(), r.strategy().keyword().replace('_', '-'),
        lower(r.state().name()), r.rollback(), r.startedAt(), updated, ready, f.count(), r.reason());
  }

  static Api.EventView event(ControllerEvent e) {
    return new Api.EventView(e.id(), e.time(), e.fleet(), e.node(), e.kind(), e.reason());
  }

  static Api.LogLine log(NodeLogLine l) {
    return new Api.LogLine(l.time(), l.fleet(), l.node(), l.generation(), l.stream(), l.text());
  }

  static Api.Changes changes(ApplyResult r, boolean applied) {
    return new Api.Changes(applied, r.changed(), r.fleets().stream().map(Views::change).toList());
  }

  static Api.Change change(FleetChange c) {
    return new Api.Change(c.fleet(), lower(c.kind().name()), c.release(), c.previousRelease(), c.details());
  }

  private static String lower(String enumName) {
    return enumName.toLowerCase(Locale.ROOT);
  }
}
