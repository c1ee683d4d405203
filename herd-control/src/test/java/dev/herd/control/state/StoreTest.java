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
        java.time.Duration.ofSeconds(45), at, at);
    FleetSettings withDoor = new FleetSettings(old.name(), old.role(), old.count(), old.nodeName(), old.rollout(), old.maxAge(),
        old.onUnhealthy(), old.quarantineRetention(), old.logs(), old.drift(), Optional.of(e));
    FleetSettings back = FleetSettings.decode(withDoor.encode());
    assertThat(back).isEqualTo(withDoor);
    assertThat(back.expose().orElseThrow().address()).isEqualTo("[::1]:8080");
    assertThat(back.withCount(7).expose()).isEqualTo(back.expose());
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
