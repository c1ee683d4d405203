package dev.herd.config;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** The config service's tables ({@code cfg_*}), versioned under component {@code config}. */
final class Schema {
  static final String COMPONENT = "config";

  /** Step n (1-based) moves the schema from version n-1 to n. Never edit a released step. */
  private static final List<List<String>> STEPS = List.of(List.of(
      // One row per config revision of an (environment, role); the changes are in cfg_changes.
      """
      CREATE TABLE cfg_revisions(
        env TEXT NOT NULL, role TEXT NOT NULL, revision INTEGER NOT NULL,
        author TEXT NOT NULL, time INTEGER NOT NULL, message TEXT NOT NULL,
        PRIMARY KEY (env, role, revision))""",
      // value NULL = the key was unset in that revision.
      """
      CREATE TABLE cfg_changes(
        env TEXT NOT NULL, role TEXT NOT NULL, revision INTEGER NOT NULL, key TEXT NOT NULL, value TEXT,
        PRIMARY KEY (env, role, key, revision))""",
      // ciphertext NULL = the secret was removed in that revision; key_id = the Tink key it is under.
      """
      CREATE TABLE cfg_secrets(
        env TEXT NOT NULL, role TEXT NOT NULL, name TEXT NOT NULL, revision INTEGER NOT NULL,
        ciphertext BLOB, key_id INTEGER, author TEXT NOT NULL, time INTEGER NOT NULL, message TEXT NOT NULL,
        PRIMARY KEY (env, role, name, revision))""",
      // One row per flag change; revision is monotonic per environment across all its flags.
      // definition NULL = the flag was deleted.
      """
      CREATE TABLE cfg_flag_revisions(
        env TEXT NOT NULL, revision INTEGER NOT NULL, flag TEXT NOT NULL, definition TEXT,
        author TEXT NOT NULL, time INTEGER NOT NULL, message TEXT NOT NULL,
        PRIMARY KEY (env, revision))""",
      "CREATE INDEX cfg_flag_revisions_flag ON cfg_flag_revisions(env, flag, revision)",
      """
      CREATE TABLE cfg_node_tokens(
        token_hash TEXT PRIMARY KEY, fleet TEXT NOT NULL, node TEXT NOT NULL, env TEXT NOT NULL, role TEXT NOT NULL,
        created_at INTEGER NOT NULL)""",
      "CREATE INDEX cfg_node_tokens_node ON cfg_node_tokens(fleet, node)"));

  private Schema() {}

  static Void apply(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS schema_migrations(component TEXT NOT NULL, version INTEGER NOT NULL,"
          + " PRIMARY KEY (component, version))");
    }
    int current;
    try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = ?")) {
      ps.setString(1, COMPONENT);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        current = rs.getInt(1);
      }
    }
    if (current > STEPS.size()) {
      throw new SQLException("the config schema is version " + current + ", newer than this herd understands ("
          + STEPS.size() + "); upgrade herd");
    }
    for (int v = current + 1; v <= STEPS.size(); v++) {
      try (Statement s = c.createStatement()) {
        for (String sql : STEPS.get(v - 1)) {
          s.execute(sql);
        }
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO schema_migrations(component, version) VALUES (?, ?)")) {
        ps.setString(1, COMPONENT);
        ps.setInt(2, v);
        ps.executeUpdate();
      }
    }
    return null;
  }
}
