package dev.herd.bake.run;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What an external command did. Output is kept whole up to a bound; {@link #tail} is what error
 * messages quote.
 */
public record ProcessResult(List<String> command, int exitCode, String stdout, String stderr, boolean timedOut, Duration took) {
  public ProcessResult {
    command = List.copyOf(command);
    Objects.requireNonNull(stdout, "stdout");
    Objects.requireNonNull(stderr, "stderr");
    Objects.requireNonNull(took, "took");
  }

  public boolean succeeded() {
    return !timedOut && exitCode == 0;
  }

  /** The last {@code lines} lines of stdout and stderr together, for error messages. */
  public String tail(int lines) {
    return Text.lastLines((stdout.isEmpty() ? "" : stdout + "\n") + stderr, lines);
  }
}
