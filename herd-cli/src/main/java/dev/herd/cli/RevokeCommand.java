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

  @Option(names = "--force", description = "Revoke even when a running fleet has no other image its selector allows (it holds on this one).")
  boolean force;

  @Override
  public Integer call() {
    if (reason.isBlank()) {
      throw new CliFailure(HerdCli.USAGE, "--reason must not be empty");
    }
    PromoteCommand.parse(image);
    // With a controller running, it revokes: fleets running the image roll to a replacement now.
    dev.herd.server.client.ApiClient api;
    try {
      api = dev.herd.server.client.ApiClient.forStateDir(ImageState.stateDir(project), ApiConnection.TIMEOUT);
    } catch (dev.herd.server.client.ApiClient.NoController e) {
      api = null;
    }
    if (api != null) {
      dev.herd.server.client.ApiClient client = api;
      var done = ApiConnection.call(project, () -> client.post("/v1/images/revoke",
          new dev.herd.server.api.Api.Revoke(image, reason, force), dev.herd.server.api.Api.Revoked.class));
      spec.commandLine().getOut().println("revoked " + image + ": " + reason.strip());
      for (var f : done.fleets()) {
        spec.commandLine().getOut().println("  fleet " + f.fleet() + ": " + f.event());
      }
      return HerdCli.OK;
    }
    CatalogImage revoked = ImageState.with(project, true, images -> images.catalog().revoke(PromoteCommand.parse(image), reason));
    spec.commandLine().getOut().println("revoked " + revoked.ref() + ": " + reason.strip()
        + (revoked.channels().isEmpty() ? "" : " (still on channel " + String.join(", ", revoked.channels())
            + "; deploying from it now fails until you promote another version)"));
    spec.commandLine().getOut().println("no controller is running: fleets running " + revoked.ref()
        + " move to a replacement at the next `herd up` or `herd apply`");
    return HerdCli.OK;
  }
}
