package dev.herd.control.state;

import dev.herd.db.Migrator;
import java.util.List;

/**
 * The controller's schema, versioned in {@code schema_migrations} under component
 * {@code control} (the convention herd-image's catalog uses in the same file). Tables are
 * prefixed {@code ctl_}; steps are only ever appended.
 */
final class Migrations {
  static final String COMPONENT = "control";

  private static final List<List<String>> STEPS = List.of(
      List.of(
          """
          CREATE TABLE ctl_fleets(
            name TEXT PRIMARY KEY,
            settings TEXT NOT NULL,
            scale_override INTEGER,
            current_release TEXT NOT NULL,
            last_good_release TEXT,
            deleted INTEGER NOT NULL DEFAULT 0,
            updated_at INTEGER NOT NULL)""",
          """
          CREATE TABLE ctl_releases(
            id TEXT PRIMARY KEY,
            fleet TEXT NOT NULL,
            version INTEGER NOT NULL,
            image_digest TEXT NOT NULL,
            config_revision INTEGER NOT NULL,
            spec TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            UNIQUE (fleet, version))""",
          """
          CREATE TABLE ctl_rollouts(
            fleet TEXT PRIMARY KEY,
            from_release TEXT NOT NULL,
            to_release TEXT NOT NULL,
            strategy TEXT NOT NULL,
            state TEXT NOT NULL,
            started_at INTEGER NOT NULL,
            progress_at INTEGER NOT NULL,
            canary_healthy_since INTEGER,
            promoted INTEGER NOT NULL,
            switched_at INTEGER,
            rollback INTEGER NOT NULL,
            reason TEXT NOT NULL)""",
          """
          CREATE TABLE ctl_nodes(
            engine_name TEXT PRIMARY KEY,
            fleet TEXT NOT NULL,
            slot TEXT NOT NULL,
            slot_index INTEGER NOT NULL,
            generation INTEGER NOT NULL,
            container_id TEXT NOT NULL,
            release_id TEXT NOT NULL,
            port INTEGER NOT NULL,
            phase TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            started_at INTEGER,
            healthy_since INTEGER,
            reason TEXT NOT NULL,
            until INTEGER,
            snapshot TEXT NOT NULL)""",
          "CREATE INDEX ctl_nodes_fleet ON ctl_nodes(fleet)",
          """
          CREATE TABLE ctl_generations(
            fleet TEXT NOT NULL,
            slot TEXT NOT NULL,
            last INTEGER NOT NULL,
            PRIMARY KEY (fleet, slot))""",
          """
          CREATE TABLE ctl_ports(
            port INTEGER PRIMARY KEY,
            node TEXT NOT NULL,
            fleet TEXT NOT NULL,
            leased_at INTEGER NOT NULL)""",
          """
          CREATE TABLE ctl_events(
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            time INTEGER NOT NULL,
            fleet TEXT NOT NULL,
            node TEXT NOT NULL,
            kind TEXT NOT NULL,
            reason TEXT NOT NULL)""",
          "CREATE INDEX ctl_events_time ON ctl_events(time)",
          """
          CREATE TABLE ctl_node_logs(
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            time INTEGER NOT NULL,
            fleet TEXT NOT NULL,
            node TEXT NOT NULL,
            generation INTEGER NOT NULL,
            stream TEXT NOT NULL,
            text TEXT NOT NULL)""",
          "CREATE INDEX ctl_node_logs_node ON ctl_node_logs(fleet, node, time)"));

  private Migrations() {}

  static final Migrator MIGRATOR = new Migrator(COMPONENT, "controller", STEPS);
}
