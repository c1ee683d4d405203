package dev.herd.bake;

import dev.herd.bake.tree.Applier;
import dev.herd.bake.tree.ApplyContext;
import dev.herd.bake.tree.Change;
import dev.herd.bake.tree.ImageRoot;
import dev.herd.bake.tree.TreeMetadata;
import dev.herd.image.layer.Changeset;
import dev.herd.image.layer.LayerBlob;
import dev.herd.image.layer.Tree;
import java.util.Optional;

/**
 * The resources layer: the role's files, templates, users and links applied in Java onto a copy
 * of the packages tree (the staging tree: hard links to it when nothing else writes into it), the
 * difference as one layer. When every layer after
 * the packages is cached and the image tests passed for this content, no tree is made at all.
 */
final class ResourcesStage implements BakeStep {
  /** Whether only the resources (through {@link ImageRoot}) change the staging tree: no run step, no command test, no device nodes. */
  static boolean linkable(BakeRun run) {
    return run.role.run().isEmpty() && run.role.tests().stream().noneMatch(t -> t instanceof dev.herd.spec.ImageTest.Command)
        && !Baker.allowDevices(run.role);
  }

  @Override
  public Stage stage() {
    return Stage.RESOURCES;
  }

  @Override
  public String describe(BakeRun run) {
    return run.role.resources().size() + " resources";
  }

  @Override
  public Outcome run(BakeRun run) {
    BakeRun.Keys keys = run.keys();
    run.applyContext = new ApplyContext(run.spec.dir(), run.request.stateDir(), keys.vars(), run.epoch);
    if (keys.allCached()) {
      run.add(run.cache.get(keys.resources()).orElseThrow(), Stage.RESOURCES.label(), true);
      run.below = keys.resources();
      return Outcome.cached("cached");
    }
    // The staging tree shares the cached packages tree's files when nothing after the resources
    // writes into it in place: no run: step and no command test (each runs a process on it).
    boolean linked = linkable(run) && run.linkTree(run.stages.packages().rootfs(), run.staging);
    if (!linked) {
      run.copyTree(run.stages.packages().rootfs(), run.staging);
    }
    run.report = new Applier(ImageRoot.at(run.staging, linked), run.metadata, run.applyContext).apply(run.role.resources());
    for (Change c : run.report.changed()) {
      run.listener.detail(Stage.RESOURCES, c.toString());
      run.changes.add(c.toString());
    }
    Baker.applyOwnershipOnDisk(run.staging, run.metadata, linked);
    Optional<LayerBlob> hit = run.cache.get(keys.resources());
    TreeMetadata meta = run.metadata;
    LayerBlob blob = hit.orElseGet(() -> {
      Tree upper = Tree.scan(run.staging, Baker.allowDevices(run.role));
      return run.writeLayer(keys.resources(), Baker.withMetadata(
          Changeset.between(Tree.scan(run.stages.packages().rootfs(), Baker.allowDevices(run.role)), upper), upper, meta));
    });
    run.add(blob, Stage.RESOURCES.label(), hit.isPresent());
    run.below = keys.resources();
    return Outcome.done(run.report.changed().size() + " changed, "
        + (run.report.changes().size() - run.report.changed().size()) + " unchanged; " + Baker.summary(blob, hit.isPresent()));
  }
}
