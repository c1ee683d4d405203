package dev.herd.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteConfig;

/**
 * The config service's connection to {@code <stateDir>/herd.db}, the database it shares with the
 * controller and the image catalog. Its tables start with {@code cfg_}; its schema version is
 * kept in {@code schema_migrations} under component {@code config}. WAL mode and a busy timeout
 * let several connections (threads, processes) write; every write is one {@code BEGIN IMMEDIATE}
 * transaction, so two writers serialize instead of losing each other's revision.
 */
public final class ConfigDb implements AutoCloseable {
  public static final String FILE_NAME = "herd.db";
  static final int BUSY_TIMEOUT_MS = 30_000;

  private final Path file;
  private final Connection c;

  private ConfigDb(Path file, Connection c) {
    this.file = file;
    this.c = c;
  }

  /** Opens (creating or migrating) the config tables in {@code <stateDir>/herd.db}. */
  public static ConfigDb open(Path stateDir) {
    Path f = stateDir.toAbsolutePath().normalize().resolve(FILE_NAME);
    try {
      Files.createDirectories(f.getParent());
      SQLiteConfig cfg = new SQLiteConfig();
      cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
      cfg.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
      cfg.setBusyTimeout(BUSY_TIMEOUT_MS);
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + f, cfg.toProperties());
      ConfigDb db = new ConfigDb(f, c);
      db.write(Schema::apply);
      return db;
    } catch (SQLException | IOException e) {
      throw new ConfigException(ConfigException.Kind.STORAGE, "cannot open the config state " + f + ": " + e.getMessage(), e);
    }
  }

  public Path file() {
    return file;
  }

  /** Work on the connection; may throw SQLException, which becomes a STORAGE error. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** A consistent read (one implicit transaction per statement group). */
  synchronized <T> T read(Work<T> work) {
    try {
      return work.run(c);
    } catch (SQLException e) {
      throw storage(e);
    }
  }

  /**
   * One write transaction. BEGIN IMMEDIATE takes the write lock up front, so a read-then-write
   * (next revision = max + 1) cannot interleave with another connection's.
   */
  synchronized <T> T write(Work<T> work) {
    try {
      exec("BEGIN IMMEDIATE");
      try {
        T result = work.run(c);
        exec("COMMIT");
        return result;
      } catch (SQLException | RuntimeException e) {
        try {
          exec("ROLLBACK");
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    } catch (SQLException e) {
      throw storage(e);
    }
  }

  private void exec(String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private ConfigException storage(SQLException e) {
    return new ConfigException(ConfigException.Kind.STORAGE, "config state " + file + ": " + e.getMessage(), e);
  }

  @Override
  public synchronized void close() {
    try {
      c.close();
    } catch (SQLException e) {
      throw storage(e);
    }
  }
}
