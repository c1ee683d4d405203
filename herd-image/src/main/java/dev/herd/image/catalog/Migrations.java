package dev.herd.image.catalog;

import dev.herd.db.Migrator;
import java.util.List;

/**
 * The image catalog's schema, versioned in {@code schema_migrations} under component
 * {@code image}. The database file is shared with the controller, so every table is prefixed
 * {@code image_} and migrations only ever add steps at the end.
 */
final class Migrations {
  static final String COMPONENT = "image";

  private static final List<List<String>> STEPS = List.of(
      List.of(
          """
          CREATE TABLE image_versions(
            role TEXT NOT NULL,
            version INTEGER NOT NULL,
            digest TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            size INTEGER NOT NULL,
            spec_digest TEXT NOT NULL DEFAULT '',
            git_commit TEXT NOT NULL DEFAULT '',
            base_digest TEXT NOT NULL DEFAULT '',
            revoked_at INTEGER,
            revoked_reason TEXT,
            deleted_at INTEGER,
            PRIMARY KEY (role, version),
            UNIQUE (role, digest))""",
          """
          CREATE TABLE image_channels(
            role TEXT NOT NULL,
            channel TEXT NOT NULL,
            version INTEGER NOT NULL,
            promoted_at INTEGER NOT NULL,
            PRIMARY KEY (role, channel),
            FOREIGN KEY (role, version) REFERENCES image_versions(role, version))""",
          """
          CREATE TABLE image_channel_history(
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            role TEXT NOT NULL,
            channel TEXT NOT NULL,
            version INTEGER NOT NULL,
            previous_version INTEGER,
            promoted_at INTEGER NOT NULL)""",
          """
          CREATE TABLE image_sboms(
            digest TEXT PRIMARY KEY,
            sbom_digest TEXT NOT NULL,
            media_type TEXT NOT NULL)"""),
      // 2: where images were pushed (herd push, channels that push): lineage for herd image show.
      List.of(
          """
          CREATE TABLE image_pushes(
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            digest TEXT NOT NULL,
            destination TEXT NOT NULL,
            channel TEXT,
            pushed_at INTEGER NOT NULL)"""));

  private Migrations() {}

  static final Migrator MIGRATOR = new Migrator(COMPONENT, "image catalog", STEPS);
}
