package dev.herd.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.control.state.EventKind;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.NodeRef;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetLifecycleTest {
  @TempDir Path dir;
  Sim sim;

  @BeforeEach
  void open() {
    sim = new Sim(dir);
    sim.open();
  }

  @AfterEach
  void close() {
    sim.close();
  }

  @Test
  void aFleetOfThreeComesUpHealthyWithStableNamesPortsAndItsRelease() {
    ApplyResult r = sim.apply(Specs.fleet(3, Specs.rolling(1, 0)), Sim.V1);

    assertThat(r.fleet("web").kind()).isEqualTo(FleetChange.Kind.CREATED);
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 3));
    FleetStatus s = sim.status();
    assertThat(s.nodes()).extracting(NodeStatus::name).containsExactly("web-1", "web-2", "web-3");
    assertThat(s.nodes()).extracting(NodeStatus::generation).containsOnly(1L);
    assertThat(s.nodes()).allMatch(NodeStatus::inService);
    assertThat(s.nodes()).extracting(NodeStatus::port).doesNotHaveDuplicates().allMatch(p -> p >= 20000 && p <= 20999);
    NodeInfo web1 = sim.fake.inspectNode(new NodeRef(Sim.PROJECT, "web-1-g1")).orElseThrow();
    assertThat(web1.releaseId()).isEqualTo("web:v1");
    assertThat(web1.imageDigest()).isEqualTo(Sim.V1);
    assertThat(web1.env()).containsEntry("GREETING", "hello").containsEntry("PORT", Integer.toString(web1.port()));
    assertThat(sim.events(EventKind.NODE_CREATED)).hasSize(3);
  }

  @Test
  void applyingTheSameDesiredStateTwiceMakesNoNewRelease() {
    sim.apply(Specs.fleet(3, Specs.rolling(1, 0)), Sim.V1);
    ApplyResult again = sim.apply(Specs.fleet(3, Specs.rolling(1, 0)), Sim.V1);

    assertThat(again.changed()).isFalse();
    assertThat(again.fleet("web").kind()).isEqualTo(FleetChange.Kind.UNCHANGED);
    assertThat(sim.controller.releases("web")).extracting(rel -> rel.id()).containsExactly("web:v1");
  }

  @Test
  void aChangeOfTheFrontDoorAloneIsAnUpdateThatStatusShows() {
    sim.apply(Specs.fleet(2, Specs.rolling(1, 0)), Sim.V1);
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 2));

    // (table) each change of expose alone is stored and said, without a new release or new nodes
    String[][] cases = {
        {"expose: {port: 29180}", "front door added (127.0.0.1:29180)", "http://127.0.0.1:29180"},
        {"expose: {port: 29181}", "front door 127.0.0.1:29180 → 127.0.0.1:29181", "http://127.0.0.1:29181"},
        {"expose: {port: 29181, drain_timeout: 5s}", "front door drain_timeout 30s → 5s", "http://127.0.0.1:29181"},
        {"expose: {port: 29181, drain_timeout: 5s, max_connections: 8}", "front door max_connections none → 8",
            "http://127.0.0.1:29181"},
        {"expose: {port: 29181, drain_timeout: 5s, protocol: tcp, max_connections: 8}", "front door protocol http → tcp",
            "tcp://127.0.0.1:29181"},
        {"", "front door removed", null},
    };
    for (String[] c : cases) {
      ApplyResult r = sim.apply(Specs.fleet(2, Specs.rolling(1, 0), c[0]), Sim.V1);
      assertThat(r.fleet("web").kind()).as(c[0]).isEqualTo(FleetChange.Kind.UPDATED);
      assertThat(r.fleet("web").details()).as(c[0]).containsExactly(c[1]);
      assertThat(sim.controller.status("web").address()).as(c[0]).isEqualTo(java.util.Optional.ofNullable(c[2]));
      assertThat(sim.apply(Specs.fleet(2, Specs.rolling(1, 0), c[0]), Sim.V1).fleet("web").kind()).as("again: " + c[0])
          .isEqualTo(FleetChange.Kind.UNCHANGED);
    }
    assertThat(sim.controller.releases("web")).extracting(rel -> rel.id()).containsExactly("web:v1");
    assertThat(sim.events(EventKind.NODE_CREATED)).hasSize(2);
  }

  @Test
  void planSaysWhatApplyWouldDoAndChangesNothing() {
    sim.apply(Specs.fleet(3, Specs.rolling(1, 0)), Sim.V1);
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 3));
    long eventsBefore = sim.events().size();

    ApplyResult plan = sim.controller.plan(Sim.desired(Specs.fleet(5, Specs.rolling(1, 0)), Sim.V2));
    sim.controller.runPending();

    assertThat(plan.fleet("web").kind()).isEqualTo(FleetChange.Kind.RELEASED);
    assertThat(plan.fleet("web").release()).isEqualTo("web:v2");
    assertThat(plan.fleet("web").details()).contains("image 111111111111 → 222222222222", "count 3 → 5");
    assertThat(sim.controller.releases("web")).hasSize(1);
    assertThat(sim.events()).hasSize((int) eventsBefore);
    assertThat(sim.status().count()).isEqualTo(3);
  }

  @Test
  void aCrashedNodeIsReplacedUnderTheSameNameWithTheNextGeneration() {
    sim.apply(Specs.fleet(3, Specs.rolling(1, 0)), Sim.V1);
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 3));

    sim.fake.crashAfter("web-2-g1", Duration.ZERO, 137);
    sim.tick();

    assertThat(sim.events(EventKind.NODE_REPLACED)).singleElement()
        .satisfies(e -> assertThat(e.reason()).isEqualTo("web-2 replaced: exited with code 137"));
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 3));
    NodeStatus web2 = sim.status().nodes().stream().filter(n -> n.name().equals("web-2")).findFirst().orElseThrow();
    assertThat(web2.generation()).isEqualTo(2);
    assertThat(web2.engineName()).isEqualTo("web-2-g2");
    assertThat(sim.fake.containerExists("shop-web-2-g1")).isFalse();
  }

  @Test
  void aNodeFailingItsHealthCheckIsReplacedWithTheReasonInTheEvent() {
    sim.apply(Specs.fleet(3, Specs.rolling(1, 0)), Sim.V1);
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 3));

    sim.fake.failHealth("web-3-g1", true);
    sim.runUntil(Duration.ofSeconds(10), s -> !s.events(EventKind.NODE_REPLACED).isEmpty());

    assertThat(sim.events(EventKind.NODE_REPLACED).getFirst().reason())
        .isEqualTo("web-3 replaced: health check failed 3 times (connection refused)");
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 3));
  }

  @Test
  void quarantineKeepsTheStoppedContainerOutOfServiceAndStartsAReplacement() {
    sim.apply(Specs.fleet(2, Specs.rolling(1, 0), "on_unhealthy: quarantine\nquarantine_retention: 1h"), Sim.V1);
    sim.runUntil(Duration.ofSeconds(20), s -> s.status().healthy() == 2);
    sim.fake.emitLog(new NodeRef(Sim.PROJECT, "web-1-g1"), "about to go wrong");

    sim.fake.failHealth("web-1-g1", true);
    sim.runUntil(Duration.ofSeconds(10), s -> !s.events(EventKind.NODE_QUARANTINED).isEmpty());
    sim.runUntil(Duration.ofSeconds(20), s -> s.status().healthy() == 2);

    NodeInfo kept = sim.fake.inspectNode(new NodeRef(Sim.PROJECT, "web-1-g1")).orElseThrow();
    assertThat(kept.running()).isFalse();
    NodeStatus q = sim.status().nodes().stream().filter(n -> n.engineName().equals("web-1-g1")).findFirst().orElseThrow();
    assertThat(q.phase()).isEqualTo(NodeStatus.Phase.QUARANTINED);
    assertThat(q.inService()).isFalse();
    assertThat(q.reason()).contains("health check failed 3 times");
    assertThat(q.until()).isEqualTo(sim.events(EventKind.NODE_QUARANTINED).getFirst().time().plus(Duration.ofHours(1)));
    assertThat(sim.status().nodes()).filteredOn(n -> n.name().equals("web-1") && n.phase() == NodeStatus.Phase.HEALTHY)
        .singleElement().satisfies(n -> assertThat(n.generation()).isEqualTo(2));
    assertThat(sim.controller.logs("web", "web-1", null, 100)).extracting(NodeLogLine::text).contains("about to go wrong");

    sim.tick(Duration.ofHours(1));
    sim.controller.runPending();
    assertThat(sim.fake.containerExists("shop-web-1-g1")).isFalse();
    assertThat(sim.events(EventKind.NODE_REMOVED)).anySatisfy(e -> assertThat(e.reason())
        .isEqualTo("quarantined web-1 (gen 1) removed: retention of 1h is over"));
    assertThat(sim.controller.logs("web", "web-1", null, 100)).extracting(NodeLogLine::text).contains("about to go wrong");
  }

  @Test
  void maxAgeRecyclesNodesOneAtATimeWithoutLosingAvailability() {
    sim.apply(Specs.fleet(3, Specs.rolling(1, 0), "max_age: 1m"), Sim.V1);
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 3));

    int maxRunning = 0;
    int minHealthy = 3;
    for (int s = 0; s < 120; s++) {
      sim.tick();
      maxRunning = Math.max(maxRunning, sim.running().size());
      minHealthy = Math.min(minHealthy, (int) sim.status().healthy());
    }

    assertThat(sim.events(EventKind.NODE_RECYCLED)).hasSizeGreaterThanOrEqualTo(3)
        .first().satisfies(e -> assertThat(e.reason()).startsWith("web-1 recycled: older than max_age 1m"));
    assertThat(maxRunning).as("one extra node at a time (max_surge 1)").isEqualTo(4);
    assertThat(minHealthy).isGreaterThanOrEqualTo(3);
    assertThat(sim.status().nodes()).allMatch(n -> n.generation() >= 2);
  }

  @Test
  void scaleUpAndDownRemovesTheHighestNamesFirstAndApplyResetsTheOverride() {
    sim.apply(Specs.fleet(3, Specs.rolling(1, 0)), Sim.V1);
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 3));

    sim.controller.scale("web", 5);
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 5));
    assertThat(sim.status().nodes()).extracting(NodeStatus::name).containsExactly("web-1", "web-2", "web-3", "web-4", "web-5");

    sim.controller.scale("web", 2);
    sim.controller.runPending();
    assertThat(sim.events(EventKind.NODE_REMOVED)).extracting(e -> e.node()).containsExactly("web-5", "web-4", "web-3");
    sim.runUntil(Duration.ofSeconds(5), s -> s.settledOn("web:v1", 2));

    ApplyResult r = sim.apply(Specs.fleet(3, Specs.rolling(1, 0)), Sim.V1);
    assertThat(r.fleet("web").details()).contains("scale override 2 replaced by the spec's count 3");
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 3));
  }

  @Test
  void orphansAreRemovedAndAdoptedNodesKeptAfterARestart() {
    sim.apply(Specs.fleet(2, Specs.rolling(1, 0)), Sim.V1);
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 2));
    sim.controller.close();
    // while no controller runs: a herd node of a fleet nobody declares, and a foreign container
    sim.fake.startNode(dev.herd.engine.NodeSpec.builder().project(Sim.PROJECT).fleet("api").node("api-1-g1")
        .releaseId("api:v1").imageDigest(Sim.V1).port(20500).build());
    sim.fake.addForeignContainer("shop-db", Map.of());

    sim.open();

    assertThat(sim.fake.containerExists("shop-api-1-g1")).isFalse();
    assertThat(sim.fake.containerExists("shop-db")).isTrue();
    assertThat(sim.events(EventKind.ORPHAN_REMOVED)).singleElement().satisfies(e -> assertThat(e.reason())
        .contains("shop-api-1-g1").contains("fleet api"));
    sim.runUntil(Duration.ofSeconds(5), s -> s.settledOn("web:v1", 2));
    assertThat(sim.status().nodes()).extracting(NodeStatus::generation).containsOnly(1L);
  }

  @Test
  void aNodeLeftOnTheEngineWithoutARecordIsAdopted() {
    sim.apply(Specs.fleet(2, Specs.rolling(1, 0)), Sim.V1);
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 2));
    sim.controller.close();
    // a node the previous controller started but never recorded (it died right after the call)
    sim.fake.startNode(dev.herd.engine.NodeSpec.builder().project(Sim.PROJECT).fleet("web").node("web-2-g2").generation(2)
        .releaseId("web:v1").imageDigest(Sim.V1).port(20600).env("GREETING", "hello").build());

    sim.open();
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 2));

    assertThat(sim.events(EventKind.NODE_ADOPTED)).singleElement().satisfies(e -> assertThat(e.reason())
        .startsWith("web-2 (gen 2) adopted"));
    assertThat(sim.status().nodes()).filteredOn(n -> n.name().equals("web-2")).singleElement()
        .satisfies(n -> assertThat(n.generation()).isEqualTo(2));
  }

  @Test
  void removingAFleetFromTheDesiredStateRemovesItsNodes() {
    sim.apply(Specs.fleet(2, Specs.rolling(1, 0)), Sim.V1);
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 2));

    DesiredState empty = new DesiredState(Sim.PROJECT, dev.herd.spec.PortRange.DEFAULT, Map.of());
    assertThat(sim.controller.apply(empty).fleet("web").kind()).isEqualTo(FleetChange.Kind.DELETED);
    sim.controller.runPending();

    assertThat(sim.nodes()).isEmpty();
    assertThat(sim.controller.status()).isEmpty();
    assertThat(sim.events(EventKind.FLEET_REMOVED)).hasSize(2);
  }

  @Test
  void operatorActionsOnUnknownFleetsOrWithoutARolloutFailAndChangeNothing() {
    sim.apply(Specs.fleet(1, Specs.rolling(1, 0)), Sim.V1);
    int events = sim.events().size();

    assertThatThrownBy(() -> sim.controller.scale("api", 2)).isInstanceOf(NoSuchElementException.class)
        .hasMessage("no fleet api (fleets: web)");
    assertThatThrownBy(() -> sim.controller.pause("web")).isInstanceOf(IllegalStateException.class)
        .hasMessage("fleet web has no rollout in progress");
    assertThatThrownBy(() -> sim.controller.rollback("web")).isInstanceOf(IllegalStateException.class)
        .hasMessage("fleet web has no release before web:v1 to roll back to");
    assertThatThrownBy(() -> sim.controller.scale("web", -1)).isInstanceOf(IllegalArgumentException.class);
    assertThat(sim.events()).hasSize(events);
  }

  @Test
  void nodeLogsAreKeptAfterTheNodeIsGone() {
    sim.fake.logOnStart("web-1-g1", "listening");
    sim.apply(Specs.fleet(1, Specs.rolling(1, 0)), Sim.V1);
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 1));
    sim.fake.emitLog(new NodeRef(Sim.PROJECT, "web-1-g1"), "GET / 200");
    sim.fake.crashAfter("web-1-g1", Duration.ZERO, 1);
    sim.runUntil(Duration.ofSeconds(20), s -> s.status().nodes().size() == 1 && s.status().nodes().getFirst().generation() == 2
        && s.settledOn("web:v1", 1));

    List<NodeLogLine> lines = sim.controller.logs("web", "web-1", null, 100);
    assertThat(lines).extracting(NodeLogLine::text).containsExactly("listening", "GET / 200");
    assertThat(lines).extracting(NodeLogLine::generation).containsOnly(1L);
  }
}
