package dev.herd.config;

import dev.herd.spec.Spec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versioned config per (environment, role). Each change (set or unset of one or more keys) is a
 * new immutable revision, numbered 1, 2, 3 ... per scope; revision 0 is herd.yaml alone. The
 * effective config at a revision is herd.yaml's {@code environments.<env>.config} overlaid by the
 * values stored up to that revision. A release pins a revision, so rolling back a release rolls
 * back its config too.
 *
 * <p>Callers pass the loaded {@link Spec}: environments and roles it does not declare are refused.
 */
public final class ConfigStore {
  private static final Logger log = LoggerFactory.getLogger(ConfigStore.class);

  private final ConfigDb db;
  private final Clock clock;
  private final ConfigWatch watch;
  private final java.util.function.Predicate<String> storedSecret;

  public ConfigStore(ConfigDb db, Clock clock, ConfigWatch watch) {
    this(db, clock, watch, value -> false);
  }

  /** @param storedSecret whether a value is (or contains) a stored secret's value; such values are refused */
  public ConfigStore(ConfigDb db, Clock clock, ConfigWatch watch, java.util.function.Predicate<String> storedSecret) {
    this.db = Objects.requireNonNull(db, "db");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.watch = Objects.requireNonNull(watch, "watch");
    this.storedSecret = Objects.requireNonNull(storedSecret, "storedSecret");
  }

  /** Sets keys to values in one new revision. */
  public ConfigRevision set(Spec spec, String env, String role, Map<String, String> values, Edit edit) {
    return change(spec, env, role, values, List.of(), edit);
  }

  /** Removes stored keys in one new revision (a key from herd.yaml then shows its herd.yaml value again). */
  public ConfigRevision unset(Spec spec, String env, String role, Collection<String> keys, Edit edit) {
    return change(spec, env, role, Map.of(), keys, edit);
  }

  /**
   * Sets and unsets keys in one new revision. Every problem is reported at once and nothing is
   * written. A change that would leave the stored config as it is creates no revision and
   * returns the latest one.
   */
  public ConfigRevision change(Spec spec, String env, String role, Map<String, String> set, Collection<String> unset, Edit edit) {
    Scope scope = Scope.of(spec, env, role);
    Objects.requireNonNull(edit, "edit");
    List<String> problems = new ArrayList<>();
    if (set.isEmpty() && unset.isEmpty()) {
      problems.add("nothing to change: give at least one KEY=value or key to unset");
    }
    for (Map.Entry<String, String> e : new TreeMap<>(set).entrySet()) {
      ConfigKeys.checkKey(e.getKey(), scope).or(() -> ConfigKeys.checkValue(e.getKey(), e.getValue()))
          .or(() -> ConfigKeys.checkNotSecret(scope, e.getKey(), e.getValue(), storedSecret))
          .ifPresent(problems::add);
    }
    for (String key : new TreeSet<>(unset)) {
      if (set.containsKey(key)) {
        problems.add("config key " + key + " is both set and unset in one change");
      }
    }
    if (!problems.isEmpty()) {
      throw invalid(scope, problems);
    }
    ConfigRevision result = db.write(c -> {
      long latest = latest(c, scope);
      Map<String, String> stored = stored(c, scope, latest);
      List<String> missing = new ArrayList<>();
      for (String key : new TreeSet<>(unset)) {
        if (!stored.containsKey(key)) {
          missing.add(spec.environments().get(env).config().containsKey(key)
              ? "config key " + key + " is not set in " + scope + ": its value comes from herd.yaml"
                  + " (environments." + env + ".config); remove it there"
              : "config key " + key + " is not set in " + scope);
        }
      }
      if (!missing.isEmpty()) {
        throw invalid(scope, missing);
      }
      Map<String, String> changes = new TreeMap<>();
      set.forEach((k, v) -> {
        if (!v.equals(stored.get(k))) {
          changes.put(k, v);
        }
      });
      unset.forEach(k -> changes.put(k, null));
      if (changes.isEmpty()) {
        return revisionRow(c, scope, latest);
      }
      return insert(c, scope, latest + 1, changes, edit);
    });
    publish(result);
    return result;
  }

