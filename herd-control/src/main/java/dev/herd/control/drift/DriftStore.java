package dev.herd.control.drift;

import dev.herd.control.state.StateException;
import dev.herd.control.state.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.sqlite.SQLiteConfig;

/**
 * Drift findings in {@code <stateDir>/herd.db}, table {@code ctl_drift}, schema versioned as
 * component {@code drift} in {@code schema_migrations}. Its own connection (WAL lets it sit
 * beside the controller's), so {@code herd drift} reads it without a running controller.
 * Findings are kept after their node is gone; a finding's key is recorded once.
 */
public final class DriftStore implements AutoCloseable {
  private static final String COMPONENT = "drift";
  private static final String COLUMNS = "time, fleet, node, engine_name, kind, detail, action, key";
  private final Path file;
  private final Connection c;

  private DriftStore(Path file, Connection c) {
    this.file = file;
    this.c = c;
  }

  public static DriftStore open(Path stateDir) {
    Path f = stateDir.toAbsolutePath().normalize().resolve(Store.FILE_NAME);
    try {
      Files.createDirectories(f.getParent());
      SQLiteConfig cfg = new SQLiteConfig();
      cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
      cfg.setBusyTimeout(30_000);
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + f, cfg.toProperties());
      DriftStore s = new DriftStore(f, c);
      s.migrate();
      return s;
    } catch (SQLException | IOException e) {
      throw new StateException("cannot open the drift findings in " + f + ": " + e.getMessage(), e);
    }
  }

  private void migrate() throws SQLException {
    exec("BEGIN IMMEDIATE");
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS schema_migrations(component TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (component, version))");
      int version;
      try (ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = '" + COMPONENT + "'")) {
        rs.next();
        version = rs.getInt(1);
      }
      if (version > 1) {
        throw new SQLException("the drift schema is version " + version + ", newer than this herd understands (1); upgrade herd");
      }
      if (version < 1) {
        s.execute("""
            CREATE TABLE ctl_drift(
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              time INTEGER NOT NULL,
              fleet TEXT NOT NULL,
              node TEXT NOT NULL,
              engine_name TEXT NOT NULL,
              kind TEXT NOT NULL,
              detail TEXT NOT NULL,
              action TEXT NOT NULL,
              key TEXT NOT NULL UNIQUE)""");
        s.execute("CREATE INDEX ctl_drift_time ON ctl_drift(fleet, time)");
        s.execute("INSERT INTO schema_migrations(component, version) VALUES ('" + COMPONENT + "', 1)");
      }
      exec("COMMIT");
    } catch (SQLException | RuntimeException e) {
      exec("ROLLBACK");
      throw e;
    }
  }

  /** The keys among {@code keys} that are already recorded. */
  public synchronized Set<String> known(Collection<String> keys) {
    Set<String> out = new HashSet<>();
    if (keys.isEmpty()) {
      return out;
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM ctl_drift WHERE key = ?")) {
      for (String k : keys) {
        ps.setString(1, k);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            out.add(k);
          }
        }
      }
      return out;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** Records findings whose key is new; returns those that were new. */
  public synchronized List<DriftFinding> record(List<DriftFinding> findings) {
    List<DriftFinding> added = new ArrayList<>();
    if (findings.isEmpty()) {
      return added;
    }
    try {
      exec("BEGIN IMMEDIATE");
      try (PreparedStatement ps = c.prepareStatement("INSERT OR IGNORE INTO ctl_drift(" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?)")) {
        for (DriftFinding f : findings) {
          ps.setLong(1, f.time().toEpochMilli());
          ps.setString(2, f.fleet());
          ps.setString(3, f.node());
          ps.setString(4, f.engineName());
          ps.setString(5, f.kind().keyword());
          ps.setString(6, f.detail());
          ps.setString(7, f.action());
          ps.setString(8, f.key());
          if (ps.executeUpdate() == 1) {
            added.add(f);
          }
        }
        exec("COMMIT");
      } catch (SQLException | RuntimeException e) {
        exec("ROLLBACK");
        throw e;
      }
      return added;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** Findings from {@code since}, of one fleet (null: all), oldest first. */
  public synchronized List<DriftFinding> findings(String fleet, Instant since) {
    String sql = "SELECT " + COLUMNS + " FROM ctl_drift WHERE time >= ?" + (fleet == null ? "" : " AND fleet = ?") + " ORDER BY id";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, since == null ? Long.MIN_VALUE : since.toEpochMilli());
      if (fleet != null) {
        ps.setString(2, fleet);
      }
      List<DriftFinding> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new DriftFinding(Instant.ofEpochMilli(rs.getLong(1)), rs.getString(2), rs.getString(3), rs.getString(4),
              DriftKind.parse(rs.getString(5)), rs.getString(6), rs.getString(7), rs.getString(8)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      c.close();
    } catch (SQLException e) {
      // nothing was pending: every write commits before it returns
    }
  }

  private void exec(String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private StateException failure(SQLException e) {
    return new StateException("drift findings in " + file + ": " + e.getMessage(), e);
  }
}
