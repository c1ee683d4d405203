package dev.herd.bake;

import dev.herd.image.layer.Changeset;
import dev.herd.image.layer.LayerBlob;
import java.util.Optional;

/** The role's own packages: what they add to the base tree, as one layer (only when they have a tree of their own). */
final class PackagesStage implements BakeStep {
  @Override
  public Stage stage() {
    return Stage.PACKAGES;
  }

  @Override
  public boolean applies(BakeRun run) {
    return !run.stages.packages().rootfs().equals(run.stages.base().rootfs());
  }

  @Override
  public String describe(BakeRun run) {
    return String.join(", ", run.role.packages());
  }

  @Override
  public Outcome run(BakeRun run) {
    String key = StageKeys.of("packages", run.below, run.stages.packages().key());
    Optional<LayerBlob> hit = run.cache.get(key);
    LayerBlob blob = hit.orElseGet(() -> run.writeLayer(key,
        Changeset.between(run.stages.base().rootfs(), run.stages.packages().rootfs(), Baker.allowDevices(run.role))));
    run.add(blob, Stage.PACKAGES.label(), hit.isPresent());
    run.below = key;
    return Outcome.done(Baker.summary(blob, hit.isPresent()));
  }
}
