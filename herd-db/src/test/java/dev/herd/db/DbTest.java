package dev.herd.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DbTest {
  @TempDir Path dir;

  private static final Migrator ONE = new Migrator("one", "first", List.of(List.of("CREATE TABLE one_t(x INTEGER)")));

  @Test
  void aNewDatabaseIsOwnerOnlyWithItsLogs() throws Exception {
    Path f = dir.resolve(Db.FILE_NAME);
    try (Db db = Db.open(f)) {
      db.migrate(ONE);
      db.write(c -> insert(c, 1));
      for (String name : List.of("herd.db", "herd.db-wal", "herd.db-shm")) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(name)))).as(name).isEqualTo("rw-------");
      }
    }
    assertThat(Files.size(f)).isPositive();
    try (var leftovers = Files.list(dir)) {
      assertThat(leftovers.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".new-"));
    }
  }

  @Test
  void anExistingDatabaseIsNarrowedToOwnerOnly() throws Exception {
    Path f = dir.resolve(Db.FILE_NAME);
    Db.open(f).close();
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    Db.open(f).close();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
  }

  @Test
  void underUmask000TheDatabaseAndItsLogsAreStillOwnerOnly() throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    Process p = new ProcessBuilder("sh", "-c", "umask 000 && exec \"$0\" -cp \"$1\" dev.herd.db.UmaskProbe \"$2\"",
        java, System.getProperty("java.class.path"), dir.toString()).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("plain")))).isEqualTo("rw-rw-rw-");
    for (String name : List.of("herd.db", "herd.db-wal", "herd.db-shm")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(name)))).as(name).isEqualTo("rw-------");
    }
  }

  @Test
  void aZeroLengthDatabaseIsRefusedUntilDiscardedOnPurpose() throws Exception {
    Path f = dir.resolve(Db.FILE_NAME);
    try (Db db = Db.open(f)) {
      db.migrate(ONE);
    }
    Files.write(f, new byte[0]);
    assertThatThrownBy(() -> Db.open(f)).isInstanceOfSatisfying(DbException.class, e -> {
      assertThat(e.kind()).isEqualTo(DbException.Kind.EMPTY);
      assertThat(e.getMessage()).contains(f.toString(), "is empty (0 bytes)", "herd up --fresh-state");
    });
    assertThat(Files.size(f)).isZero(); // refused without touching it

    assertThat(Db.discardEmpty(f)).isTrue();
    try (Db db = Db.open(f)) {
      assertThat(db.migrate(ONE)).isEqualTo(1);
    }
    assertThatThrownBy(() -> Db.discardEmpty(f)).hasMessageContaining("is not empty");
    assertThat(Db.discardEmpty(dir.resolve("none.db"))).isFalse();
  }

  @Test
  void aCorruptedPageFailsTheIntegrityCheckWithRestoreAdvice() throws Exception {
    Path f = dir.resolve(Db.FILE_NAME);
    try (Db db = Db.open(f)) {
      db.migrate(new Migrator("big", "big", List.of(List.of("CREATE TABLE big(id INTEGER PRIMARY KEY, v TEXT)",
          "CREATE INDEX big_v ON big(v)"))));
      db.write(c -> {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO big(v) VALUES (?)")) {
          for (int i = 0; i < 2000; i++) {
            ps.setString(1, "value-" + i + "-".repeat(40));
            ps.executeUpdate();
          }
        }
        return null;
      });
    }
    long pages = Files.size(f) / 4096;
    assertThat(pages).isGreaterThan(10);
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.seek(4096L * (pages / 2) + 100);
      raf.write(new byte[512]); // zero part of a b-tree page in the middle
      raf.seek(4096L * (pages / 2 + 1));
      raf.write("garbage garbage garbage".repeat(20).getBytes());
    }
    try (Db db = Db.open(f)) {
      assertThatThrownBy(db::checkIntegrity).isInstanceOfSatisfying(DbException.class, e -> {
        assertThat(e.kind()).isEqualTo(DbException.Kind.DAMAGED);
        assertThat(e.getMessage()).contains(f.toString(), "is damaged", "backup copy", ".recover");
      });
    }
  }

  @Test
  void aDamagedHeaderIsRefusedAtOpen() throws Exception {
    Path f = dir.resolve(Db.FILE_NAME);
    try (Db db = Db.open(f)) {
      db.migrate(ONE);
    }
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.write("this is no database header at all".getBytes());
    }
    assertThatThrownBy(() -> Db.open(f)).isInstanceOfSatisfying(DbException.class,
        e -> assertThat(e.kind()).isEqualTo(DbException.Kind.DAMAGED));
  }

  @Test
  void aReadDoesNotWaitForAnotherConnectionsWriteLock() {
    Path f = dir.resolve(Db.FILE_NAME);
    try (Db writer = Db.open(f); Db reader = Db.open(f)) {
      writer.migrate(ONE);
      writer.write(c -> insert(c, 1));
      long start = System.nanoTime();
      int seen = writer.write(c -> {
        insert(c, 2); // the write lock is held until this lambda returns
        return reader.read(rc -> count(rc));
      });
      assertThat(seen).isEqualTo(1); // the committed snapshot, not the uncommitted row
      assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
      assertThat(reader.read(DbTest::count)).isEqualTo(2);
    }
  }

  @Test
  void eachComponentKeepsItsOwnSchemaVersionAndANewerOneIsRefused() {
    Path f = dir.resolve(Db.FILE_NAME);
    Migrator two = new Migrator("two", "second", List.of(List.of("CREATE TABLE two_a(x)"), List.of("CREATE TABLE two_b(x)")));
    try (Db db = Db.open(f)) {
      assertThat(db.migrate(ONE)).isEqualTo(1);
      assertThat(db.migrate(two)).isEqualTo(2);
      assertThat(db.migrate(two)).isEqualTo(2); // idempotent
      assertThat(db.read(ONE::version)).isEqualTo(1);
      assertThat(db.read(two::version)).isEqualTo(2);
      Migrator older = new Migrator("two", "second", List.of(List.of("CREATE TABLE two_a(x)")));
      assertThatThrownBy(() -> db.migrate(older)).isInstanceOf(DbException.class)
          .hasMessage("the second schema is version 2, newer than this herd understands (1); upgrade herd");
    }
  }

  private static Void insert(java.sql.Connection c, int x) throws java.sql.SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("INSERT INTO one_t VALUES (" + x + ")");
    }
    return null;
  }

  private static int count(java.sql.Connection c) throws java.sql.SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM one_t")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