  /** A new revision whose stored values equal those of {@code toRevision}. */
  public ConfigRevision rollback(Spec spec, String env, String role, long toRevision, Edit edit) {
    Scope scope = Scope.of(spec, env, role);
    ConfigRevision result = db.write(c -> {
      long latest = latest(c, scope);
      requireRevision(scope, toRevision, latest);
      Map<String, String> target = stored(c, scope, toRevision);
      Map<String, String> now = stored(c, scope, latest);
      Map<String, String> changes = new TreeMap<>();
      target.forEach((k, v) -> {
        if (!v.equals(now.get(k))) {
          changes.put(k, v);
        }
      });
      now.keySet().stream().filter(k -> !target.containsKey(k)).forEach(k -> changes.put(k, null));
      if (changes.isEmpty()) {
        return revisionRow(c, scope, latest);
      }
      String message = edit.message().isEmpty() ? "rollback to revision " + toRevision : edit.message();
      return insert(c, scope, latest + 1, changes, new Edit(edit.author(), message));
    });
    publish(result);
    return result;
  }

  /** The latest revision of a scope; 0 when nothing was ever stored. */
  public long revision(Spec spec, String env, String role) {
    Scope scope = Scope.of(spec, env, role);
    return db.read(c -> latest(c, scope));
  }

  long revision(Scope scope) {
    return db.read(c -> latest(c, scope));
  }

  /** The effective config now. */
  public EffectiveConfig list(Spec spec, String env, String role) {
    Scope scope = Scope.of(spec, env, role);
    return db.read(c -> effective(c, spec, scope, latest(c, scope)));
  }

  /** The effective config at {@code revision} (herd.yaml as it is now, overlaid by what was stored then). */
  public EffectiveConfig list(Spec spec, String env, String role, long revision) {
    Scope scope = Scope.of(spec, env, role);
    return db.read(c -> {
      requireRevision(scope, revision, latest(c, scope));
      return effective(c, spec, scope, revision);
    });
  }

  public Optional<ConfigValue> get(Spec spec, String env, String role, String key) {
    return list(spec, env, role).get(key);
  }

  public Optional<ConfigValue> get(Spec spec, String env, String role, String key, long revision) {
    return list(spec, env, role, revision).get(key);
  }

