package dev.herd.bake.verify;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Runs a command inside the staged image for {@code command} tests. The bake's sandbox (podman
 * over the staged root, no network) implements this; tests use a scripted double.
 */
public interface CommandRunner {
  /** Default limit for one test command. */
  Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  /**
   * Runs {@code command} (argv, no shell unless the command names one) with {@code rootfs} as
   * the root filesystem and returns its exit status and output.
   *
   * @throws CommandException when the command could not be run at all (sandbox missing, timeout)
   */
  Result run(Path rootfs, List<String> command, Duration timeout);

  record Result(int exitStatus, String stdout, String stderr) {
    public Result {
      Objects.requireNonNull(stdout, "stdout");
      Objects.requireNonNull(stderr, "stderr");
    }
  }

  /** The command did not run to completion (as opposed to running and failing). */
  class CommandException extends RuntimeException {
    public CommandException(String message, Throwable cause) {
      super(message, cause);
    }

    public CommandException(String message) {
      super(message);
    }
  }
}
