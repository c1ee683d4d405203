package dev.herd.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;

/**
 * One component's schema in the shared herd.db. Each component (controller, drift, image
 * catalog, config) keeps its own version in {@code schema_migrations}, so they migrate
 * independently. Step n (1-based) moves the schema from version n-1 to n; steps are only ever
 * appended, never edited once released.
 *
 * @param component the key in {@code schema_migrations} ({@code control}, {@code image}, ...)
 * @param label how messages name the schema ("controller", "image catalog", ...)
 * @param steps the SQL statements of each step
 */
public record Migrator(String component, String label, List<List<String>> steps) {
  public Migrator {
    Objects.requireNonNull(component, "component");
    Objects.requireNonNull(label, "label");
    if (component.isBlank() || steps == null || steps.isEmpty() || steps.stream().anyMatch(s -> s == null || s.isEmpty())) {
      throw new IllegalArgumentException("a migrator needs a component and at least one non-empty step");
    }
    steps = steps.stream().map(List::copyOf).toList();
  }

  /** The version this herd writes. */
  public int latest() {
    return steps.size();
  }

  /** Applies the missing steps on {@code c}, which must be inside a write transaction. */
  int apply(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS schema_migrations(component TEXT NOT NULL, version INTEGER NOT NULL,"
          + " PRIMARY KEY (component, version))");
    }
    int current = version(c);
    if (current > latest()) {
      throw new NewerSchemaException("the " + label + " schema is version " + current + ", newer than this herd understands ("
          + latest() + "); upgrade herd");
    }
    for (int v = current + 1; v <= latest(); v++) {
      try (Statement s = c.createStatement()) {
        for (String sql : steps.get(v - 1)) {
          s.execute(sql);
        }
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO schema_migrations(component, version) VALUES (?, ?)")) {
        ps.setString(1, component);
        ps.setInt(2, v);
        ps.executeUpdate();
      }
    }
    return latest();
  }

  /** The component's current version in {@code c} (0 when it has none yet). */
  public int version(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = ?")) {
      ps.setString(1, component);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** A database written by a newer herd: keep the message as it is. */
  static final class NewerSchemaException extends SQLException {
    NewerSchemaException(String message) {
      super(message);
    }
  }
}
