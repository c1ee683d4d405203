package dev.herd.config;

import dev.herd.db.Migrator;
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

  static final Migrator MIGRATOR = new Migrator(COMPONENT, "config", STEPS);
}
