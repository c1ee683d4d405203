package dev.herd.image.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.image.oci.Digest;
import dev.herd.image.oci.ImageException;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogTest {
  @TempDir Path tmp;
  Catalog catalog;

  @BeforeEach
  void open() {
    catalog = Catalog.open(tmp.resolve("herd.db"), Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC));
  }

  @AfterEach
  void close() {
    catalog.close();
  }

  static Digest d(String s) {
    return Digest.of(s);
  }

  CatalogImage reg(String role, String content) {
    return catalog.register(role, d(content), 100, new Lineage("sha256:spec", "abc123", "")).image();
  }

  @Test
  void versionsAreMonotonicPerRoleAndRebakesReuseTheVersion() {
    assertThat(reg("web", "a").ref()).isEqualTo("web:1");
    assertThat(reg("web", "b").ref()).isEqualTo("web:2");
    assertThat(reg("db", "a").ref()).isEqualTo("db:1");
    Catalog.Registration again = catalog.register("web", d("a"), 100, Lineage.UNKNOWN);
    assertThat(again.minted()).isFalse();
    assertThat(again.image().ref()).isEqualTo("web:1");
    assertThat(reg("web", "c").ref()).isEqualTo("web:3");
    assertThat(catalog.list("web")).extracting(CatalogImage::version).containsExactly(3, 2, 1);
    assertThat(catalog.list("web").get(0).lineage().gitCommit()).isEqualTo("abc123");
  }

  @Test
  void readsDoNotWaitWhileAnotherProcessHoldsTheWriteLock() throws Exception {
    reg("web", "a");
    try (var other = DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("herd.db"));
        var s = other.createStatement()) {
      s.execute("PRAGMA busy_timeout = 0");
      s.execute("BEGIN IMMEDIATE"); // a bake in another process minting a version
      s.execute("INSERT INTO image_versions(role, version, digest, created_at, size, spec_digest, git_commit, base_digest)"
          + " VALUES ('web', 2, 'sha256:" + "b".repeat(64) + "', 0, 1, '', '', '')");
      long start = System.nanoTime();
      assertThat(catalog.list("web")).extracting(CatalogImage::version).containsExactly(1); // the committed snapshot
      assertThat(catalog.resolve(ImageRef.parse("web")).version()).isEqualTo(1);
      assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(5));
      s.execute("ROLLBACK");
    }
  }

  @Test
  void schemaIsVersionedAndTablesArePrefixed() throws Exception {
    catalog.close();
    catalog = Catalog.open(tmp.resolve("herd.db")); // reopening applies nothing twice
    try (var c = DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("herd.db"));
        var s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT component, version FROM schema_migrations ORDER BY version")) {
        for (int v = 1; v <= 2; v++) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString(1)).isEqualTo("image");
          assertThat(rs.getInt(2)).isEqualTo(v);
        }
        assertThat(rs.next()).isFalse();
      }
      try (ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
        assertThat(rs.getString(1)).isEqualTo("wal");
      }
      List<String> tables = new ArrayList<>();
      try (ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")) {
        while (rs.next()) tables.add(rs.getString(1));
      }
      assertThat(tables).allMatch(t -> t.startsWith("image_") || t.equals("schema_migrations"));
    }
  }

  @Test
  void pushesAreRecordedPerDigestInOrder() {
    CatalogImage web = reg("web", "a");
    assertThat(catalog.pushes(web.digest())).isEmpty();
    catalog.recordPush(web.digest(), "127.0.0.1:5000/shop/web:1", null);
    catalog.recordPush(web.digest(), "127.0.0.1:5000/shop/web:prod", "prod");
    assertThat(catalog.pushes(web.digest())).extracting(Catalog.Push::destination, Catalog.Push::channel)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("127.0.0.1:5000/shop/web:1", null),
            org.assertj.core.groups.Tuple.tuple("127.0.0.1:5000/shop/web:prod", "prod"));
    assertThat(catalog.pushes(reg("web", "b").digest())).isEmpty();
  }

  @Test
  void selectorsResolve() {
    reg("web", "a");
    CatalogImage two = reg("web", "b");
    reg("web", "c");
    catalog.promote(ImageRef.parse("web:2"), "prod");
    assertThat(catalog.resolve(ImageRef.parse("web")).version()).isEqualTo(3);
    assertThat(catalog.resolve(ImageRef.parse("web:latest")).version()).isEqualTo(3);
    assertThat(catalog.resolve(ImageRef.parse("web:channel:prod")).version()).isEqualTo(2);
    assertThat(catalog.resolve(ImageRef.parse("web:version:1")).version()).isEqualTo(1);
    assertThat(catalog.resolve(ImageRef.parse("web@" + two.digest())).version()).isEqualTo(2);
    assertThat(catalog.resolve(ImageRef.parse("web:" + two.digest())).version()).isEqualTo(2);

    assertThatThrownBy(() -> catalog.resolve(ImageRef.parse("api:1")))
        .hasMessage("no images for role 'api' (roles with images: web)");
    assertThatThrownBy(() -> catalog.resolve(ImageRef.parse("web:9")))
        .hasMessage("no image web:9 (web has versions 1..3)");
    assertThatThrownBy(() -> catalog.resolve(ImageRef.parse("web:channel:dev")))
        .hasMessage("role 'web' has no channel 'dev' (channels: prod)");
    assertThatThrownBy(() -> ImageRef.parse("web:bogus")).hasMessageContaining("unknown image selector 'bogus'");
  }

  @Test
  void channelsMoveAndKeepHistory() {
    reg("web", "a");
    reg("web", "b");
    catalog.promote(ImageRef.parse("web:1"), "prod");
    catalog.promote(ImageRef.parse("web:2"), "prod");
    catalog.promote(ImageRef.parse("web:1"), "dev");
    assertThat(catalog.channels("web")).containsEntry("prod", 2).containsEntry("dev", 1);
    assertThat(catalog.channelHistory("web", "prod"))
        .extracting(Catalog.ChannelMove::version, Catalog.ChannelMove::previousVersion)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(2, 1), org.assertj.core.groups.Tuple.tuple(1, null));
    assertThat(catalog.find(ImageRef.parse("web:2")).channels()).containsExactly("prod");
  }

  @Test
  void revokedImagesAreNeverResolvedOrPromoted() {
    reg("web", "a");
    reg("web", "b");
    catalog.promote(ImageRef.parse("web:2"), "prod");
    CatalogImage revoked = catalog.revoke(ImageRef.parse("web:2"), "CVE-2025-1234 in openssl");
    assertThat(revoked.revocation()).get().extracting(Revocation::reason).isEqualTo("CVE-2025-1234 in openssl");

    assertThat(catalog.resolve(ImageRef.parse("web:latest")).version()).isEqualTo(1);
    assertThatThrownBy(() -> catalog.resolve(ImageRef.parse("web:2")))
        .isInstanceOf(ImageException.class).hasMessageContaining("web:2 is revoked (CVE-2025-1234 in openssl");
    assertThatThrownBy(() -> catalog.resolve(ImageRef.parse("web:channel:prod")))
        .hasMessageStartingWith("channel prod points at web:2 is revoked");
    assertThatThrownBy(() -> catalog.promote(ImageRef.parse("web:2"), "dev"))
        .hasMessage("web:2 is revoked (CVE-2025-1234 in openssl) and cannot be promoted");
    assertThatThrownBy(() -> catalog.revoke(ImageRef.parse("web:2"), "again"))
        .hasMessageContaining("already revoked");
    assertThatThrownBy(() -> catalog.revoke(ImageRef.parse("web:1"), " "))
        .hasMessageContaining("needs a reason");
    // find (for show) still sees it
    assertThat(catalog.find(ImageRef.parse("web:2")).revoked()).isTrue();
    // a rebake of the revoked digest does not mint a fresh, unrevoked version
    Catalog.Registration rebake = catalog.register("web", d("b"), 100, Lineage.UNKNOWN);
    assertThat(rebake.minted()).isFalse();
    assertThat(rebake.image().revoked()).isTrue();
  }

  @Test
  void gcKeepsNewestChannelAndInUse() {
    for (String s : List.of("a", "b", "c", "d", "e", "f")) {
      reg("web", s);
    }
    reg("db", "x");
    catalog.promote(ImageRef.parse("web:1"), "prod");
    catalog.revoke(ImageRef.parse("web:6"), "broken");
    GcPlan plan = catalog.planGc(2, img -> img.ref().equals("web:3"));
    assertThat(plan.keep().keySet()).extracting(CatalogImage::ref)
        .containsExactlyInAnyOrder("web:5", "web:4", "web:3", "web:1", "db:1");
    assertThat(plan.remove()).extracting(CatalogImage::ref).containsExactlyInAnyOrder("web:6", "web:2");
    catalog.markDeleted(plan.remove());
    assertThat(catalog.list("web")).extracting(CatalogImage::version).containsExactly(5, 4, 3, 1);
    assertThatThrownBy(() -> catalog.find(ImageRef.parse("web:2"))).hasMessageContaining("was removed by gc");
    // numbers are never reused
    assertThat(reg("web", "g").version()).isEqualTo(7);
    // rebaking a removed digest brings its version back
    assertThat(catalog.register("web", d("b"), 100, Lineage.UNKNOWN).image().version()).isEqualTo(2);
    assertThat(catalog.list("web")).extracting(CatalogImage::version).contains(2);
    assertThatThrownBy(() -> catalog.planGc(0, InUse.NOTHING)).hasMessageContaining("at least 1");
  }

  @Test
  void concurrentBakesNeverMintTheSameVersion() throws Exception {
    int perThread = 15;
    Catalog other = Catalog.open(tmp.resolve("herd.db"));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    CountDownLatch start = new CountDownLatch(1);
    ConcurrentLinkedQueue<Integer> versions = new ConcurrentLinkedQueue<>();
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (Catalog cat : List.of(catalog, other)) {
        String tag = cat == catalog ? "one" : "two";
        fs.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            versions.add(cat.register("web", d(tag + i), 1, Lineage.UNKNOWN).image().version());
            // the same content from both "bakes" must end up as one version
            cat.register("web", d("shared" + i), 1, Lineage.UNKNOWN);
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : fs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
      other.close();
    }
    Set<Integer> distinct = new TreeSet<>(versions);
    assertThat(distinct).hasSize(2 * perThread);
    assertThat(catalog.list("web")).hasSize(3 * perThread);
    assertThat(catalog.list("web")).extracting(CatalogImage::version).doesNotHaveDuplicates();
    assertThat(catalog.list("web").get(0).version()).isEqualTo(3 * perThread);
  }
}
