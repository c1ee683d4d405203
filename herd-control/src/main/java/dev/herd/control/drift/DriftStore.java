package dev.herd.control.drift;

import dev.herd.control.state.StateException;
import dev.herd.db.Db;
import dev.herd.db.DbException;
import dev.herd.db.Migrator;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Drift findings in {@code <stateDir>/herd.db}, table {@code ctl_drift}, schema versioned as
 * component {@code drift} in {@code schema_migrations}. Its own connection (WAL lets it sit
 * beside the controller's), so {@code herd drift} reads it without a running controller.
 * Findings are kept after their node is gone; a finding's key is recorded once.
 */
public final class DriftStore implements AutoCloseable {
  private static final Migrator MIGRATOR = new Migrator("drift", "drift", List.of(List.of(
      """
      CREATE TABLE ctl_drift(
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        time INTEGER NOT NULL,
        fleet TEXT NOT NULL,
        node TEXT NOT NULL,
        engine_name TEXT NOT NULL,
        kind TEXT NOT NULL,
        detail TEXT NOT NULL,
        action TEXT NOT NULL,
        key TEXT NOT NULL UNIQUE)""",
      "CREATE INDEX ctl_drift_time ON ctl_drift(fleet, time)")));
  private static final String COLUMNS = "time, fleet, node, engine_name, kind, detail, action, key";
  private final Db db;

  private DriftStore(Db db) {
    this.db = db;
  }

  public static DriftStore open(Path stateDir) {
    Path f = Db.fileIn(stateDir);
    try {
      Db db = Db.open(f, MIGRATOR);
      return new DriftStore(db);
    } catch (DbException e) {
      throw new StateException(e.needsOperator() ? e.getMessage() : "cannot open the drift findings in " + f + ": " + e.getMessage(), e);
    }
  }

  /** The keys among {@code keys} that are already recorded. */
  public synchronized Set<String> known(Collection<String> keys) {
    if (keys.isEmpty()) {
      return new HashSet<>();
    }
    return run(false, c -> {
      Set<String> out = new HashSet<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM ctl_drift WHERE key = ?")) {
        for (String k : keys) {
          ps.setString(1, k);
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
              out.add(k);
            }
          }
        }
      }
      return out;
    });
  }

  /** Records findings whose key is new; returns those that were new. */
  public synchronized List<DriftFinding> record(List<DriftFinding> findings) {
    if (findings.isEmpty()) {
      return new ArrayList<>();
    }
    return run(true, c -> {
      List<DriftFinding> added = new ArrayList<>();
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
      }
      return added;
    });
  }

  /** Findings from {@code since}, of one fleet (null: all), oldest first. */
  public synchronized List<DriftFinding> findings(String fleet, Instant since) {
    String sql = "SELECT " + COLUMNS + " FROM ctl_drift WHERE time >= ?" + (fleet == null ? "" : " AND fleet = ?") + " ORDER BY id";
    return run(false, c -> {
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
      }
    });
  }

  @Override
  public synchronized void close() {
    db.close();
  }

  private <T> T run(boolean write, Db.Work<T> work) {
    try {
      return write ? db.write(work) : db.read(work);
    } catch (DbException e) {
      throw new StateException(e.needsOperator() ? e.getMessage() : "drift findings in " + e.getMessage(), e);
    }
  }
}
