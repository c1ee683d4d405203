package dev.herd.bake.run;

import dev.herd.spec.RunStep;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a role's {@code run:} steps with Podman directly on the staging tree, so what a step writes
 * lands in the tree (the pipeline diffs it into a layer). The script runs under {@code sh -e}:
 * the step stops at its first failing command. No network unless the step sets
 * {@code network: true} (then the host's network, never a bridge).
 */
public final class RunStepExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(RunStepExecutor.class);
  static final int TAIL_LINES = 20;

  private final Podman podman;

  public RunStepExecutor(ProcessRunner runner) {
    this(runner, Map.of());
  }

  /** @param labels extra container labels (tests mark their containers for clean-up) */
  public RunStepExecutor(ProcessRunner runner, Map<String, String> labels) {
    this.podman = new Podman(runner, labels);
  }

  /**
   * Runs {@code step} on {@code rootfs}.
   *
   * @param env variables for the step (build-time only: never secrets, they would be baked in)
   * @throws RunStepException if the step fails or outlives its timeout
   */
  public RunResult run(RunStep step, Path rootfs, Map<String, String> env) {
    String where = "run step '" + step.name() + "' (" + step.location() + ", " + step.keyPath() + ")";
    if (!Files.isDirectory(rootfs)) {
      throw new RunStepException(where + ": staging tree " + rootfs + " is not a directory");
    }
    List<String> command = new ArrayList<>(Podman.shell(rootfs).orElseThrow(() -> new RunStepException(where
        + ": the image has no /bin/sh to run the script with; add a shell package (dash, or busybox-static) to the role")));
    command.addAll(List.of("-e", "-c", step.shell()));
    RuntimeMounts mounts = RuntimeMounts.before(rootfs);
    ProcessResult result;
    try {
      result = podman.run(rootfs, false, step.network(), command, env, step.timeout());
    } finally {
      mounts.cleanUp();
    }
    if (result.timedOut()) {
      throw new RunStepException(where + " timed out after " + step.timeout().toSeconds() + "s and was killed; last output:\n"
          + indent(result.tail(TAIL_LINES)));
    }
    if (result.exitCode() != 0) {
      throw new RunStepException(where + " failed with exit status " + result.exitCode() + "; last output:\n"
          + indent(result.tail(TAIL_LINES)));
    }
    LOG.info("run step {} finished in {} ms", step.name(), result.took().toMillis());
    return new RunResult(step.name(), result.stdout(), result.stderr(), result.took());
  }

  private static String indent(String text) {
    return text.isEmpty() ? "  (no output)" : "  " + text.replace("\n", "\n  ");
  }
}
