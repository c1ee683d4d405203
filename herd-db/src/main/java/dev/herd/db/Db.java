package dev.herd.db;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * One connection to herd's database, {@code <stateDir>/herd.db}, shared by the controller, the
 * drift findings, the image catalog and the config service. Every opener goes through here, so
 * all of them get the same file mode (0600, whatever the umask), the same pragmas (WAL,
 * synchronous FULL, foreign keys, a busy timeout) and the same refusals of a damaged or
 * emptied file.
 *
 * <p>Transactions are explicit statements on an auto-commit connection: the driver's own
 * non-auto-commit mode re-opens a transaction right after each commit and so would hold a lock
 * between calls. {@link #read} is a deferred transaction (a consistent snapshot that never
 * takes the write lock; WAL lets it run beside a writer), {@link #write} an immediate one
 * (takes the write lock up front, so a read-then-write cannot interleave with another
 * connection's).
 */
public final class Db implements AutoCloseable {
  public static final String FILE_NAME = "herd.db";
  public static final int BUSY_TIMEOUT_MS = 30_000;
  private static final Logger log = LoggerFactory.getLogger(Db.class);
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final int SQLITE_CORRUPT = 11;
  private static final int SQLITE_NOTADB = 26;

  /** Work on the connection inside a transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private final Path file;
  private final Connection c;
  private boolean inTransaction;

  private Db(Path file, Connection c) {
    this.file = file;
    this.c = c;
  }

  /** {@code <stateDir>/herd.db}. */
  public static Path fileIn(Path stateDir) {
    return stateDir.toAbsolutePath().normalize().resolve(FILE_NAME);
  }

  /**
   * Opens (creating when missing) the database {@code file}. A new file is initialized under a
   * temporary name and linked into place, so herd itself never leaves a zero-length database
   * behind; an existing zero-length one is therefore damage and refused ({@link DbException.Kind#EMPTY}),
   * see {@link #discardEmpty}.
   */
  public static Db open(Path file) {
    Path f = file.toAbsolutePath().normalize();
    try {
      Files.createDirectories(f.getParent());
      if (!Files.exists(f)) {
        create(f);
      } else if (isEmpty(f)) {
        throw emptied(f);
      }
      ownerOnly(f);
      ownerOnly(sidecar(f, "-wal"));
      ownerOnly(sidecar(f, "-shm"));
      Connection c = connect(f);
      Db db = new Db(f, c);
      // The first read of the schema fails on a file that is not a database (a damaged header).
      db.read(conn -> {
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_schema")) {
          return rs.next();
        }
      });
      return db;
    } catch (IOException e) {
      throw new DbException(DbException.Kind.STORAGE, "cannot open " + f + ": " + e, e);
    } catch (SQLException e) {
      throw failure(f, e);
    }
  }

  /**
   * Opens {@code file} and brings its component's tables to the newest schema; the connection
   * is closed again when the migration fails, so a caller holds either a migrated store or nothing.
   */
  public static Db open(Path file, Migrator migrator) {
    Db db = open(file);
    try {
      db.migrate(migrator);
      return db;
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  /**
   * For an explicit fresh start ({@code herd up --fresh-state}): removes {@code file} when it
   * exists with zero bytes, so the next {@link #open} starts an empty project. Returns whether
   * it removed something. A file with content is never touched.
   */
  public static boolean discardEmpty(Path file) {
    Path f = file.toAbsolutePath().normalize();
    try {
      if (!Files.exists(f)) {
        return false;
      }
      if (!isEmpty(f)) {
        throw new DbException(DbException.Kind.STORAGE, f + " is not empty; a fresh start only replaces an empty herd.db"
            + " (move it aside yourself if you really mean to drop it)", null);
      }
      Files.deleteIfExists(sidecar(f, "-wal"));
      Files.deleteIfExists(sidecar(f, "-shm"));
      Files.delete(f);
      log.warn("removed the empty {} for a fresh start", f);
      return true;
    } catch (IOException e) {
      throw new DbException(DbException.Kind.STORAGE, "cannot remove " + f + ": " + e, e);
    }
  }

  public Path file() {
    return file;
  }

  /** Brings {@code migrator}'s component up to its latest version; returns that version. */
  public int migrate(Migrator migrator) {
    return write(migrator::apply);
  }

  /**
   * Runs SQLite's {@code quick_check} (every page and index well-formed, no row-by-row index
   * comparison) and refuses a damaged file. Cost grows with the file; the controller runs it
   * once at start, short commands do not.
   */
  public void checkIntegrity() {
    List<String> problems = read(conn -> {
      List<String> out = new ArrayList<>();
      try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("PRAGMA quick_check(5)")) {
        while (rs.next()) {
          String row = rs.getString(1);
          if (!"ok".equals(row)) {
            out.add(row);
          }
        }
      }
      return out;
    });
    if (!problems.isEmpty()) {
      throw damaged(file, String.join("; ", problems), null);
    }
  }

  /** A deferred transaction: a consistent snapshot that does not take the write lock. */
  public synchronized <T> T read(Work<T> work) {
    return transaction("BEGIN DEFERRED", work);
  }

  /** An immediate transaction: the write lock is taken up front and held until commit. */
  public synchronized <T> T write(Work<T> work) {
    return transaction("BEGIN IMMEDIATE", work);
  }

  private <T> T transaction(String begin, Work<T> work) {
    if (inTransaction) {
      // A store helper called from inside its own transaction: it is part of that one.
      try {
        return work.run(c);
      } catch (SQLException e) {
        throw failure(file, e);
      }
    }
    try {
      exec(begin);
    } catch (SQLException e) {
      throw failure(file, e);
    }
    inTransaction = true;
    try {
      T result = work.run(c);
      exec("COMMIT");
      return result;
    } catch (SQLException e) {
      rollback();
      throw failure(file, e);
    } catch (RuntimeException e) {
      rollback();
      throw e;
    } finally {
      inTransaction = false;
    }
  }

  private void exec(String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private void rollback() {
    try {
      exec("ROLLBACK");
    } catch (SQLException e) {
      log.debug("rollback on {}: {}", file, e.toString());
    }
  }

  @Override
  public synchronized void close() {
    try {
      c.close();
    } catch (SQLException e) {
      log.debug("closing {}: {}", file, e.toString());
    }
  }

  // ---- opening ------------------------------------------------------------------------------

  private static Connection connect(Path f) throws SQLException {
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
    cfg.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    cfg.setBusyTimeout(BUSY_TIMEOUT_MS);
    cfg.enforceForeignKeys(true);
    return DriverManager.getConnection("jdbc:sqlite:" + f, cfg.toProperties());
  }

  /**
   * Creates the database owner-only and already in WAL mode under a temporary name, then links
   * it into place: the file never exists with a wider mode or with zero bytes, and a process
   * that loses the race to create it just opens the winner's file.
   */
  private static void create(Path f) throws IOException, SQLException {
    Path tmp = f.resolveSibling("." + f.getFileName() + ".new-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    try {
      if (posix(f.getParent())) {
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        Files.setPosixFilePermissions(tmp, OWNER_ONLY); // the umask may have narrowed it; never widened
      } else {
        Files.createFile(tmp);
      }
      try (Connection c = connect(tmp); Statement s = c.createStatement()) {
        s.execute("PRAGMA user_version = 0"); // writes page 1, so the file is a database from now on
      }
      try {
        Files.createLink(f, tmp);
      } catch (FileAlreadyExistsException raced) {
        log.debug("{} was created by another process meanwhile", f);
      } catch (UnsupportedOperationException | IOException noLinks) {
        if (!Files.exists(f)) {
          Files.move(tmp, f);
        }
      }
    } finally {
      Files.deleteIfExists(tmp);
      Files.deleteIfExists(sidecar(tmp, "-wal"));
      Files.deleteIfExists(sidecar(tmp, "-shm"));
    }
  }

  /** Zero bytes and no write-ahead log that could still hold its pages. */
  private static boolean isEmpty(Path f) throws IOException {
    Path wal = sidecar(f, "-wal");
    return Files.size(f) == 0 && (!Files.exists(wal) || Files.size(wal) == 0);
  }

  /** Narrows an existing file to 0600; a file herd may use but not chmod (another owner) only gets a warning. */
  private static void ownerOnly(Path p) {
    try {
      if (Files.exists(p) && posix(p)) {
        Set<PosixFilePermission> now = Files.getPosixFilePermissions(p);
        if (!now.equals(OWNER_ONLY)) {
          Files.setPosixFilePermissions(p, OWNER_ONLY);
          log.info("{} was {}; narrowed to rw------- (it holds the project's state)", p, PosixFilePermissions.toString(now));
        }
      }
    } catch (IOException e) {
      log.warn("cannot narrow {} to owner-only: {}", p, e.toString());
    }
  }

  private static boolean posix(Path p) {
    return Files.getFileAttributeView(p, PosixFileAttributeView.class) != null;
  }

  static Path sidecar(Path f, String suffix) {
    return f.resolveSibling(f.getFileName() + suffix);
  }

  // ---- failures -----------------------------------------------------------------------------

  static DbException failure(Path f, SQLException e) {
    int primary = e.getErrorCode() & 0xff;
    if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
      return damaged(f, e.getMessage(), e);
    }
    if (e instanceof Migrator.NewerSchemaException) {
      return new DbException(DbException.Kind.STORAGE, e.getMessage(), e);
    }
    String m = String.valueOf(e.getMessage());
    if (m.contains("SQLITE_BUSY") || m.contains("database is locked")) {
      return new DbException(DbException.Kind.BUSY, f + " is busy: " + m, e);
    }
    return new DbException(DbException.Kind.STORAGE, f + ": " + m, e);
  }

  static DbException damaged(Path f, String problem, Throwable cause) {
    return new DbException(DbException.Kind.DAMAGED, f + " is damaged (" + problem + "); herd will not run on it. "
        + "Stop every herd process of this project, then restore herd.db from a backup copy (remove herd.db-wal and "
        + "herd.db-shm beside it unless they were copied with it), or salvage what SQLite can still read: "
        + "sqlite3 " + f + " .recover | sqlite3 " + sidecar(f, ".recovered") + " and, once checked, move the result "
        + "in place of herd.db", cause);
  }

  static DbException emptied(Path f) {
    return new DbException(DbException.Kind.EMPTY, f + " is empty (0 bytes): this project's history, releases and "
        + "record of which secrets exist are gone, and herd will not silently start a new project over it. "
        + "Restore herd.db from a backup copy, or start over on purpose with: herd up --fresh-state", null);
  }
}
