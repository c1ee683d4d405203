package dev.herd.control;

import dev.herd.control.health.NodeHealth;
import dev.herd.control.state.FleetRecord;
import dev.herd.control.state.FleetSettings;
import dev.herd.control.state.NodePhase;
import dev.herd.control.state.NodeRecord;
import dev.herd.control.state.Release;
import dev.herd.control.state.ReleaseSpec;
import dev.herd.control.state.RoleRuntime;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.NodeRef;
import dev.herd.engine.NodeState;
import dev.herd.spec.Amount;
import dev.herd.spec.Fleet;
import dev.herd.spec.NamePattern;
import dev.herd.spec.Size;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The planner's share of a round, from snapshots already taken: {@code fleets} settled fleets of
 * 1,000 nodes each (100 fleets = 100,000 nodes, more than one host's ports allow a real
 * controller to run, hence snapshots built in memory). Linear in the nodes if the planner is.
 * In package dev.herd.control because the planner is package-private.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
public class PlannerBench {
  static final int PER_FLEET = 1000;
  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  @Param({"10", "100"})
  public int fleets;

  private List<FleetSnapshot> snapshots;

  @Setup(Level.Trial)
  public void build() {
    snapshots = new ArrayList<>();
    for (int f = 0; f < fleets; f++) {
      snapshots.add(snapshot("f" + f));
    }
  }

  @Benchmark
  public int planRound() {
    int calls = 0;
    for (FleetSnapshot s : snapshots) {
      calls += FleetPlanner.plan(s).engineCalls();
    }
    if (calls != 0) {
      throw new IllegalStateException("a settled fleet planned " + calls + " engine calls");
    }
    return calls;
  }

  static FleetSnapshot snapshot(String fleet) {
    String digest = "sha256:" + "1".repeat(64);
    Fleet.Rollout ro = new Fleet.Rollout(Fleet.Strategy.ROLLING, Amount.nodes(1), Amount.nodes(0), Duration.ofSeconds(2),
        Duration.ofSeconds(30), true, Optional.empty(), Optional.empty());
    FleetSettings settings = new FleetSettings(fleet, "web", PER_FLEET, NamePattern.forFleet(fleet), ro, Optional.empty(),
        Fleet.OnUnhealthy.REPLACE, Duration.ofHours(1), new Fleet.Logs(Duration.ofDays(7), Size.ofBytes(0)));
    String rel = Release.idOf(fleet, 1);
    FleetRecord record = new FleetRecord(settings, OptionalInt.empty(), rel, Optional.of(rel), false);
    RoleRuntime rt = new RoleRuntime("web", List.of("/srv/web", "--port", "${PORT}"), Map.of(), true, List.of(), Optional.empty(),
        0, 0);
    Release release = new Release(rel, fleet, 1, new ReleaseSpec(digest, 1, Map.of(), rt), NOW.minusSeconds(3600));
    List<NodeRecord> records = new ArrayList<>();
    List<NodeInfo> engine = new ArrayList<>();
    Map<String, NodeHealth> health = new HashMap<>();
    for (int i = 1; i <= PER_FLEET; i++) {
      String slot = settings.nodeName().name(i);
      String name = NodeRecord.engineName(slot, 1);
      String id = String.format("%064x", (long) fleet.hashCode() * 10_000 + i);
      Instant started = NOW.minusSeconds(600);
      NodeRecord r = new NodeRecord(name, fleet, slot, i, 1, id, rel, 20000 + i, NodePhase.HEALTHY, started, started,
          started.plusSeconds(1), "", null, "");
      records.add(r);
      engine.add(new NodeInfo(id, new NodeRef("bench", name), fleet, 1, rel, digest, 20000 + i, NodeState.RUNNING, null, false,
          true, started, started, null, Map.of(), Map.of()));
      health.put(name, new NodeHealth(NodeHealth.State.HEALTHY, r.healthySince(), "HTTP 200"));
    }
    return new FleetSnapshot(NOW, record, Optional.empty(), engine, records, Map.of(rel, release), health, Map.of(),
        Map.of(), Optional.empty(), java.util.Set.of(), java.util.List.of(), Optional.empty(), Map.of());
  }
}
