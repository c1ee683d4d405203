package dev.herd.bake.run;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code podman run} on a root filesystem directory, locked down for bakes: no image pull, no
 * network unless asked (and then the host's, never a bridge), no mounts besides the rootfs, a
 * hard deadline enforced by conmon and, should podman itself hang, by removing the container.
 */
final class Podman {
  static final Map<String, String> ENV = Map.of(
      "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "HOME", "/root",
      "DEBIAN_FRONTEND", "noninteractive",
      "LC_ALL", "C.UTF-8");
  /** Time allowed beyond the step's own timeout for podman to start and tear down. */
  private static final Duration GRACE = Duration.ofSeconds(30);

  private final ProcessRunner runner;
  private final Map<String, String> labels;

  Podman(ProcessRunner runner, Map<String, String> labels) {
    this.runner = runner;
    this.labels = new TreeMap<>(labels);
  }

  /**
   * @param overlay run on a throw-away overlay over {@code rootfs} ({@code :O}): the tree is
   *     never modified
   */
  ProcessResult run(Path rootfs, boolean overlay, boolean network, List<String> command, Map<String, String> env, Duration timeout) {
    String name = "herd-bake-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    List<String> argv = new ArrayList<>(List.of("podman", "run", "--rm", "--name", name, "--pull=never", "--read-only=false",
        "--network", network ? "host" : "none", "--timeout", Long.toString(Math.max(1, ceilSeconds(timeout))), "--workdir", "/"));
    argv.add("--label");
    argv.add("herd.bake=run");
    labels.forEach((k, v) -> {
      argv.add("--label");
      argv.add(k + "=" + v);
    });
    Map<String, String> all = new TreeMap<>(ENV);
    all.putAll(env);
    // --env NAME (without =value) makes podman take the value from its own environment, so
    // values never appear in argv (visible to every user in ps)
    all.keySet().forEach(k -> {
      argv.add("--env");
      argv.add(k);
    });
    argv.add("--rootfs");
    argv.add(rootfs.toAbsolutePath() + (overlay ? ":O" : ""));
    argv.addAll(command);
    ProcessResult result = runner.run(argv, all, timeout.plus(GRACE));
    if (result.timedOut()) {
      // the podman client was killed; its container may live on under conmon
      runner.run(List.of("podman", "rm", "--force", "--time", "0", name), Map.of(), Duration.ofSeconds(30));
    }
    boolean overran = result.timedOut() || (result.exitCode() != 0 && result.took().compareTo(timeout) >= 0);
    return new ProcessResult(result.command(), result.exitCode(), result.stdout(), result.stderr(), overran, result.took());
  }

  /** The shell to run a script with: /bin/sh, or busybox's when the image has only busybox. */
  static Optional<List<String>> shell(Path rootfs) {
    for (String sh : List.of("bin/sh", "usr/bin/sh")) {
      if (Files.exists(rootfs.resolve(sh), LinkOption.NOFOLLOW_LINKS)) {
        return Optional.of(List.of("/" + sh));
      }
    }
    for (String busybox : List.of("bin/busybox", "usr/bin/busybox")) {
      if (Files.isRegularFile(rootfs.resolve(busybox), LinkOption.NOFOLLOW_LINKS)) {
        return Optional.of(List.of("/" + busybox, "sh"));
      }
    }
    return Optional.empty();
  }

  private static long ceilSeconds(Duration d) {
    return d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
  }
}
