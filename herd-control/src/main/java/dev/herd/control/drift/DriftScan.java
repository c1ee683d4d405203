package dev.herd.control.drift;

import dev.herd.control.state.FleetRecord;
import dev.herd.control.state.NodePhase;
import dev.herd.control.state.NodeRecord;
import dev.herd.control.state.Release;
import dev.herd.control.state.Store;
import dev.herd.engine.Engine;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.Subscription;
import dev.herd.spec.NamePattern;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A detection pass on its own, for {@code herd drift} without a running controller: the same
 * comparisons the controller makes, against the state in herd.db and the engine, acting on
 * nothing. Exec and other hand-made changes are found by replaying the engine's events since
 * the oldest node started.
 */
public final class DriftScan {
  private DriftScan() {}

  /**
   * @param fleet one fleet, or null for all
   * @param eventWait how long to let the engine replay past events (0 for an engine that
   *     replays synchronously, like the fake)
   */
  public static List<DriftFinding> run(Store store, Engine engine, String project, String fleet, Clock clock,
      Duration eventWait) {
    List<NodeRecord> records = new ArrayList<>();
    Map<String, NamePattern> patterns = new TreeMap<>();
    for (FleetRecord f : store.fleets()) {
      patterns.put(f.name(), f.settings().nodeName());
      if (fleet == null || f.name().equals(fleet)) {
        records.addAll(store.nodes(f.name()));
      }
    }
    DriftDetector detector = new DriftDetector(engine, clock, Duration.ZERO);
    Instant since = records.stream().map(NodeRecord::startedAt).filter(Objects::nonNull).min(Instant::compareTo).orElse(null);
    if (since != null) {
      try (Subscription s = engine.events(project, since, detector::onEngineEvent)) {
        if (!eventWait.isZero()) {
          Thread.sleep(eventWait.toMillis());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Map<String, NodeInfo> onEngine = new HashMap<>();
    for (NodeInfo n : engine.listNodes(project)) {
      onEngine.put(n.name(), n);
    }
    Map<String, Release> releases = new HashMap<>();
    List<DriftFinding> out = new ArrayList<>();
    for (NodeRecord r : records) {
      NodeInfo n = onEngine.get(r.engineName());
      if (n == null || r.phase() != NodePhase.STARTING && r.phase() != NodePhase.HEALTHY) {
        continue;
      }
      Release rel = releases.computeIfAbsent(r.releaseId(), id -> store.release(id).orElse(null));
      if (rel != null) {
        out.addAll(detector.inspect(r, n, rel));
      }
    }
    for (NodeInfo n : onEngine.values()) {
      if (!patterns.containsKey(n.fleet()) && (fleet == null || fleet.equals(n.fleet()))) {
        out.add(new DriftFinding(clock.instant(), n.fleet(), n.name(), n.ref().containerName(), DriftKind.ORPHAN,
            "a herd node of fleet " + (n.fleet().isEmpty() ? "(none)" : n.fleet()) + ", which the controller does not run",
            DriftFinding.NOT_ACTED_ON, "orphan:" + n.id()));
      }
    }
    Map<Integer, String> leases = new TreeMap<>();
    store.allNodes().forEach(r -> leases.put(r.port(), r.fleet()));
    for (DriftFinding f : ForeignScan.scan(engine, project, patterns, leases, clock.instant())) {
      if (fleet == null || fleet.equals(f.fleet())) {
        out.add(f);
      }
    }
    return out;
  }
}
