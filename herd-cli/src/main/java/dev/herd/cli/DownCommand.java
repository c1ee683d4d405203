package dev.herd.cli;

import dev.herd.server.api.Api;
import dev.herd.server.client.ApiClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code herd down}: remove every node and stop the controller. */
@Command(name = "down",
    header = "Stop the controller and remove every node (images and state stay).", mixinStandardHelpOptions = true,
    description = "Stop the running controller and remove every node of the project (images and state are kept).")
public final class DownCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ProjectOptions project;

  @Override
  public Integer call() {
    ApiClient api = ApiConnection.connect(project);
    Api.Done done = ApiConnection.call(project, () -> api.post("/v1/down", null, Api.Done.class));
    spec.commandLine().getOut().println(done.message());
    return HerdCli.OK;
  }
}
