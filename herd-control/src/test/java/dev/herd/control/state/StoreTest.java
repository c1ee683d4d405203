package dev.herd.control.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.image.catalog.Catalog;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreTest {
  @TempDir Path dir;
  final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void sharesHerdDbWithTheImageCatalogEachWithItsOwnMigrations() throws SQLException {
    try (Catalog catalog = Catalog.open(dir.resolve(Store.FILE_NAME)); Store store = Store.open(dir)) {
      assertThat(store.fleets()).isEmpty();
    }
    try (Store again = Store.open(dir);
        var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(Store.FILE_NAME));
        ResultSet rs = c.createStatement().executeQuery("SELECT component, MAX(version) FROM schema_migrations GROUP BY component ORDER BY component")) {
      List<String> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(rs.getString(1) + ":" + rs.getInt(2));
      }
      assertThat(rows).containsExactly("control:1", "image:2");
      ResultSet mode = c.createStatement().executeQuery("PRAGMA journal_mode");
      mode.next();
      assertThat(mode.getString(1)).isEqualTo("wal");
    }
  }

  @Test
  void aBatchIsWrittenTogetherAndEventsGetIncreasingIds() {
    try (Store store = Store.open(dir)) {
      NodeRecord n = new NodeRecord("web-1-g1", "web", "web-1", 1, 1, "c1", "web:v1", 20000, NodePhase.STARTING, t0, t0,
          null, "", null, "");
      List<Event> events = store.commit(new Batch().put(n).lease(20000, "web-1-g1", "web").generation("web", "web-1", 1)
          .event(t0, "web", "web-1", EventKind.NODE_CREATED, "one").event(t0, "web", "web-1", EventKind.NODE_CREATED, "two"));

      assertThat(events).extracting(Event::id).containsExactly(1L, 2L);
      assertThat(store.nodes("web")).containsExactly(n);
      assertThat(store.leases()).isEqualTo(Map.of(20000, "web-1-g1"));
      assertThat(store.generations("web")).isEqualTo(Map.of("web-1", 1L));

      store.commit(new Batch().delete(n).generation("web", "web-1", 0));
      assertThat(store.nodes("web")).isEmpty();
      assertThat(store.leases()).isEmpty();
      assertThat(store.generations("web")).as("generations only go up").isEqualTo(Map.of("web-1", 1L));
      assertThat(store.eventsAfter(1, 10)).extracting(Event::reason).containsExactly("two");
    }
  }

  private NodeRecord node(String fleet, int index, long gen, NodePhase phase) {
    String slot = fleet + "-" + index;
    return new NodeRecord(NodeRecord.engineName(slot, gen), fleet, slot, index, gen, "c" + index + gen, fleet + ":v1",
        20000 + 10 * index + (int) gen, phase, t0, t0, null, "", null, "");
  }

  @Test
  void theControllersStoreKeepsNodeRowsInMemoryAndWritesThrough() {
    NodeRecord a = node("web", 2, 1, NodePhase.HEALTHY);
    NodeRecord b = node("web", 1, 1, NodePhase.HEALTHY);
    NodeRecord c = node("api", 1, 1, NodePhase.STARTING);
    try (Store setup = Store.open(dir)) {
      setup.commit(new Batch().put(a).put(b).put(c));
    }
    try (Store ctl = Store.openForController(dir); Store other = Store.open(dir)) {
      assertThat(ctl.nodes("web")).as("read from the file at open, sorted by slot").containsExactly(b, a);
      List<NodeRecord> first = ctl.nodes("web");

      // a row changed behind the controller's back (no other writer is allowed while it runs) is
      // not seen: the rounds read the kept rows, not the file
      other.commit(new Batch().put(a.withPhase(NodePhase.DEAD, "changed elsewhere")));
      assertThat(ctl.nodes("web")).as("the same list, not read again").isSameAs(first).containsExactly(b, a);
      assertThat(other.nodes("web")).as("a short command's store reads the file").contains(a.withPhase(NodePhase.DEAD, "changed elsewhere"));

      // the controller's own commits write through
      NodeRecord a2 = node("web", 2, 2, NodePhase.CREATING);
      ctl.commit(new Batch().put(a2).delete(b).put(a.withPhase(NodePhase.REMOVING, "replaced")));
      assertThat(ctl.nodes("web")).containsExactly(a.withPhase(NodePhase.REMOVING, "replaced"), a2);
      assertThat(other.nodes("web")).containsExactlyElementsOf(ctl.nodes("web"));
      // a fleet not read yet is read from the file, with what was committed meanwhile
      ctl.commit(new Batch().put(c.withPhase(NodePhase.HEALTHY, "")));
      assertThat(ctl.nodes("api")).containsExactly(c.withPhase(NodePhase.HEALTHY, ""));
    }
    try (Store restarted = Store.openForController(dir)) {
      assertThat(restarted.nodes("web")).as("a restart reads the file again")
          .containsExactly(a.withPhase(NodePhase.REMOVING, "replaced"), node("web", 2, 2, NodePhase.CREATING));
    }
  }

  @Test
  void aFailedCommitLeavesTheKeptRowsAsTheFileHasThem() {
    NodeRecord a = node("web", 1, 1, NodePhase.HEALTHY);
    try (Store ctl = Store.openForController(dir)) {
      ctl.commit(new Batch().put(a));
      assertThat(ctl.nodes("web")).containsExactly(a);
      RoleRuntime rt = new RoleRuntime("web", List.of("/srv/web"), Map.of(), true, List.of(), Optional.empty(), 0, 0);
      Release v1 = new Release("web:v1", "web", 1, new ReleaseSpec("sha256:" + "1".repeat(64), 1, Map.of(), rt), t0);
      ctl.commit(new Batch().release(v1));
      // the same release again breaks its primary key: the transaction rolls back, nodes included
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> ctl.commit(new Batch().put(node("web", 2, 1, NodePhase.STARTING))
          .delete(a).release(v1))).isInstanceOf(StateException.class);
      assertThat(ctl.nodes("web")).containsExactly(a);
    }
  }

  @Test
  void logRetentionDropsOldLinesThenTheOldestBeyondTheSizePerNode() {
    try (Store store = Store.open(dir)) {
      List<NodeLog> lines = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        lines.add(new NodeLog(t0.plusSeconds(i), "web", "web-1", 1, "stdout", "line-" + i));
        lines.add(new NodeLog(t0.plusSeconds(i), "web", "web-2", 1, "stdout", "line-" + i));
      }
      store.appendLogs(lines);

      store.pruneLogs("web", t0.plusSeconds(2), 0);
      assertThat(store.logs("web", "web-1", null, 100)).extracting(NodeLog::text).first().isEqualTo("line-2");

      store.pruneLogs("web", t0, 14); // "line-9\n" and "line-8\n" are 7 bytes each
      assertThat(store.logs("web", "web-1", null, 100)).extracting(NodeLog::text).containsExactly("line-8", "line-9");
      assertThat(store.logs("web", null, null, 100)).hasSize(4);
    }
  }

  @Test
  void fleetsAndRolloutsSurviveReopening() {
    Path d = dir;
    FleetSettings settings = FleetSettings.decode(sampleSettings());
    try (Store store = Store.open(d)) {
      store.commit(new Batch().fleet(new FleetRecord(settings, java.util.OptionalInt.of(5), "web:v2", Optional.of("web:v1"), false))
          .rollout(new Rollout("web", "web:v1", "web:v2", dev.herd.spec.Fleet.Strategy.CANARY, Rollout.State.PAUSED, t0, t0,
              t0, false, null, false, "why")));
    }
    try (Store store = Store.open(d)) {
      FleetRecord f = store.fleet("web").orElseThrow();
      assertThat(f.settings()).isEqualTo(settings);
      assertThat(f.count()).isEqualTo(5);
      assertThat(f.lastGoodRelease()).contains("web:v1");
      assertThat(store.rollout("web")).get().extracting(Rollout::state, Rollout::canaryHealthySince)
          .containsExactly(Rollout.State.PAUSED, t0);
    }
  }

  @Test
  void aFrontDoorSurvivesEncodingAndOlderSettingsHaveNone() {
    FleetSettings old = FleetSettings.decode(sampleSettings());
    assertThat(old.expose()).isEmpty();
    dev.herd.spec.Location at = new dev.herd.spec.Location(java.nio.file.Path.of("herd.yaml"), 12, 5);
    dev.herd.spec.Fleet.Expose e = new dev.herd.spec.Fleet.Expose(8080, "::1", dev.herd.spec.Fleet.Protocol.TCP,
        java.time.Duration.ofSeconds(45), 0, at, at);
    FleetSettings withDoor = new FleetSettings(old.name(), old.role(), old.count(), old.nodeName(), old.rollout(), old.maxAge(),
        old.onUnhealthy(), old.quarantineRetention(), old.logs(), old.drift(), Optional.of(e));
    FleetSettings back = FleetSettings.decode(withDoor.encode());
    assertThat(back).isEqualTo(withDoor);
    assertThat(back.expose().orElseThrow().address()).isEqualTo("[::1]:8080");
    assertThat(back.withCount(7).expose()).isEqualTo(back.expose());
    assertThat(back.expose().orElseThrow().maxConnections()).as("no limit unless written").isZero();
    FleetSettings limited = new FleetSettings(old.name(), old.role(), old.count(), old.nodeName(), old.rollout(), old.maxAge(),
        old.onUnhealthy(), old.quarantineRetention(), old.logs(), old.drift(),
        Optional.of(new dev.herd.spec.Fleet.Expose(8080, "::1", dev.herd.spec.Fleet.Protocol.TCP, java.time.Duration.ofSeconds(45), 64, at, at)));
    assertThat(FleetSettings.decode(limited.encode()).expose().orElseThrow().maxConnections()).isEqualTo(64);
  }

  @Test
  void aCanarysWeightAndStickyCookieSurviveEncoding() {
    FleetSettings old = FleetSettings.decode(sampleSettings());
    dev.herd.spec.Fleet.Rollout ro = new dev.herd.spec.Fleet.Rollout(dev.herd.spec.Fleet.Strategy.CANARY, dev.herd.spec.Amount.nodes(1),
        dev.herd.spec.Amount.nodes(0), java.time.Duration.ofSeconds(2), java.time.Duration.ofMinutes(5), true,
        Optional.of(new dev.herd.spec.Fleet.Canary(1, java.time.Duration.ofMinutes(1), Optional.of(10), true)), Optional.empty());
    FleetSettings weighted = new FleetSettings(old.name(), old.role(), old.count(), old.nodeName(), ro, old.maxAge(),
        old.onUnhealthy(), old.quarantineRetention(), old.logs(), old.drift(), old.expose());
    FleetSettings back = FleetSettings.decode(weighted.encode());
    assertThat(back).isEqualTo(weighted);
    assertThat(back.rollout().canary().orElseThrow().weight()).contains(10);
    assertThat(back.rollout().canary().orElseThrow().sticky()).isTrue();
  }

  @Test
  void dependenciesSurviveEncodingAndOlderSettingsHaveNone() {
    FleetSettings old = FleetSettings.decode(sampleSettings());
    assertThat(old.dependsOn()).isEmpty();
    FleetSettings web = new FleetSettings(old.name(), old.role(), old.count(), old.nodeName(), old.rollout(), old.maxAge(),
        old.onUnhealthy(), old.quarantineRetention(), old.logs(), old.drift(), Optional.empty(), java.util.List.of("db", "cache"), java.util.List.of(), Optional.empty());
    FleetSettings back = FleetSettings.decode(web.encode());
    assertThat(back).isEqualTo(web);
    assertThat(back.withCount(2).dependsOn()).containsExactly("db", "cache");
  }

  static String sampleSettings() {
    return """
        count=3
        logs.max_age=7d
        logs.max_size=1024
        max_age=1h
        name=web
        node_name=web-{n}
        on_unhealthy=quarantine
        quarantine_retention=1d
        role=web
        rollout.auto_rollback=true
        rollout.canary.count=1
        rollout.canary.promote_after=5m
        rollout.max_surge=25%
        rollout.max_unavailable=0
        rollout.min_healthy_time=5s
        rollout.progress_deadline=5m
        rollout.strategy=canary
        """;
  }
}
