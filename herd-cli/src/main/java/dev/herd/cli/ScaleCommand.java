package dev.herd.cli;

import dev.herd.server.api.Api;
import dev.herd.server.client.ApiClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code herd scale FLEET N}: until the next apply, which restores herd.yaml's count. */
@Command(name = "scale",
    header = "Set a fleet's node count until the next `herd apply`.", mixinStandardHelpOptions = true,
    description = "Set a fleet's node count until the next `herd apply` (scaling down removes the highest names first).")
public final class ScaleCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ProjectOptions project;

  @Parameters(index = "0", paramLabel = "FLEET")
  String fleet;

  @Parameters(index = "1", paramLabel = "N", description = "The number of nodes.")
  int count;

  @picocli.CommandLine.Option(names = "--delete-volumes",
      description = "Delete the volumes of the nodes scaled away (their data); without it they are kept for a later scale up.")
  boolean deleteVolumes;

  @Override
  public Integer call() {
    ApiClient api = ApiConnection.connect(project);
    Api.Done done = ApiConnection.call(project,
        () -> api.post("/v1/fleets/" + ApiConnection.segment(fleet) + "/scale" + (deleteVolumes ? "?delete_volumes=true" : ""),
            new Api.Scale(count), Api.Done.class));
    spec.commandLine().getOut().println(done.message());
    return HerdCli.OK;
  }
}
