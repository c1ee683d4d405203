package dev.herd.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herd.spec.Spec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feature flags per environment, stored with revisions in {@code cfg_flag_revisions}. A flag
 * change takes effect at once (watchers are told, node files re-rendered); it never needs a
 * release. Evaluation is pure and cached per environment revision, so it is cheap per request.
 */
public final class Flags {
  private static final Logger log = LoggerFactory.getLogger(Flags.class);
  static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final ConfigDb db;
  private final Clock clock;
  private final ConfigWatch watch;
  private final Map<String, FlagSet> cache = new ConcurrentHashMap<>();

  public Flags(ConfigDb db, Clock clock, ConfigWatch watch) {
    this.db = Objects.requireNonNull(db, "db");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.watch = Objects.requireNonNull(watch, "watch");
  }

  /** Creates or replaces a flag. */
  public FlagRevision put(Spec spec, String env, Flag flag, Edit edit) {
    Scope.requireEnvironment(spec, env);
    Objects.requireNonNull(flag, "flag");
    return record(env, flag.name(), flag, edit);
  }

  /** Changes an existing flag (on/off, percentage, targeting ...) in one revision. */
  public FlagRevision update(Spec spec, String env, String name, UnaryOperator<Flag> change, Edit edit) {
    Scope.requireEnvironment(spec, env);
    Flag before = require(env, name);
    Flag after = change.apply(before);
    if (!after.name().equals(name)) {
      throw ConfigException.invalid("a flag cannot be renamed (" + name + " → " + after.name() + "); create the new one and delete the old");
    }
    return record(env, name, after, edit);
  }

  /** The kill switch: serves the off value to everyone until {@link #revive}, whatever else the flag says. */
  public FlagRevision kill(Spec spec, String env, String name, Edit edit) {
    return update(spec, env, name, f -> f.withKilled(true), edit);
  }

  public FlagRevision revive(Spec spec, String env, String name, Edit edit) {
    return update(spec, env, name, f -> f.withKilled(false), edit);
  }

  public FlagRevision delete(Spec spec, String env, String name, Edit edit) {
    Scope.requireEnvironment(spec, env);
    require(env, name);
    return record(env, name, null, edit);
  }

  private Flag require(String env, String name) {
    Flag.checkName(name);
    Flag f = snapshot(env).flags().get(name);
    if (f == null) {
      throw ConfigException.notFound("no flag " + name + " in environment " + env);
    }
    return f;
  }

  private FlagRevision record(String env, String name, Flag flag, Edit edit) {
    Objects.requireNonNull(edit, "edit");
    String json = flag == null ? null : toJson(flag);
    FlagRevision r = db.write(c -> {
      long revision = latest(c, env) + 1;
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO cfg_flag_revisions(env, revision, flag, definition, author, time, message) VALUES (?,?,?,?,?,?,?)")) {
        ps.setString(1, env);
        ps.setLong(2, revision);
        ps.setString(3, name);
        if (json == null) {
          ps.setNull(4, Types.VARCHAR);
        } else {
          ps.setString(4, json);
        }
        ps.setString(5, edit.author());
        ps.setLong(6, clock.instant().toEpochMilli());
        ps.setString(7, edit.message());
        ps.executeUpdate();
      }
      return new FlagRevision(env, revision, name, Optional.ofNullable(flag), edit.author(), clock.instant(), edit.message());
    });
    cache.remove(env);
    log.info("flag {} in {} {} by {} (flag revision {})", name, env, flag == null ? "deleted" : describe(flag), r.author(), r.revision());
    watch.publish(ConfigWatch.Topic.flags(env), r.revision());
    return r;
  }

  private static String describe(Flag f) {
    if (f.killed()) {
      return "killed";
    }
    return f.enabled() ? "on at " + Flag.Percent.format(f.rolloutBasisPoints()) : "off";
  }

  /** The environment's flag revision (0 when it never had a flag). */
  public long revision(String env) {
    return db.read(c -> latest(c, env));
  }

  /** The environment's flags now. Cached; a change through any connection is seen on the next call. */
  public FlagSet snapshot(String env) {
    long now = revision(env);
    FlagSet cached = cache.get(env);
    if (cached != null && cached.revision() == now) {
      return cached;
    }
    FlagSet fresh = db.read(c -> load(c, env, now));
    cache.put(env, fresh);
    return fresh;
  }

  /** The environment's flags as they were at {@code revision}. */
  public FlagSet snapshot(String env, long revision) {
    return db.read(c -> load(c, env, revision));
  }

  public Optional<Flag> get(String env, String name) {
    return Optional.ofNullable(snapshot(env).flags().get(name));
  }

  public Evaluation evaluate(String env, String flag, FlagContext ctx) {
    return snapshot(env).evaluate(flag, ctx);
  }

  /** Changes of one flag, newest first. */
  public List<FlagRevision> history(String env, String name, int limit) {
    return db.read(c -> {
      List<FlagRevision> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT revision, definition, author, time, message FROM cfg_flag_revisions WHERE env = ? AND flag = ? ORDER BY revision DESC LIMIT ?")) {
        ps.setString(1, env);
        ps.setString(2, name);
        ps.setInt(3, Math.max(0, limit));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String def = rs.getString(2);
            out.add(new FlagRevision(env, rs.getLong(1), name, Optional.ofNullable(def).map(Flags::fromJson),
                rs.getString(3), Instant.ofEpochMilli(rs.getLong(4)), rs.getString(5)));
          }
        }
      }
      return out;
    });
  }

  private static FlagSet load(Connection c, String env, long upTo) throws SQLException {
    Map<String, Flag> flags = new TreeMap<>();
    try (PreparedStatement ps = c.prepareStatement("""
        SELECT flag, definition FROM cfg_flag_revisions r WHERE env = ? AND revision = (
          SELECT MAX(revision) FROM cfg_flag_revisions WHERE env = r.env AND flag = r.flag AND revision <= ?)""")) {
      ps.setString(1, env);
      ps.setLong(2, upTo);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (rs.getString(2) != null) {
            flags.put(rs.getString(1), fromJson(rs.getString(2)));
          }
        }
      }
    }
    return new FlagSet(env, Math.min(upTo, latest(c, env)), flags);
  }

  private static long latest(Connection c, String env) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(revision), 0) FROM cfg_flag_revisions WHERE env = ?")) {
      ps.setString(1, env);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  static String toJson(Flag f) {
    try {
      return JSON.writeValueAsString(f);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write flag " + f.name(), e);
    }
  }

  static Flag fromJson(String json) {
    try {
      return JSON.readValue(json, Flag.class);
    } catch (JsonProcessingException e) {
      throw new ConfigException(ConfigException.Kind.STORAGE, "a stored flag cannot be read: " + e.getOriginalMessage(), e);
    }
  }
}
