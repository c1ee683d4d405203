package dev.herd.cli;

import dev.herd.spec.Spec;
import dev.herd.spec.SpecError;
import dev.herd.spec.SpecLoader;
import dev.herd.spec.SpecResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;

/** {@code herd validate}: loads herd.yaml and reports every problem, changing nothing. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Check a herd.yaml: keys, types, values, references and source files.",
      "Prints every problem as FILE:LINE:COL: KEY.PATH: message. Builds and runs nothing."
    })
public final class ValidateCommand implements Callable<Integer> {
  @Mixin ProjectOptions project;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "DIR",
      description = "Project directory holding herd.yaml (default: the current directory).")
  Path dir;

  @picocli.CommandLine.Spec CommandSpec command;

  @Override
  public Integer call() {
    Path file = project.specFile(dir);
    SpecResult result = SpecLoader.load(file);
    String name = file.getFileName().toString();
    if (result instanceof SpecResult.Loaded loaded) {
      command.commandLine().getOut().println(name + ": ok (" + summary(loaded.spec()) + ")"
          + startOrder(loaded.spec()).map(o -> System.lineSeparator() + "fleets start in order: " + o).orElse(""));
      return HerdCli.OK;
    }
    PrintWriter err = command.commandLine().getErr();
    for (SpecError e : result.errors()) {
      err.println(e.render());
    }
    int n = result.errors().size();
    err.println(name + ": " + n + (n == 1 ? " error" : " errors"));
    return HerdCli.FAILED;
  }

  static String summary(Spec spec) {
    return count(spec.roles().size(), "role") + ", " + count(spec.environments().size(), "environment") + ", "
        + count(spec.fleets().size(), "fleet");
  }

  /**
   * The waves fleets start in on a first up ({@code db, cache → web}), when any fleet has
   * depends_on; fleets of one wave start together.
   */
  static java.util.Optional<String> startOrder(Spec spec) {
    if (spec.fleets().values().stream().allMatch(f -> f.dependsOn().isEmpty())) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(String.join(" → ", spec.startOrder().stream().map(w -> String.join(", ", w)).toList()));
  }

  private static String count(int n, String what) {
    return n + " " + what + (n == 1 ? "" : "s");
  }
}
