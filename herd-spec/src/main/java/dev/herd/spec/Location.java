package dev.herd.spec;

import java.nio.file.Path;
import java.util.Objects;

/** Where a value came from in a spec file: 1-based line and column. */
public record Location(Path file, int line, int column) {
  public static final Location UNKNOWN = new Location(Path.of("herd.yaml"), 0, 0);

  public Location {
    Objects.requireNonNull(file, "file");
  }

  /** The start of a file (for problems with the file as a whole). */
  public static Location start(Path file) {
    return new Location(file, 1, 1);
  }

  @Override
  public String toString() {
    return file.getFileName() + ":" + line + ":" + column;
  }
}
