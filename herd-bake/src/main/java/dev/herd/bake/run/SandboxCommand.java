package dev.herd.bake.run;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Runs a command in a throw-away sandbox over a root filesystem, for image tests' {@code command}
 * checks. The sandbox sees the tree through an overlay that is discarded afterwards, so a test can
 * write anywhere and the baked tree stays exactly as it was. No network.
 */
public final class SandboxCommand {
  private final Podman podman;

  public SandboxCommand(ProcessRunner runner) {
    this(runner, Map.of());
  }

  /** @param labels extra container labels (tests mark their containers for clean-up) */
  public SandboxCommand(ProcessRunner runner, Map<String, String> labels) {
    this.podman = new Podman(runner, labels);
  }

  /** What the command did. {@code timedOut} means it was killed at the deadline. */
  public record Result(int exitStatus, String stdout, String stderr, boolean timedOut) {}

  /** @param command argv, run as is (no shell unless the command names one) */
  public Result run(Path rootfs, List<String> command, Duration timeout) {
    if (command.isEmpty()) {
      throw new IllegalArgumentException("empty command");
    }
    ProcessResult result = podman.run(rootfs, true, false, command, Map.of(), timeout);
    return new Result(result.exitCode(), result.stdout(), result.stderr(), result.timedOut());
  }
}
