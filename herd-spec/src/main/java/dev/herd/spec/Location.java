package dev.herd.spec;

import java.nio.file.Path;

/** Where a value came from in a spec file: 1-based line and column. */
public record Location(Path file, int line, int column) {
  public static final Location UNKNOWN = new Location(Path.of("herd.yaml"), 0, 0);

  @Override
  public String toString() {
    return file.getFileName() + ":" + line + ":" + column;
  }
}
