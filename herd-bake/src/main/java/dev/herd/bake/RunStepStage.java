package dev.herd.bake;

import dev.herd.bake.run.RunResult;
import dev.herd.bake.run.RunStepExecutor;
import dev.herd.image.layer.Changeset;
import dev.herd.image.layer.LayerBlob;
import dev.herd.spec.RunStep;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** One {@code run:} step: the command in {@code podman run --rootfs} on the staging tree, what it changed as one layer. */
final class RunStepStage implements BakeStep {
  private final int index;

  RunStepStage(int index) {
    this.index = index;
  }

  @Override
  public Stage stage() {
    return Stage.RUN;
  }

  @Override
  public String describe(BakeRun run) {
    return Baker.stepName(run.role.run().get(index), index);
  }

  @Override
  public Outcome run(BakeRun run) {
    RunStep step = run.role.run().get(index);
    String label = Stage.RUN.label() + " " + Baker.stepName(step, index);
    String key = run.keys().runs().get(index);
    if (run.keys().allCached()) {
      run.add(run.cache.get(key).orElseThrow(), label, true);
      return Outcome.cached("cached");
    }
    Path before = run.work.resolve("before-run-" + index);
    run.copyTree(run.staging, before);
    RunResult result = new RunStepExecutor(run.runner, Map.of("herd.bake", run.role.name())).run(step, run.staging, run.role.env());
    for (String line : (result.stdout() + result.stderr()).lines().toList()) {
      run.listener.detail(Stage.RUN, line);
    }
    Optional<LayerBlob> hit = run.cache.get(key);
    LayerBlob blob = hit.orElseGet(() -> run.writeLayer(key, Changeset.between(before, run.staging, Baker.allowDevices(run.role))));
    Baker.deleteTree(before);
    run.add(blob, label, hit.isPresent());
    run.below = key;
    return Outcome.done(Baker.summary(blob, hit.isPresent()));
  }
}
