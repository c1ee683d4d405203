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
import java.util.stream.Stream;

/**
 * Builds a Debian root filesystem directory with mmdebstrap from a resolution: every resolved
 * package is passed pinned ({@code name=version}) so the tree holds exactly what was resolved
 * (and locked), or the build fails.
 */
final class Mmdebstrap {
  private static final Duration TIMEOUT = Duration.ofMinutes(30);
  private static final String LISTS = "var/lib/apt/lists";

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

  /**
   * Starts building {@code recipe} into {@code target} before its resolution is known: the
   * requested package names unpinned, mmdebstrap downloading its own index. Only for the
   * extract variant, whose tree holds the packages' files and nothing apt decides per install
   * (no maintainer scripts, no auto-installed marks), so it equals the pinned build of the same
   * versions; {@link DebianBases} compares the installed versions with the resolution before
   * using the tree. The tree's times are clamped once the epoch is known ({@link Early#finish}).
   */
  Early startEarly(BaseRecipe recipe, Path target) {
    if (recipe.variant() != Base.Variant.EXTRACT) {
      throw new IllegalArgumentException("an early build is for the extract variant only, not " + recipe.variant());
    }
    List<String> command = unpinnedCommand(recipe, target, isRoot());
    java.util.concurrent.CompletableFuture<ProcessResult> run = new java.util.concurrent.CompletableFuture<>();
    Thread.ofVirtual().name("herd-mmdebstrap-early").start(() -> {
      try {
        // the release date is not known yet: what mmdebstrap dates "now" is clamped to it later
        // (a SOURCE_DATE_EPOCH from herd's own environment must not reach this tree)
        run.complete(runner.run(command, Map.of("LC_ALL", "C.UTF-8",
            "SOURCE_DATE_EPOCH", Long.toString(java.time.Instant.now().getEpochSecond())), TIMEOUT));
      } catch (RuntimeException e) {
        run.completeExceptionally(e);
      }
    });
    return new Early(recipe, target, run);
  }

  /** An early (unpinned) build under way. */
  static final class Early {
    private final BaseRecipe recipe;
    private final Path target;
    private final java.util.concurrent.CompletableFuture<ProcessResult> run;

    private Early(BaseRecipe recipe, Path target, java.util.concurrent.CompletableFuture<ProcessResult> run) {
      this.recipe = recipe;
      this.target = target;
      this.run = run;
    }

    BaseRecipe recipe() {
      return recipe;
    }

    /** Waits for the build; the cleaned tree and its packages, or empty when it failed. */
    java.util.Optional<List<DebianPackage>> finish(java.time.Instant epoch) {
      ProcessResult result;
      try {
        result = run.join();
      } catch (java.util.concurrent.CompletionException e) {
        return java.util.Optional.empty();
      }
      if (!result.succeeded()) {
        return java.util.Optional.empty();
      }
      try {
        removeLists(target.resolve(LISTS));
      } catch (IOException e) {
        return java.util.Optional.empty();
      }
      RootfsCleanup.apply(target, recipe.variant());
      Trees.clampTimes(target, epoch);
      return java.util.Optional.of(DpkgDatabase.installed(target));
    }

    Path tree() {
      return target;
    }

    /**
     * The index this build's apt downloads (its lists stay: {@link #unpinnedCommand}), for the
     * resolver to take once whole ({@link PackageResolver#resolve(BaseRecipe, PackageResolver.Download)}).
     */
    PackageResolver.Download download() {
      return new PackageResolver.Download(target.resolve(LISTS), run::isDone);
    }

    /** Waits for the build to end (so nothing writes into it any more) and removes what it made. */
    void discard() {
      try {
        run.join();
      } catch (java.util.concurrent.CompletionException e) {
        // failed: whatever it left goes below
      }
      Trees.deleteRecursively(target.getParent());
    }
  }

  /** What mmdebstrap's list clean-up removes (an {@code apt-get update} with no sources): every index file, and apt's auxfiles. */
  static void removeLists(Path lists) throws IOException {
    if (!Files.isDirectory(lists, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> files = Files.list(lists)) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        if (name.equals("auxfiles")) {
          Trees.deleteRecursively(f);
        } else if (!name.equals("lock") && Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          Files.delete(f);
        }
      }
    }
  }

  static List<String> unpinnedCommand(BaseRecipe recipe, Path target, boolean root) {
    List<String> command = head(recipe, root);
    if (!recipe.packages().isEmpty()) {
      command.add("--include=" + String.join(",", recipe.packages()));
    }
    // the index it downloads goes to the resolver (Early#download); Early#finish then
    // removes it from the tree as this clean-up would have
    command.add("--skip=cleanup/apt/lists");
    if (recipe.variant() == Base.Variant.EXTRACT) {
      command.add("--extract-hook=" + RootfsCleanup.extractHook());
    }
    command.add(recipe.suite());
    command.add(target.toAbsolutePath().toString());
    command.addAll(recipe.sources());
    return command;
  }

  private static List<String> head(BaseRecipe recipe, boolean root) {
    List<String> command = new ArrayList<>();
    command.add("mmdebstrap");
    // root mode needs no user namespaces (this kind of host has no systemd/subuid setup); as a
    // normal user unshare mode gives the same ownership inside the tree
    command.add("--mode=" + (root ? "root" : "unshare"));
    command.add("--variant=" + recipe.variant().name().toLowerCase());
    command.add("--format=directory");
    command.add("--architectures=" + recipe.architecture());
    command.add("--quiet");
    return command;
  }

  static List<String> command(Resolution resolution, Path target, boolean root) {
    BaseRecipe recipe = resolution.recipe();
    List<String> command = head(recipe, root);
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
