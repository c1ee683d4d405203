package dev.herd.bake.base;

import dev.herd.bake.run.ProcessResult;
import dev.herd.bake.run.ProcessRunner;
import dev.herd.spec.Base;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Builds a Debian root filesystem directory with mmdebstrap from a resolution: every resolved
 * package is passed pinned ({@code name=version}) so the tree holds exactly what was resolved
 * (and locked), or the build fails.
 */
final class Mmdebstrap {
  private static final Duration TIMEOUT = Duration.ofMinutes(30);

  private final ProcessRunner runner;

  Mmdebstrap(ProcessRunner runner) {
    this.runner = runner;
  }

  /** Builds into {@code target}, which must not exist or be empty. */
  void build(Resolution resolution, Path target) {
    BaseRecipe recipe = resolution.recipe();
    ProcessResult result = runner.run(command(resolution, target, isRoot()),
        Map.of("SOURCE_DATE_EPOCH", Long.toString(resolution.epoch().getEpochSecond()), "LC_ALL", "C.UTF-8"), TIMEOUT);
    if (!result.succeeded()) {
      throw new BaseBuildException(recipe.location() + ": mmdebstrap could not build " + recipe.suite() + " ("
          + recipe.variant().name().toLowerCase() + ") with " + recipe.packages()
          + (result.timedOut() ? ": timed out after " + TIMEOUT.toMinutes() + " min" : ": exit " + result.exitCode())
          + "\n" + result.tail(12));
    }
    RootfsCleanup.apply(target, recipe.variant());
    Trees.clampTimes(target, resolution.epoch());
  }

  static List<String> command(Resolution resolution, Path target, boolean root) {
    BaseRecipe recipe = resolution.recipe();
    List<String> command = new ArrayList<>();
    command.add("mmdebstrap");
    // root mode needs no user namespaces (this kind of host has no systemd/subuid setup); as a
    // normal user unshare mode gives the same ownership inside the tree
    command.add("--mode=" + (root ? "root" : "unshare"));
    command.add("--variant=" + recipe.variant().name().toLowerCase());
    command.add("--format=directory");
    command.add("--architectures=" + recipe.architecture());
    command.add("--quiet");
    if (!resolution.packages().isEmpty()) {
      command.add("--include=" + resolution.packages().stream().map(p -> p.name() + "=" + p.version()).collect(Collectors.joining(",")));
    }
    if (recipe.variant() == Base.Variant.EXTRACT) {
      command.add("--extract-hook=" + RootfsCleanup.extractHook());
    }
    // The index the resolver just read (same sources, same architecture, so the same list file
    // names): copied in instead of a second download of every Packages file. The packages are
    // pinned to what that index said, so it is also the index they must be found in.
    // (mmdebstrap splits a hook's words at spaces: a path with one is downloaded again instead)
    resolution.index().filter(Files::isDirectory).filter(p -> !p.toAbsolutePath().toString().matches(".*\\s.*")).ifPresent(lists -> {
      command.add("--skip=update");
      command.add("--setup-hook=sync-in " + lists.toAbsolutePath() + " /var/lib/apt/lists");
    });
    command.add(recipe.suite());
    command.add(target.toAbsolutePath().toString());
    command.addAll(recipe.sources());
    return command;
  }

  static boolean isRoot() {
    try {
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (UnsupportedOperationException e) {
      return false;
    }
  }
}
