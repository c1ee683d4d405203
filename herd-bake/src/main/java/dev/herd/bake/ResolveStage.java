package dev.herd.bake;

import dev.herd.bake.base.LockFile;
import dev.herd.spec.SourcePaths;
import java.nio.file.Path;

/** Resolving: the base and the role's packages (or the image base), herd.lock written when it changed. */
final class ResolveStage implements BakeStep {
  @Override
  public Stage stage() {
    return Stage.RESOLVE;
  }

  @Override
  public String describe(BakeRun run) {
    return Baker.describe(run.role.base(), run.role.packages());
  }

  @Override
  public Outcome run(BakeRun run) {
    Path lockPath = LockFile.besideSpec(run.spec.file());
    run.stages = run.bases.prepare(run.spec, run.role, run.work, LockFile.read(lockPath), run.request.locked(),
        new SourcePaths(run.spec.dir(), run.request.stateDir()));
    if (run.stages.lock().isPresent() && run.stages.lockChanged() && !run.request.locked()) {
      LockFile lock = LockFile.read(lockPath).orElse(LockFile.empty()).with(run.role.name(), run.stages.lock().get());
      lock.write(lockPath);
      run.listener.detail(Stage.RESOLVE, "wrote " + run.spec.dir().relativize(lockPath) + " for role " + run.role.name());
    }
    run.epoch = Baker.sourceDateEpoch().orElse(run.stages.packages().epoch());
    return Outcome.done(run.stages.packages().packages().size() + " packages");
  }
}
