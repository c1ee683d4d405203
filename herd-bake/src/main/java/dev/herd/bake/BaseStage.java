package dev.herd.bake;

import dev.herd.image.layer.LayerBlob;
import dev.herd.image.layer.Tree;
import java.util.Optional;

/** The base layer: the base tree as one layer, keyed on the base's own key and the epoch. */
final class BaseStage implements BakeStep {
  @Override
  public Stage stage() {
    return Stage.BASE;
  }

  @Override
  public String describe(BakeRun run) {
    return run.stages.base().cacheHit() ? "base tree from cache" : "base tree built";
  }

  @Override
  public Outcome run(BakeRun run) {
    String key = StageKeys.of("base", "", run.stages.base().key(), run.epoch);
    Optional<LayerBlob> hit = run.cache.get(key);
    LayerBlob blob = hit.orElseGet(() -> run.writeLayer(key,
        Tree.scan(run.stages.base().rootfs(), Baker.allowDevices(run.role)).entries()));
    run.add(blob, Stage.BASE.label(), hit.isPresent());
    run.below = key;
    return Outcome.done(Baker.summary(blob, hit.isPresent()));
  }
}
