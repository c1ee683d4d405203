package dev.herd.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.spec.Spec;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigStoreTest {
  @TempDir Path dir;
  Spec spec;
  ConfigDb db;
  ConfigStore store;

  @BeforeEach
  void open() {
    spec = TestSpecs.spec(dir);
    db = ConfigDb.open(dir);
    store = new ConfigStore(db, Clock.systemUTC(), new ConfigWatch(t -> 0));
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void effectiveConfigOverlaysStoredValuesOnHerdYaml() {
    assertThat(store.list(spec, "prod", "web").asMap()).containsExactly(Map.entry("GREETING", "welcome"));
    ConfigRevision r1 = store.set(spec, "prod", "web", Map.of("GREETING", "hi", "DB_HOST", "db1"), new Edit("alice", "db"));
    assertThat(r1.revision()).isEqualTo(1);
    assertThat(r1.author()).isEqualTo("alice");
    assertThat(r1.message()).isEqualTo("db");
    EffectiveConfig now = store.list(spec, "prod", "web");
    assertThat(now.asMap()).containsExactly(Map.entry("DB_HOST", "db1"), Map.entry("GREETING", "hi"));
    assertThat(now.get("GREETING").orElseThrow().source()).isEqualTo(ConfigValue.Source.STORED);
    // scopes are separate: the same env, another role, still sees herd.yaml only
    assertThat(store.list(spec, "prod", "worker").asMap()).containsExactly(Map.entry("GREETING", "welcome"));
    assertThat(store.list(spec, "dev", "web").asMap()).containsEntry("GREETING", "hello");
  }

  @Test
  void revisionsHistoryDiffAndRollback() {
    store.set(spec, "prod", "web", Map.of("A", "1", "B", "2"), Edit.by("alice"));
    store.set(spec, "prod", "web", Map.of("A", "10"), Edit.by("bob"));
    store.unset(spec, "prod", "web", List.of("B"), new Edit("carol", "B is gone"));
    assertThat(store.revision(spec, "prod", "web")).isEqualTo(3);

    assertThat(store.list(spec, "prod", "web", 1).asMap()).containsEntry("A", "1").containsEntry("B", "2");
    assertThat(store.list(spec, "prod", "web", 3).asMap()).containsEntry("A", "10").doesNotContainKey("B");
    assertThat(store.get(spec, "prod", "web", "A", 2).orElseThrow().revision()).isEqualTo(2);

    List<ConfigRevision> history = store.history(spec, "prod", "web", 10);
    assertThat(history).extracting(ConfigRevision::revision).containsExactly(3L, 2L, 1L);
    assertThat(history.get(0).unset()).containsExactly("B");
    assertThat(history.get(0).author()).isEqualTo("carol");
    assertThat(history.get(1).set()).containsExactly(Map.entry("A", "10"));

    ConfigDiff diff = store.diff(spec, "prod", "web", 1, 3);
    assertThat(diff.changes()).containsExactly(
        new ConfigDiff.Change("A", Optional.of("1"), Optional.of("10")),
        new ConfigDiff.Change("B", Optional.of("2"), Optional.empty()));
    assertThat(store.diff(spec, "prod", "web", 0, 1).changes()).extracting(ConfigDiff.Change::key).containsExactly("A", "B");

    ConfigRevision back = store.rollback(spec, "prod", "web", 1, Edit.by("dave"));
    assertThat(back.revision()).isEqualTo(4);
    assertThat(back.message()).isEqualTo("rollback to revision 1");
    assertThat(store.list(spec, "prod", "web").asMap()).isEqualTo(store.list(spec, "prod", "web", 1).asMap());
    assertThat(store.diff(spec, "prod", "web", 1, 4).isEmpty()).isTrue();
    // the old revisions are still there, unchanged
    assertThat(store.list(spec, "prod", "web", 3).asMap()).doesNotContainKey("B");

    ConfigRevision toZero = store.rollback(spec, "prod", "web", 0, Edit.by("dave"));
    assertThat(toZero.unset()).containsExactly("A", "B");
    assertThat(store.list(spec, "prod", "web").asMap()).containsExactly(Map.entry("GREETING", "welcome"));
  }

  @Test
  void unchangedValuesMakeNoRevision() {
    store.set(spec, "prod", "web", Map.of("A", "1"), Edit.by("alice"));
    ConfigRevision again = store.set(spec, "prod", "web", Map.of("A", "1"), Edit.by("alice"));
    assertThat(again.revision()).isEqualTo(1);
    assertThat(store.history(spec, "prod", "web", 10)).hasSize(1);
  }

  @Test
  void twoConnectionsSettingAtOnceLoseNoRevision() throws Exception {
    int perThread = 40;
    try (ConfigDb second = ConfigDb.open(dir); ExecutorService pool = Executors.newFixedThreadPool(2)) {
      ConfigStore other = new ConfigStore(second, Clock.systemUTC(), new ConfigWatch(t -> 0));
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<Long>>> results = new ArrayList<>();
      for (ConfigStore s : List.of(store, other)) {
        String who = s == store ? "ONE" : "TWO";
        results.add(pool.submit(() -> {
          start.await();
          List<Long> revs = new ArrayList<>();
          for (int i = 0; i < perThread; i++) {
            revs.add(s.set(spec, "prod", "web", Map.of("KEY_" + who, who + i), Edit.by(who)).revision());
          }
          return revs;
        }));
      }
      start.countDown();
      List<Long> all = new ArrayList<>();
      for (Future<List<Long>> f : results) {
        all.addAll(f.get());
      }
      assertThat(all).doesNotHaveDuplicates().hasSize(2 * perThread);
      assertThat(store.revision(spec, "prod", "web")).isEqualTo(2L * perThread);
      assertThat(store.history(spec, "prod", "web", 1000)).hasSize(2 * perThread);
      assertThat(store.list(spec, "prod", "web").asMap())
          .containsEntry("KEY_ONE", "ONE" + (perThread - 1)).containsEntry("KEY_TWO", "TWO" + (perThread - 1));
    }
  }

  @Test
  void unknownEnvironmentOrRoleIsRefused() {
    assertThatThrownBy(() -> store.set(spec, "staging", "web", Map.of("A", "1"), Edit.by("a")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown environment \"staging\"").hasMessageContaining("dev, prod");
    assertThatThrownBy(() -> store.list(spec, "prod", "db"))
        .hasMessageContaining("unknown role \"db\"").hasMessageContaining("web, worker");
  }

  @Test
  void badKeysAndValuesAreRefusedAllAtOnceAndChangeNothing() {
    assertThatThrownBy(() -> store.set(spec, "prod", "web",
            Map.of("lower", "x", "9LIVES", "x", "DB_PASSWORD", "x", "BIG", "x".repeat(64 * 1024 + 1), "OK", "fine"),
            Edit.by("a")))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).kind()).isEqualTo(ConfigException.Kind.INVALID))
        .hasMessageContaining("4 problems")
        .hasMessageContaining("\"lower\" must match [A-Z_][A-Z0-9_]*")
        .hasMessageContaining("keys become environment variables")
        .hasMessageContaining("\"9LIVES\"")
        .hasMessageContaining("DB_PASSWORD looks like a secret (contains PASSWORD)")
        .hasMessageContaining("herd secret set")
        .hasMessageContaining("64 KiB");
    assertThat(store.revision(spec, "prod", "web")).isZero();
  }

  @Test
  void secretLookingKeys() {
    for (String key : List.of("GITHUB_TOKEN", "STRIPE_API_KEY", "TLS_PRIVATE_KEY", "APP_SECRET", "TOKEN")) {
      assertThat(ConfigKeys.checkKey(key)).as(key).hasValueSatisfying(m -> assertThat(m).contains("herd secret set"));
    }
    for (String key : List.of("MAX_TOKENS", "KEYBOARD", "LOG_LEVEL")) {
      assertThat(ConfigKeys.checkKey(key)).as(key).isEmpty();
    }
    assertThat(ConfigKeys.checkKey("HERD_X")).hasValueSatisfying(m -> assertThat(m).contains("reserved"));
    assertThat(ConfigKeys.checkKey("HOST")).hasValueSatisfying(m -> assertThat(m).contains("reserved"));
  }

  @Test
  void unsetOfAKeyFromHerdYamlSaysWhereItComesFrom() {
    assertThatThrownBy(() -> store.unset(spec, "prod", "web", List.of("GREETING"), Edit.by("a")))
        .hasMessageContaining("comes from herd.yaml (environments.prod.config)");
    assertThatThrownBy(() -> store.unset(spec, "prod", "web", List.of("NOPE"), Edit.by("a")))
        .hasMessageContaining("NOPE is not set in prod/web");
  }

  @Test
  void unknownRevisionIsNotFound() {
    store.set(spec, "prod", "web", Map.of("A", "1"), Edit.by("a"));
    assertThatThrownBy(() -> store.list(spec, "prod", "web", 7))
        .hasMessageContaining("prod/web has no config revision 7 (revisions are 0-1");
    assertThatThrownBy(() -> store.rollback(spec, "prod", "web", 7, Edit.by("a")))
        .satisfies(e -> assertThat(((ConfigException) e).kind()).isEqualTo(ConfigException.Kind.NOT_FOUND));
  }

  @Test
  void schemaIsRecordedUnderComponentConfig() {
    int version = db.read(c -> {
      try (var s = c.createStatement(); var rs = s.executeQuery("SELECT MAX(version) FROM schema_migrations WHERE component = 'config'")) {
        rs.next();
        return rs.getInt(1);
      }
    });
    assertThat(version).isEqualTo(1);
    // opening again migrates nothing and keeps data
    store.set(spec, "prod", "web", Map.of("A", "1"), Edit.by("a"));
    try (ConfigDb again = ConfigDb.open(dir)) {
      assertThat(new ConfigStore(again, Clock.systemUTC(), new ConfigWatch(t -> 0)).revision(spec, "prod", "web")).isEqualTo(1);
    }
  }
}
