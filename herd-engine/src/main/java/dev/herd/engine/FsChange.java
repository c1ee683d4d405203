package dev.herd.engine;

import java.util.Objects;

/** One filesystem change in a node against its image. */
public record FsChange(String path, Kind kind) {
  public enum Kind { MODIFIED, ADDED, DELETED }

  public FsChange {
    Objects.requireNonNull(kind, "kind");
    if (path == null || !path.startsWith("/")) {
      throw new IllegalArgumentException("path must be absolute, got: " + path);
    }
  }

  /** Docker's numeric kind: 0 modified, 1 added, 2 deleted. */
  public static Kind kindOf(int engineKind) {
    return switch (engineKind) {
      case 0 -> Kind.MODIFIED;
      case 1 -> Kind.ADDED;
      case 2 -> Kind.DELETED;
      default -> throw new IllegalArgumentException("unknown change kind " + engineKind);
    };
  }
}