  /** Every revision of a scope, newest first, at most {@code limit}. */
  public List<ConfigRevision> history(Spec spec, String env, String role, int limit) {
    Scope scope = Scope.of(spec, env, role);
    return db.read(c -> {
      List<ConfigRevision> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT revision FROM cfg_revisions WHERE env = ? AND role = ? ORDER BY revision DESC LIMIT ?")) {
        ps.setString(1, scope.environment());
        ps.setString(2, scope.role());
        ps.setInt(3, Math.max(0, limit));
        List<Long> revs = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            revs.add(rs.getLong(1));
          }
        }
        for (long r : revs) {
          out.add(revisionRow(c, scope, r));
        }
      }
      return out;
    });
  }

  /** What changes in the effective config from revision {@code from} to revision {@code to}. */
  public ConfigDiff diff(Spec spec, String env, String role, long from, long to) {
    Scope scope = Scope.of(spec, env, role);
    return db.read(c -> {
      long latest = latest(c, scope);
      requireRevision(scope, from, latest);
      requireRevision(scope, to, latest);
      Map<String, String> a = effective(c, spec, scope, from).asMap();
      Map<String, String> b = effective(c, spec, scope, to).asMap();
      Set<String> keys = new TreeSet<>(a.keySet());
      keys.addAll(b.keySet());
      List<ConfigDiff.Change> changes = new ArrayList<>();
      for (String k : keys) {
        if (!Objects.equals(a.get(k), b.get(k))) {
          changes.add(new ConfigDiff.Change(k, Optional.ofNullable(a.get(k)), Optional.ofNullable(b.get(k))));
        }
      }
      return new ConfigDiff(scope, from, to, changes);
    });
  }

  // ---- SQL ----------------------------------------------------------------------------------

  private static long latest(Connection c, Scope scope) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(revision), 0) FROM cfg_revisions WHERE env = ? AND role = ?")) {
      ps.setString(1, scope.environment());
      ps.setString(2, scope.role());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void requireRevision(Scope scope, long revision, long latest) {
    if (revision < 0 || revision > latest) {
      throw ConfigException.notFound(scope + " has no config revision " + revision + " (revisions are 0-" + latest
          + "; 0 is herd.yaml alone)");
    }
  }

  /** Stored values (not herd.yaml's) as of {@code revision}: for each key, its newest change up to it. */
  private static Map<String, String> stored(Connection c, Scope scope, long revision) throws SQLException {
    Map<String, String> out = new TreeMap<>();
    for (var e : storedWithRevision(c, scope, revision).entrySet()) {
      out.put(e.getKey(), e.getValue().value());
    }
    return out;
  }

  private static Map<String, ConfigValue> storedWithRevision(Connection c, Scope scope, long revision) throws SQLException {
    Map<String, ConfigValue> out = new TreeMap<>();
    try (PreparedStatement ps = c.prepareStatement("""
        SELECT key, value, revision FROM cfg_changes ch
        WHERE env = ? AND role = ? AND revision = (
          SELECT MAX(revision) FROM cfg_changes WHERE env = ch.env AND role = ch.role AND key = ch.key AND revision <= ?)""")) {
      ps.setString(1, scope.environment());
      ps.setString(2, scope.role());
      ps.setLong(3, revision);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String value = rs.getString(2);
          if (value != null) {
            out.put(rs.getString(1), new ConfigValue(rs.getString(1), value, ConfigValue.Source.STORED, rs.getLong(3)));
          }
        }
      }
    }
    return out;
  }

  private static EffectiveConfig effective(Connection c, Spec spec, Scope scope, long revision) throws SQLException {
    Map<String, ConfigValue> values = new HashMap<>();
    spec.environments().get(scope.environment()).config()
        .forEach((k, v) -> values.put(k, new ConfigValue(k, v, ConfigValue.Source.SPEC, 0)));
    values.putAll(storedWithRevision(c, scope, revision));
    return new EffectiveConfig(scope, revision, values);
  }

  private ConfigRevision insert(Connection c, Scope scope, long revision, Map<String, String> changes, Edit edit) throws SQLException {
    Instant now = clock.instant();
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO cfg_revisions(env, role, revision, author, time, message) VALUES (?,?,?,?,?,?)")) {
      ps.setString(1, scope.environment());
      ps.setString(2, scope.role());
      ps.setLong(3, revision);
      ps.setString(4, edit.author());
      ps.setLong(5, now.toEpochMilli());
      ps.setString(6, edit.message());
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO cfg_changes(env, role, revision, key, value) VALUES (?,?,?,?,?)")) {
      for (Map.Entry<String, String> e : changes.entrySet()) {
        ps.setString(1, scope.environment());
        ps.setString(2, scope.role());
        ps.setLong(3, revision);
        ps.setString(4, e.getKey());
        if (e.getValue() == null) {
          ps.setNull(5, Types.VARCHAR);
        } else {
          ps.setString(5, e.getValue());
        }
        ps.addBatch();
      }
      ps.executeBatch();
    }
    return revisionRow(c, scope, revision);
  }

  /** A revision as recorded; revision 0 is synthesized. */
  private static ConfigRevision revisionRow(Connection c, Scope scope, long revision) throws SQLException {
    if (revision == 0) {
      return new ConfigRevision(scope, 0, "herd.yaml", Instant.EPOCH, "herd.yaml only", new TreeMap<>(), new TreeSet<>());
    }
    String author;
    Instant time;
    String message;
    try (PreparedStatement ps = c.prepareStatement("SELECT author, time, message FROM cfg_revisions WHERE env = ? AND role = ? AND revision = ?")) {
      ps.setString(1, scope.environment());
      ps.setString(2, scope.role());
      ps.setLong(3, revision);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("revision " + revision + " of " + scope + " is missing");
        }
        author = rs.getString(1);
        time = Instant.ofEpochMilli(rs.getLong(2));
        message = rs.getString(3);
      }
    }
    Map<String, String> set = new TreeMap<>();
    Set<String> unset = new LinkedHashSet<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT key, value FROM cfg_changes WHERE env = ? AND role = ? AND revision = ?")) {
      ps.setString(1, scope.environment());
      ps.setString(2, scope.role());
      ps.setLong(3, revision);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (rs.getString(2) == null) {
            unset.add(rs.getString(1));
          } else {
            set.put(rs.getString(1), rs.getString(2));
          }
        }
      }
    }
    return new ConfigRevision(scope, revision, author, time, message, new TreeMap<>(set), new TreeSet<>(unset));
  }

  private void publish(ConfigRevision r) {
    ConfigWatch.Topic topic = ConfigWatch.Topic.config(r.scope().environment(), r.scope().role());
    if (r.revision() <= watch.revision(topic)) {
      return;
    }
    log.info("config {} revision {} by {}: set {} unset {}", r.scope(), r.revision(), r.author(), r.set().keySet(), r.unset());
    watch.publish(topic, r.revision());
  }

  private static ConfigException invalid(Scope scope, List<String> problems) {
    return ConfigException.invalid(problems.size() == 1
        ? scope + ": " + problems.get(0)
        : scope + ": " + problems.size() + " problems:\n  " + String.join("\n  ", problems));
  }
}
