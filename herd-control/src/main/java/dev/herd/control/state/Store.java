package dev.herd.control.state;

import dev.herd.db.Db;
import dev.herd.db.DbException;
import dev.herd.spec.Fleet;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's state in {@code <stateDir>/herd.db} (shared with the image catalog): fleets,
 * releases, rollouts, nodes, port leases, events and node logs. One connection in WAL mode;
 * writes go through {@link #commit} in one immediate transaction.
 *
 * <p>The controller is the only writer of its rows, so the store it opens ({@link #openForController})
 * keeps each fleet's node rows and the (immutable) releases in memory once read: a reconcile round
 * reads them from here, not from SQLite; {@link #commit} writes through to them after the
 * transaction commits. They are read from the file again at every open (a controller start or
 * restart adopts what the file says). Other openers (short commands) read the file every time.
 */
public final class Store implements AutoCloseable {
  public static final String FILE_NAME = Db.FILE_NAME;
  private static final Logger log = LoggerFactory.getLogger(Store.class);
  private static final String NODE_COLUMNS = "engine_name, fleet, slot, slot_index, generation, container_id, release_id, "
      + "port, phase, created_at, started_at, healthy_since, reason, until, snapshot";

  private final Db db;
  /** fleet → its node rows, for fleets read since open; null for a store that does not keep them. Guarded by this. */
  private final Map<String, FleetRows> rows;
  /** release id → release (releases never change once written); null when not kept. Guarded by this. */
  private final Map<String, Release> releaseCache;

  /** One fleet's node rows in memory, and the sorted list handed out until they change. */
  private static final class FleetRows {
    final String name;
    final Map<String, NodeRecord> byName = new HashMap<>();
    final Map<String, String> releaseIds = new HashMap<>();
    List<NodeRecord> sorted;

    FleetRows(String name) {
      this.name = name;
    }

    List<NodeRecord> sorted() {
      if (sorted == null) {
        List<NodeRecord> out = new ArrayList<>(byName.values());
        out.sort(java.util.Comparator.comparingInt(NodeRecord::slotIndex).thenComparingLong(NodeRecord::generation));
        sorted = List.copyOf(out);
      }
      return sorted;
    }
  }

  private Store(Db db, boolean keep) {
    this.db = db;
    this.rows = keep ? new HashMap<>() : null;
    this.releaseCache = keep ? new HashMap<>() : null;
  }

  /** Opens the state for reading and occasional writes by a short command: every read goes to the file. */
  public static Store open(Path stateDir) {
    return open(stateDir, false);
  }

  /**
   * Opens the state for the controller, the only writer of node rows while it runs: node rows and
   * releases are kept in memory between rounds (write-through).
   */
  public static Store openForController(Path stateDir) {
    return open(stateDir, true);
  }

  private static Store open(Path stateDir, boolean keep) {
    Path f = Db.fileIn(stateDir);
    try {
      Db db = Db.open(f, Migrations.MIGRATOR);
      return new Store(db, keep);
    } catch (DbException e) {
      throw new StateException(e.needsOperator() ? e.getMessage() : "cannot open the controller state " + f + ": " + e.getMessage(), e);
    }
  }

  /**
   * Refuses a damaged database (SQLite's quick_check). The controller runs it once at start;
   * short commands skip it (it reads every page).
   */
  public void checkIntegrity() {
    try {
      db.checkIntegrity();
    } catch (DbException e) {
      throw new StateException(e.getMessage(), e);
    }
  }

  public Path file() {
    return db.file();
  }

  // ---- reads -------------------------------------------------------------------------------

  public synchronized List<FleetRecord> fleets() {
    return read(conn -> {
      List<FleetRecord> out = new ArrayList<>();
      try (Statement s = conn.createStatement();
          ResultSet rs = s.executeQuery("SELECT settings, scale_override, current_release, last_good_release, deleted FROM ctl_fleets ORDER BY name")) {
        while (rs.next()) {
          out.add(fleet(rs));
        }
      }
      return out;
    });
  }

  public synchronized Optional<FleetRecord> fleet(String name) {
    return read(conn -> {
      try (PreparedStatement ps = conn.prepareStatement(
          "SELECT settings, scale_override, current_release, last_good_release, deleted FROM ctl_fleets WHERE name = ?")) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(fleet(rs)) : Optional.empty();
        }
      }
    });
  }

  public synchronized Optional<Release> release(String id) {
    if (releaseCache != null) {
      Release kept = releaseCache.get(id);
      if (kept != null) {
        return Optional.of(kept);
      }
    }
    Optional<Release> found = read(conn -> {
      try (PreparedStatement ps = conn.prepareStatement("SELECT id, fleet, version, spec, created_at FROM ctl_releases WHERE id = ?")) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(release(rs)) : Optional.empty();
        }
      }
    });
    if (releaseCache != null) {
      found.ifPresent(r -> releaseCache.put(id, r));
    }
    return found;
  }

  /** A fleet's releases, newest first. */
  public synchronized List<Release> releases(String fleet) {
    return read(conn -> {
      List<Release> out = new ArrayList<>();
      try (PreparedStatement ps = conn.prepareStatement(
          "SELECT id, fleet, version, spec, created_at FROM ctl_releases WHERE fleet = ? ORDER BY version DESC")) {
        ps.setString(1, fleet);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(release(rs));
          }
        }
      }
      return out;
    });
  }

  /** Image digests of every release a fleet may still run (current, last good, on a node). */
  public synchronized List<String> imagesInUse() {
    return read(conn -> {
      List<String> out = new ArrayList<>();
      try (Statement s = conn.createStatement();
          ResultSet rs = s.executeQuery("""
              SELECT DISTINCT image_digest FROM ctl_releases WHERE id IN (
                SELECT current_release FROM ctl_fleets
                UNION SELECT last_good_release FROM ctl_fleets WHERE last_good_release IS NOT NULL
                UNION SELECT release_id FROM ctl_nodes
                UNION SELECT from_release FROM ctl_rollouts UNION SELECT to_release FROM ctl_rollouts)""")) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    });
  }

  public synchronized Optional<Rollout> rollout(String fleet) {
    return read(conn -> {
      try (PreparedStatement ps = conn.prepareStatement(
          "SELECT fleet, from_release, to_release, strategy, state, started_at, progress_at, canary_healthy_since, promoted, "
              + "switched_at, rollback, reason FROM ctl_rollouts WHERE fleet = ?")) {
        ps.setString(1, fleet);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          return Optional.of(new Rollout(rs.getString(1), rs.getString(2), rs.getString(3),
              Fleet.Strategy.valueOf(rs.getString(4)), Rollout.State.valueOf(rs.getString(5)), instant(rs, 6),
              instant(rs, 7), instant(rs, 8), rs.getInt(9) != 0, instant(rs, 10), rs.getInt(11) != 0, rs.getString(12)));
        }
      }
    });
  }

  /** The fleet's nodes, by slot index then generation (an immutable list). */
  public synchronized List<NodeRecord> nodes(String fleet) {
    if (rows != null) {
      FleetRows kept = rows.get(fleet);
      if (kept != null) {
        return kept.sorted();
      }
    }
    List<NodeRecord> read = read(conn -> {
      try (PreparedStatement ps = conn.prepareStatement(
          "SELECT " + NODE_COLUMNS + " FROM ctl_nodes WHERE fleet = ? ORDER BY slot_index, generation")) {
        ps.setString(1, fleet);
        return nodes(ps);
      }
    });
    if (rows == null) {
      return List.copyOf(read);
    }
    FleetRows kept = new FleetRows(fleet);
    read.forEach(r -> kept.byName.put(r.engineName(), compact(kept, r)));
    rows.put(fleet, kept);
    return kept.sorted();
  }

  /**
   * The row with the strings many rows share (fleet name, release ids, an empty reason) taken
   * from one instance: kept rows cost heap per node, and much of a row is such strings.
   */
  private static NodeRecord compact(FleetRows f, NodeRecord r) {
    String release = f.releaseIds.computeIfAbsent(r.releaseId(), id -> id);
    return new NodeRecord(r.engineName(), f.name, r.slot(), r.slotIndex(), r.generation(), r.containerId(), release,
        r.port(), r.phase(), r.createdAt(), r.startedAt(), r.healthySince(), r.reason().isEmpty() ? "" : r.reason(),
        r.until(), r.snapshot().isEmpty() ? "" : r.snapshot());
  }

  public synchronized List<NodeRecord> allNodes() {
    return read(conn -> {
      try (PreparedStatement ps = conn.prepareStatement("SELECT " + NODE_COLUMNS + " FROM ctl_nodes ORDER BY fleet, slot_index, generation")) {
        return nodes(ps);
      }
    });
  }

  /** The last generation each slot of a fleet ever had (generations only go up). */
  public synchronized Map<String, Long> generations(String fleet) {
    return read(conn -> {
      Map<String, Long> out = new HashMap<>();
      try (PreparedStatement ps = conn.prepareStatement("SELECT slot, last FROM ctl_generations WHERE fleet = ?")) {
        ps.setString(1, fleet);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.put(rs.getString(1), rs.getLong(2));
          }
        }
      }
      return out;
    });
  }

  /** Leased ports with the node holding each. */
  public synchronized Map<Integer, String> leases() {
    return read(conn -> {
      Map<Integer, String> out = new HashMap<>();
      try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("SELECT port, node FROM ctl_ports")) {
        while (rs.next()) {
          out.put(rs.getInt(1), rs.getString(2));
        }
      }
      return out;
    });
  }

  /** Events with an id above {@code afterId}, oldest first, at most {@code limit}. */
  public synchronized List<Event> eventsAfter(long afterId, int limit) {
    return read(conn -> {
      try (PreparedStatement ps = conn.prepareStatement(
          "SELECT id, time, fleet, node, kind, reason FROM ctl_events WHERE id > ? ORDER BY id LIMIT ?")) {
        ps.setLong(1, afterId);
        ps.setInt(2, limit);
        return events(ps);
      }
    });
  }

  /** Events at or after {@code since}, oldest first, at most {@code limit}. */
  public synchronized List<Event> eventsSince(Instant since, int limit) {
    return read(conn -> {
      try (PreparedStatement ps = conn.prepareStatement(
          "SELECT id, time, fleet, node, kind, reason FROM ctl_events WHERE time >= ? ORDER BY id LIMIT ?")) {
        ps.setLong(1, since.toEpochMilli());
        ps.setInt(2, limit);
        return events(ps);
      }
    });
  }

  /** Log lines of a fleet (or one of its nodes when {@code node} is not null) from {@code since}. */
  public synchronized List<NodeLog> logs(String fleet, String node, Instant since, int limit) {
    return read(conn -> {
      String sql = "SELECT time, fleet, node, generation, stream, text FROM ctl_node_logs WHERE fleet = ? AND time >= ?"
          + (node == null ? "" : " AND node = ?") + " ORDER BY time, id LIMIT ?";
      try (PreparedStatement ps = conn.prepareStatement(sql)) {
        int i = 1;
        ps.setString(i++, fleet);
        ps.setLong(i++, since == null ? Long.MIN_VALUE : since.toEpochMilli());
        if (node != null) {
          ps.setString(i++, node);
        }
        ps.setInt(i, limit);
        List<NodeLog> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new NodeLog(Instant.ofEpochMilli(rs.getLong(1)), rs.getString(2), rs.getString(3), rs.getLong(4),
                rs.getString(5), rs.getString(6)));
          }
        }
        return out;
      }
    });
  }

  /** The time of the newest stored line of one node generation, or null. */
  public synchronized Instant lastLogTime(String fleet, String node, long generation) {
    return read(conn -> {
      try (PreparedStatement ps = conn.prepareStatement(
          "SELECT MAX(time) FROM ctl_node_logs WHERE fleet = ? AND node = ? AND generation = ?")) {
        ps.setString(1, fleet);
        ps.setString(2, node);
        ps.setLong(3, generation);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return instant(rs, 1);
        }
      }
    });
  }

  // ---- writes ------------------------------------------------------------------------------

  /** Writes the batch in one transaction; returns its events with their ids. */
  public synchronized List<Event> commit(Batch b) {
    if (b.isEmpty()) {
      return List.of();
    }
    List<Event> inserted = write(b);
    if (rows != null) {
      keep(b);
    }
    return inserted;
  }

  /** Applies a committed batch's node changes to the rows kept in memory (fleets not read yet are read later). */
  private void keep(Batch b) {
    for (Release r : b.releases) {
      releaseCache.put(r.id(), r);
    }
    if (!b.deletedNodes.isEmpty()) {
      for (FleetRows f : rows.values()) {
        for (String n : b.deletedNodes) {
          if (f.byName.remove(n) != null) {
            f.sorted = null;
          }
        }
      }
    }
    for (NodeRecord n : b.nodes.values()) {
      FleetRows f = rows.get(n.fleet());
      if (f != null) {
        f.byName.put(n.engineName(), compact(f, n));
        f.sorted = null;
      }
    }
  }

  private List<Event> write(Batch b) {
    return tx(conn -> {
      for (Release r : b.releases) {
        try (PreparedStatement ps = conn.prepareStatement(
            "INSERT INTO ctl_releases(id, fleet, version, image_digest, config_revision, spec, fingerprint, created_at) VALUES (?,?,?,?,?,?,?,?)")) {
          ps.setString(1, r.id());
          ps.setString(2, r.fleet());
          ps.setInt(3, r.version());
          ps.setString(4, r.spec().imageDigest());
          ps.setLong(5, r.spec().configRevision());
          ps.setString(6, r.spec().encode());
          ps.setString(7, r.spec().fingerprint());
          ps.setLong(8, r.createdAt().toEpochMilli());
          ps.executeUpdate();
        }
      }
      for (FleetRecord f : b.fleets.values()) {
        try (PreparedStatement ps = conn.prepareStatement(
            "INSERT OR REPLACE INTO ctl_fleets(name, settings, scale_override, current_release, last_good_release, deleted, updated_at) VALUES (?,?,?,?,?,?,?)")) {
          ps.setString(1, f.name());
          ps.setString(2, f.settings().encode());
          if (f.scaleOverride().isPresent()) {
            ps.setInt(3, f.scaleOverride().getAsInt());
          } else {
            ps.setNull(3, Types.INTEGER);
          }
          ps.setString(4, f.currentRelease());
          ps.setString(5, f.lastGoodRelease().orElse(null));
          ps.setInt(6, f.deleted() ? 1 : 0);
          ps.setLong(7, System.currentTimeMillis());
          ps.executeUpdate();
        }
      }
      for (String name : b.deletedFleets) {
        for (String sql : List.of("DELETE FROM ctl_fleets WHERE name = ?", "DELETE FROM ctl_rollouts WHERE fleet = ?",
            "DELETE FROM ctl_generations WHERE fleet = ?")) {
          try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setString(1, name);
            ps.executeUpdate();
          }
        }
      }
      for (String fleet : b.clearedRollouts) {
        try (PreparedStatement ps = conn.prepareStatement("DELETE FROM ctl_rollouts WHERE fleet = ?")) {
          ps.setString(1, fleet);
          ps.executeUpdate();
        }
      }
      for (Rollout r : b.rollouts.values()) {
        try (PreparedStatement ps = conn.prepareStatement(
            "INSERT OR REPLACE INTO ctl_rollouts(fleet, from_release, to_release, strategy, state, started_at, progress_at, "
                + "canary_healthy_since, promoted, switched_at, rollback, reason) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
          ps.setString(1, r.fleet());
          ps.setString(2, r.fromRelease());
          ps.setString(3, r.toRelease());
          ps.setString(4, r.strategy().name());
          ps.setString(5, r.state().name());
          ps.setLong(6, r.startedAt().toEpochMilli());
          ps.setLong(7, r.progressAt().toEpochMilli());
          setInstant(ps, 8, r.canaryHealthySince());
          ps.setInt(9, r.promoted() ? 1 : 0);
          setInstant(ps, 10, r.switchedAt());
          ps.setInt(11, r.rollback() ? 1 : 0);
          ps.setString(12, r.reason());
          ps.executeUpdate();
        }
      }
      if (!b.deletedNodes.isEmpty()) {
        try (PreparedStatement ps = conn.prepareStatement("DELETE FROM ctl_nodes WHERE engine_name = ?")) {
          for (String n : b.deletedNodes) {
            ps.setString(1, n);
            ps.addBatch();
          }
          ps.executeBatch();
        }
      }
      if (!b.freedPorts.isEmpty()) {
        try (PreparedStatement ps = conn.prepareStatement("DELETE FROM ctl_ports WHERE port = ?")) {
          for (int p : b.freedPorts) {
            ps.setInt(1, p);
            ps.addBatch();
          }
          ps.executeBatch();
        }
      }
      if (!b.nodes.isEmpty()) {
        try (PreparedStatement ps = conn.prepareStatement(
            "INSERT OR REPLACE INTO ctl_nodes(" + NODE_COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
          for (NodeRecord n : b.nodes.values()) {
            ps.setString(1, n.engineName());
            ps.setString(2, n.fleet());
            ps.setString(3, n.slot());
            ps.setInt(4, n.slotIndex());
            ps.setLong(5, n.generation());
            ps.setString(6, n.containerId());
            ps.setString(7, n.releaseId());
            ps.setInt(8, n.port());
            ps.setString(9, n.phase().name());
            ps.setLong(10, n.createdAt().toEpochMilli());
            setInstant(ps, 11, n.startedAt());
            setInstant(ps, 12, n.healthySince());
            ps.setString(13, n.reason());
            setInstant(ps, 14, n.until());
            ps.setString(15, n.snapshot());
            ps.addBatch();
          }
          ps.executeBatch();
        }
      }
      if (!b.leases.isEmpty()) {
        try (PreparedStatement ps = conn.prepareStatement(
            "INSERT OR REPLACE INTO ctl_ports(port, node, fleet, leased_at) VALUES (?,?,?,?)")) {
          for (Batch.Lease l : b.leases) {
            ps.setInt(1, l.port());
            ps.setString(2, l.node());
            ps.setString(3, l.fleet());
            ps.setLong(4, System.currentTimeMillis());
            ps.addBatch();
          }
          ps.executeBatch();
        }
      }
      if (!b.generations.isEmpty()) {
        try (PreparedStatement ps = conn.prepareStatement(
            "INSERT INTO ctl_generations(fleet, slot, last) VALUES (?,?,?) ON CONFLICT(fleet, slot) DO UPDATE SET last = MAX(last, excluded.last)")) {
          for (Batch.Generation g : b.generations) {
            ps.setString(1, g.fleet());
            ps.setString(2, g.slot());
            ps.setLong(3, g.last());
            ps.addBatch();
          }
          ps.executeBatch();
        }
      }
      if (!b.unusedGenerations.isEmpty()) {
        try (PreparedStatement ps = conn.prepareStatement(
            "UPDATE ctl_generations SET last = last - 1 WHERE fleet = ? AND slot = ? AND last = ?")) {
          for (Batch.Generation g : b.unusedGenerations) {
            ps.setString(1, g.fleet());
            ps.setString(2, g.slot());
            ps.setLong(3, g.last());
            ps.addBatch();
          }
          ps.executeBatch();
        }
      }
      List<Event> inserted = new ArrayList<>();
      if (!b.events.isEmpty()) {
        try (PreparedStatement ps = conn.prepareStatement(
            "INSERT INTO ctl_events(time, fleet, node, kind, reason) VALUES (?,?,?,?,?) RETURNING id")) {
          for (Event e : b.events) {
            ps.setLong(1, e.time().toEpochMilli());
            ps.setString(2, e.fleet());
            ps.setString(3, e.node());
            ps.setString(4, e.kind().name());
            ps.setString(5, e.reason());
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              inserted.add(new Event(rs.getLong(1), e.time(), e.fleet(), e.node(), e.kind(), e.reason()));
            }
          }
        }
      }
      return inserted;
    });
  }

  public synchronized void appendLogs(List<NodeLog> lines) {
    if (lines.isEmpty()) {
      return;
    }
    tx(conn -> {
      try (PreparedStatement ps = conn.prepareStatement(
          "INSERT INTO ctl_node_logs(time, fleet, node, generation, stream, text) VALUES (?,?,?,?,?,?)")) {
        for (NodeLog l : lines) {
          ps.setLong(1, l.time().toEpochMilli());
          ps.setString(2, l.fleet());
          ps.setString(3, l.node());
          ps.setLong(4, l.generation());
          ps.setString(5, l.stream());
          ps.setString(6, l.text());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return null;
    });
  }

  /**
   * Applies a fleet's log retention: drops lines older than {@code olderThan}, then the oldest
   * lines of each node until the node's text fits {@code maxBytesPerNode} (0: no size limit).
   * Returns the number of lines dropped.
   */
  public synchronized int pruneLogs(String fleet, Instant olderThan, long maxBytesPerNode) {
    return tx(conn -> {
      int dropped;
      try (PreparedStatement ps = conn.prepareStatement("DELETE FROM ctl_node_logs WHERE fleet = ? AND time < ?")) {
        ps.setString(1, fleet);
        ps.setLong(2, olderThan.toEpochMilli());
        dropped = ps.executeUpdate();
      }
      if (maxBytesPerNode > 0) {
        // keep, per node, the newest lines whose running total of bytes stays within the limit
        try (PreparedStatement ps = conn.prepareStatement("""
            DELETE FROM ctl_node_logs WHERE id IN (
              SELECT id FROM (
                SELECT id, SUM(LENGTH(CAST(text AS BLOB)) + 1) OVER (PARTITION BY node ORDER BY id DESC) AS total
                FROM ctl_node_logs WHERE fleet = ?)
              WHERE total > ?)""")) {
          ps.setString(1, fleet);
          ps.setLong(2, maxBytesPerNode);
          dropped += ps.executeUpdate();
        }
      }
      return dropped;
    });
  }

  @Override
  public synchronized void close() {
    db.close();
  }

  // ---- internals ---------------------------------------------------------------------------

  private <T> T read(Db.Work<T> work) {
    try {
      return db.read(work);
    } catch (DbException e) {
      throw wrap(e);
    }
  }

  /** One immediate (write-locked) transaction. */
  private <T> T tx(Db.Work<T> work) {
    try {
      return db.write(work);
    } catch (DbException e) {
      throw wrap(e);
    }
  }

  private static StateException wrap(DbException e) {
    return new StateException(e.needsOperator() ? e.getMessage() : "controller state " + e.getMessage(), e);
  }

  private static FleetRecord fleet(ResultSet rs) throws SQLException {
    int scale = rs.getInt(2);
    OptionalInt override = rs.wasNull() ? OptionalInt.empty() : OptionalInt.of(scale);
    return new FleetRecord(FleetSettings.decode(rs.getString(1)), override, rs.getString(3),
        Optional.ofNullable(rs.getString(4)), rs.getInt(5) != 0);
  }

  private static Release release(ResultSet rs) throws SQLException {
    return new Release(rs.getString(1), rs.getString(2), rs.getInt(3), ReleaseSpec.decode(rs.getString(4)),
        Instant.ofEpochMilli(rs.getLong(5)));
  }

  private static List<NodeRecord> nodes(PreparedStatement ps) throws SQLException {
    List<NodeRecord> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new NodeRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getLong(5),
            rs.getString(6), rs.getString(7), rs.getInt(8), NodePhase.valueOf(rs.getString(9)),
            Instant.ofEpochMilli(rs.getLong(10)), instant(rs, 11), instant(rs, 12), rs.getString(13), instant(rs, 14),
            rs.getString(15)));
      }
    }
    return out;
  }

  private static List<Event> events(PreparedStatement ps) throws SQLException {
    List<Event> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new Event(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3), rs.getString(4),
            EventKind.valueOf(rs.getString(5)), rs.getString(6)));
      }
    }
    return out;
  }

  private static Instant instant(ResultSet rs, int col) throws SQLException {
    long v = rs.getLong(col);
    return rs.wasNull() ? null : Instant.ofEpochMilli(v);
  }

  private static void setInstant(PreparedStatement ps, int col, Instant t) throws SQLException {
    if (t == null) {
      ps.setNull(col, Types.INTEGER);
    } else {
      ps.setLong(col, t.toEpochMilli());
    }
  }
}
