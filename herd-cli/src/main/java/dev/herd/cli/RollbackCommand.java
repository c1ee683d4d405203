package dev.herd.cli;

import dev.herd.server.api.Api;
import dev.herd.server.client.ApiClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code herd rollback FLEET}: back to the last good release, through a rolling update. */
@Command(name = "rollback",
    header = "Roll a fleet back to its last good release.", mixinStandardHelpOptions = true,
    description = "Roll a fleet back to its last good release (or the one before it) with a rolling update.")
public final class RollbackCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ProjectOptions project;

  @Parameters(index = "0", paramLabel = "FLEET")
  String fleet;

  @Override
  public Integer call() {
    ApiClient api = ApiConnection.connect(project);
    Api.Done done = ApiConnection.call(project,
        () -> api.post("/v1/fleets/" + ApiConnection.segment(fleet) + "/rollback", null, Api.Done.class));
    spec.commandLine().getOut().println(done.message());
    return HerdCli.OK;
  }
}
