package dev.herd.cli;

import dev.herd.bake.BakeException;
import dev.herd.bake.BakeRequest;
import dev.herd.bake.BakeResult;
import dev.herd.bake.Baker;
import dev.herd.image.Images;
import dev.herd.spec.Spec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code herd bake [ROLE...]}: roles become versioned images in the project's image store. */
@Command(
    name = "bake",
    header = "Bake roles into versioned OCI images in the project's image store.",
    mixinStandardHelpOptions = true,
    description = {
      "Bake roles into versioned OCI images in the project's image store (.herd/images).",
      "Stages: resolving, base, packages, resources, run, tests, scan, write; each layer is cached.",
      "Ends with one line per role: ROLE:VERSION sha256:DIGEST (a no-op rebake keeps the version)."
    })
public final class BakeCommand implements Callable<Integer> {
  @Mixin ProjectOptions project;

  @Parameters(paramLabel = "ROLE", arity = "0..*", description = "Roles to bake (default: every role in herd.yaml).")
  List<String> roles = new ArrayList<>();

  @Option(names = "--locked", description = "Fail when package resolution differs from herd.lock (or it is missing).")
  boolean locked;

  @Option(names = "--refresh", description = "Download the package index now, even if the saved one is younger than"
      + " HERD_INDEX_MAX_AGE (default PT10M).")
  boolean refresh;

  @Option(names = "--junit", paramLabel = "FILE", description = "Write the image tests' results as JUnit XML to FILE.")
  Path junit;

  @picocli.CommandLine.Spec CommandSpec command;

  @Override
  public Integer call() {
    Spec spec = project.loadSpec(null);
    if (refresh) {
      System.setProperty(dev.herd.bake.base.PackageResolver.INDEX_MAX_AGE_PROPERTY, "PT0S");
    }
    List<String> names = roles.isEmpty() ? List.copyOf(spec.roles().keySet()) : roles;
    for (String r : names) {
      if (!spec.roles().containsKey(r)) {
        throw new CliFailure(HerdCli.USAGE, "no role \"" + r + "\" in " + spec.file().getFileName()
            + " (roles: " + String.join(", ", spec.roles().keySet()) + ")");
      }
    }
    Path state = project.stateDir(spec.file());
    PrintWriter out = command.commandLine().getOut();
    PrintWriter err = command.commandLine().getErr();
    try (Images images = Images.open(state)) {
      Baker baker = Baker.standard(images, Registries.logins(state));
      for (String r : names) {
        BakeResult result;
        try {
          result = baker.bake(new BakeRequest(spec, r, state, locked, Optional.ofNullable(junit)), new dev.herd.bake.ProgressLines(r, GlobalOptions.verbose, err::println));
        } catch (BakeException e) {
          throw new CliFailure(HerdCli.FAILED, "bake of role " + r + " failed: " + e.getMessage(), e);
        }
        out.println(result.line());
      }
    }
    return HerdCli.OK;
  }

}
