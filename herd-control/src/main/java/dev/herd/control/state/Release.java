package dev.herd.control.state;

import java.time.Instant;
import java.util.Objects;

/**
 * One immutable release of a fleet: {@code web:v3} = version 3 of fleet web. The unit that rolls
 * out and rolls back.
 */
public record Release(String id, String fleet, int version, ReleaseSpec spec, Instant createdAt) {
  public Release {
    Objects.requireNonNull(fleet, "fleet");
    if (version < 1) {
      throw new IllegalArgumentException("release version must be >= 1, got " + version);
    }
    if (!id.equals(idOf(fleet, version))) {
      throw new IllegalArgumentException("release id " + id + " does not match " + idOf(fleet, version));
    }
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /** The version in {@code id} when it is a release id of {@code fleet}, else 0. */
  public static int versionOf(String fleet, String id) {
    String prefix = fleet + ":v";
    if (id == null || !id.startsWith(prefix)) {
      return 0;
    }
    try {
      return Math.max(0, Integer.parseInt(id.substring(prefix.length())));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  public static String idOf(String fleet, int version) {
    return fleet + ":v" + version;
  }
}
