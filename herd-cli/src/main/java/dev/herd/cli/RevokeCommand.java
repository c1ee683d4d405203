package dev.herd.cli;

import dev.herd.image.catalog.CatalogImage;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code herd revoke web:2 --reason "..."}: an image that must never be deployed again. */
@Command(name = "revoke",
    header = "Revoke an image: never deployed or promoted again (stays listed).", description = "Revoke an image: it is never deployed or promoted again (it stays listed).")
public final class RevokeCommand implements Callable<Integer> {
  @Mixin ProjectOptions project;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "ROLE:VERSION.")
  String image;

  @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why (recorded with the time).")
  String reason;

  @Override
  public Integer call() {
    if (reason.isBlank()) {
      throw new CliFailure(HerdCli.USAGE, "--reason must not be empty");
    }
    CatalogImage revoked = ImageState.with(project, true, images -> images.catalog().revoke(PromoteCommand.parse(image), reason));
    spec.commandLine().getOut().println("revoked " + revoked.ref() + ": " + reason.strip()
        + (revoked.channels().isEmpty() ? "" : " (still on channel " + String.join(", ", revoked.channels())
            + "; deploying from it now fails until you promote another version)"));
    return HerdCli.OK;
  }
}
