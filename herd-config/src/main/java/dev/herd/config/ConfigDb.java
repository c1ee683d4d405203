package dev.herd.config;

import dev.herd.db.Db;
import dev.herd.db.DbException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The config service's connection to {@code <stateDir>/herd.db}, the database it shares with the
 * controller and the image catalog. Its tables start with {@code cfg_}; its schema version is
 * kept in {@code schema_migrations} under component {@code config}. WAL mode and a busy timeout
 * let several connections (threads, processes) write; every write is one {@code BEGIN IMMEDIATE}
 * transaction, so two writers serialize instead of losing each other's revision.
 */
public final class ConfigDb implements AutoCloseable {
  public static final String FILE_NAME = Db.FILE_NAME;

  private final Db db;

  private ConfigDb(Db db) {
    this.db = db;
  }

  /** Opens (creating or migrating) the config tables in {@code <stateDir>/herd.db}. */
  public static ConfigDb open(Path stateDir) {
    Path f = Db.fileIn(stateDir);
    try {
      Db db = Db.open(f, Schema.MIGRATOR);
      return new ConfigDb(db);
    } catch (DbException e) {
      throw new ConfigException(ConfigException.Kind.STORAGE,
          e.needsOperator() ? e.getMessage() : "cannot open the config state " + f + ": " + e.getMessage(), e);
    }
  }

  public Path file() {
    return db.file();
  }

  /** Work on the connection; may throw SQLException, which becomes a STORAGE error. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** A consistent read that does not take the write lock. */
  synchronized <T> T read(Work<T> work) {
    try {
      return db.read(work::run);
    } catch (DbException e) {
      throw storage(e);
    }
  }

  /**
   * One write transaction. BEGIN IMMEDIATE takes the write lock up front, so a read-then-write
   * (next revision = max + 1) cannot interleave with another connection's.
   */
  synchronized <T> T write(Work<T> work) {
    try {
      return db.write(work::run);
    } catch (DbException e) {
      throw storage(e);
    }
  }

  private static ConfigException storage(DbException e) {
    return new ConfigException(ConfigException.Kind.STORAGE, e.needsOperator() ? e.getMessage() : "config state " + e.getMessage(), e);
  }

  @Override
  public synchronized void close() {
    db.close();
  }
}
