package dev.herd.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.control.state.EventKind;
import dev.herd.engine.NodeInfo;
import dev.herd.spec.Spec;
import dev.herd.spec.SpecLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * depends_on through the whole controller on the fake engine: a web fleet starts only once the
 * database and cache fleets are healthy, is woken by their passes (no polling), and later
 * rollouts and restarts of the database do not hold it.
 */
class DependsOnTest {
  static final String YAML = """
      project: {name: shop, ports: 20000-20999}
      roles:
        app:
          base: {scratch: {}}
          command: ["/srv/app", "${PORT}"]
          health: {http: {path: /health}, interval: 1s, timeout: 500ms, start_grace: 30s}
      environments:
        prod: {}
      fleets:
        web:
          role: app
          environment: prod
          count: 2
          depends_on: [db, cache]
          rollout: {min_healthy_time: 1s}
        db:
          role: app
          environment: prod
          rollout: {min_healthy_time: 1s, max_surge: 0, max_unavailable: 1}
        cache:
          role: app
          environment: prod
          rollout: {min_healthy_time: 1s}
      """;

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

  ApplyResult apply(String image) {
    Spec spec = SpecLoader.load(Path.of("/tmp/herd-test/herd.yaml"), YAML.getBytes(StandardCharsets.UTF_8)).orThrow();
    ApplyResult r = sim.controller.apply(DesiredState.of(spec, Map.of("app", image)));
    sim.controller.runPending();
    return r;
  }

  Instant created(String node) {
    return sim.events(EventKind.NODE_CREATED).stream().filter(e -> e.node().equals(node)).findFirst().orElseThrow().time();
  }

  boolean healthy(String fleet, int n) {
    return sim.controller.status(fleet).healthy() == n;
  }

  @Test
  void theWebTierStartsOnlyOnceTheDatabaseAndCacheAreHealthy() {
    sim.fake.slowStart("db-1-g1", Duration.ofSeconds(8));
    sim.fake.slowStart("cache-1-g1", Duration.ofSeconds(3));

    ApplyResult r = apply(Sim.V1);
    assertThat(r.fleet("web").details()).anyMatch(d -> d.endsWith("once db, cache are healthy"));
    sim.runUntil(Duration.ofSeconds(5), s -> healthy("cache", 1));
    assertThat(sim.nodes()).extracting(NodeInfo::fleet).doesNotContain("web");
    sim.runUntil(Duration.ofSeconds(30), s -> healthy("web", 2));

    Instant dbHealthy = sim.controller.status("db").nodes().getFirst().healthySince();
    assertThat(created("web-1")).isAfterOrEqualTo(dbHealthy);
    assertThat(created("web-2")).isAfterOrEqualTo(dbHealthy);
    assertThat(sim.events(EventKind.FLEET_WAITING)).extracting(ControllerEvent::reason).containsExactly(
        "web waits for db (0 of 1 nodes healthy), cache (0 of 1 nodes healthy) before starting its nodes",
        "web waits for db (0 of 1 nodes healthy) before starting its nodes");
    assertThat(sim.events(EventKind.NODE_CREATED).stream().filter(e -> e.node().startsWith("web")))
        .allMatch(e -> e.reason().endsWith("new fleet; db, cache are healthy"));
  }

  @Test
  void onceRunningTheWebTierNeitherWaitsForADatabaseRestartNorForItsRollout() {
    apply(Sim.V1);
    sim.runUntil(Duration.ofSeconds(30), s -> healthy("web", 2) && healthy("db", 1) && healthy("cache", 1));
    List<ControllerEvent> waitsBefore = sim.events(EventKind.FLEET_WAITING);

    // the database dies and comes back slowly; meanwhile the web tier is rolled to a new release
    sim.fake.slowStart("db-1-g2", Duration.ofSeconds(20));
    sim.fake.slowStart("db-1-g3", Duration.ofSeconds(20));
    sim.fake.crashAfter("db-1-g1", Duration.ZERO, 137);
    sim.tick();
    apply(Sim.V2);
    sim.runUntil(Duration.ofSeconds(15), s -> s.controller.status("web").nodes().stream()
        .filter(n -> n.release().equals("web:v2")).count() == 2 && healthy("web", 2));

    assertThat(healthy("db", 0)).as("the database is still starting").isTrue();
    assertThat(sim.events(EventKind.FLEET_WAITING)).isEqualTo(waitsBefore);
  }
}
