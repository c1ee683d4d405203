package dev.herd.engine;

import java.time.Instant;

/** One line a node wrote; time is null when the engine did not say. */
public record LogLine(Instant time, Stream stream, String text) {
  public enum Stream { STDOUT, STDERR }

  public LogLine {
    java.util.Objects.requireNonNull(stream, "stream");
    java.util.Objects.requireNonNull(text, "text");
  }
}
