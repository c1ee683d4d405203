package dev.herd.bake;

import dev.herd.bake.run.SandboxCommand;
import dev.herd.bake.tree.ImageRoot;
import dev.herd.bake.tree.ResourceContent;
import dev.herd.bake.verify.CommandRunner;
import dev.herd.bake.verify.ImageTestsFailedException;
import dev.herd.bake.verify.ImageVerifier;
import dev.herd.bake.verify.VerifyReport;
import java.util.Map;
import java.util.Optional;

/** The image tests: the role's own and those its resources imply, on the final tree; a pass is remembered for this exact content. */
final class TestsStage implements BakeStep {
  @Override
  public Stage stage() {
    return Stage.TESTS;
  }

  @Override
  public String describe(BakeRun run) {
    return run.role.tests().size() + " declared tests + implied checks";
  }

  @Override
  public Outcome run(BakeRun run) {
    if (run.keys().allCached()) {
      return Outcome.cached("cached: passed for this exact content");
    }
    SandboxCommand sandbox = new SandboxCommand(run.runner, Map.of("herd.bake", run.role.name()));
    CommandRunner commands = (rootfs, command, timeout) -> {
      SandboxCommand.Result r = sandbox.run(rootfs, command, timeout);
      if (r.timedOut()) {
        throw new CommandRunner.CommandException(String.join(" ", command) + " timed out after " + timeout);
      }
      return new CommandRunner.Result(r.exitStatus(), r.stdout(), r.stderr());
    };
    VerifyReport verified = new ImageVerifier(ImageRoot.at(run.staging), run.metadata, new ResourceContent(run.applyContext),
        Optional.of(commands)).verify(run.role);
    run.request.junitXml().ifPresent(verified::writeJUnitXml);
    try {
      verified.throwIfFailed();
    } catch (ImageTestsFailedException e) {
      throw new BakeException(e.getMessage(), e);
    }
    run.cache.markPassed(run.keys().tests());
    return Outcome.done(verified.results().size() + " passed");
  }
}
