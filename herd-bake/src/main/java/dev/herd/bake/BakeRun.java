package dev.herd.bake;

import dev.herd.bake.base.BaseStages;
import dev.herd.bake.base.Bases;
import dev.herd.bake.run.ProcessRunner;
import dev.herd.bake.tree.ApplyContext;
import dev.herd.bake.tree.ChangeReport;
import dev.herd.bake.tree.TemplateVars;
import dev.herd.bake.tree.TreeMetadata;
import dev.herd.image.Images;
import dev.herd.image.layer.LayerBlob;
import dev.herd.image.layer.LayerEntry;
import dev.herd.spec.RunStep;
import dev.herd.spec.Role;
import dev.herd.spec.Spec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one bake has found and made so far, handed from stage to stage: the request, the base
 * stages, the epoch, the layers (with the stage that made each), the cache keys, and the staging
 * tree when a stage after the packages has to be rebuilt.
 */
final class BakeRun {
  final BakeRequest request;
  final Spec spec;
  final Role role;
  final Path work;
  final LayerCache cache;
  final BakeListener listener;
  final Images images;
  final Bases bases;
  final ProcessRunner runner;
  /** The staging tree (only materialised when a stage after the packages is rebuilt). */
  final Path staging;
  final TreeMetadata metadata = new TreeMetadata();
  final List<LayerBlob> layers = new ArrayList<>();
  /** For each layer, the stage that made it (image history, secret-scan findings). */
  final List<String> layerStages = new ArrayList<>();
  final List<String> changes = new ArrayList<>();

  BaseStages stages;
  Instant epoch;
  /** The key of the last layer so far: the next stage's key builds on it. */
  String below;
  int reused;
  ChangeReport report = new ChangeReport(List.of());
  ApplyContext applyContext;
  BakeResult result;
  private Keys keys;

  BakeRun(BakeRequest request, Role role, Path work, LayerCache cache, BakeListener listener, Images images, Bases bases,
      ProcessRunner runner) {
    this.request = request;
    this.spec = request.spec();
    this.role = role;
    this.work = work;
    this.cache = cache;
    this.listener = listener;
    this.images = images;
    this.bases = bases;
    this.runner = runner;
    this.staging = work.resolve("rootfs");
  }

  /**
   * The keys of every stage after the packages, worked out before any of them runs, so a bake
   * knows whether it needs a tree at all.
   *
   * @param allCached every layer after the packages is cached and the image tests passed for
   *     exactly this content: no tree is materialised
   */
  record Keys(TemplateVars vars, String resources, List<String> runs, String tests, String last, boolean allCached) {}

  Keys keys() {
    if (keys == null) {
      TemplateVars vars = Baker.templateVars(spec, role, epoch);
      String resources = StageKeys.of("resources", below, StageKeys.resources(spec, role.resources()),
          StageKeys.map(vars.vars()), StageKeys.map(vars.facts()));
      List<String> runs = new ArrayList<>();
      String prev = resources;
      for (RunStep step : role.run()) {
        prev = StageKeys.of("run", prev, step.shell(), step.network(), step.timeout());
        runs.add(prev);
      }
      String tests = StageKeys.of("tests", prev, StageKeys.records(role.tests()));
      boolean allCached = cache.get(resources).isPresent() && runs.stream().allMatch(k -> cache.get(k).isPresent())
          && cache.passed(tests);
      keys = new Keys(vars, resources, List.copyOf(runs), tests, prev, allCached);
    }
    return keys;
  }

  /** Adds a stage's layer; {@code hit}: it came from the layer cache. */
  void add(LayerBlob blob, String stageLabel, boolean hit) {
    layers.add(blob);
    layerStages.add(stageLabel);
    reused += hit ? 1 : 0;
  }

  /** Writes a layer into the store and remembers it under {@code key}. */
  LayerBlob writeLayer(String key, List<LayerEntry> entries) {
    LayerBlob blob = images.writeLayer(entries, epoch);
    cache.put(key, blob);
    return blob;
  }

  /**
   * Makes {@code to} the tree {@code from} is, as hard links ({@code cp -al}: directories of its
   * own, every other entry sharing the cached tree's inode, so a 190 MB tree takes a fraction of
   * a second). Only for a stage that changes files through new files or {@link
   * dev.herd.bake.tree.OwnInode}. False when the two are on different file systems (the caller
   * then copies; {@link #copyTree} clears what was linked).
   */
  boolean linkTree(Path from, Path to) {
    emptyDirectory(to);
    return runner.run(List.of("cp", "-a", "-l", from + "/.", to + "/"), Map.of(), Duration.ofMinutes(10)).succeeded();
  }

  /** cp -a keeps owners, modes, links and special files exactly; Java's copy would not. */
  void copyTree(Path from, Path to) {
    emptyDirectory(to);
    var result = runner.run(List.of("cp", "-a", "--reflink=auto", from + "/.", to + "/"), Map.of(), Duration.ofMinutes(10));
    if (!result.succeeded()) {
      throw new BakeException("cannot copy " + from + " to " + to + ": " + result.tail(5));
    }
  }

  private static void emptyDirectory(Path dir) {
    Baker.deleteTree(dir);
    try {
      java.nio.file.Files.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot create " + dir, e);
    }
  }
}
