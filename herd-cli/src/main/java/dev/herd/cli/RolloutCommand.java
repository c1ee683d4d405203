package dev.herd.cli;

import dev.herd.server.api.Api;
import dev.herd.server.client.ApiClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code herd rollout pause|resume|abort|promote FLEET}. */
@Command(name = "rollout",
    header = "Steer a fleet's rollout: pause, resume, abort or promote.", mixinStandardHelpOptions = true,
    description = {"Steer a fleet's rollout: pause (replace no more nodes), resume, abort (back to the last",
      "good release) or promote (canary: move the rest of the fleet now)."})
public final class RolloutCommand implements Callable<Integer> {
  public enum Action { pause, resume, abort, promote }

  @Spec CommandSpec spec;
  @Mixin ProjectOptions project;

  @Parameters(index = "0", paramLabel = "ACTION", description = "pause, resume, abort or promote.")
  Action action;

  @Parameters(index = "1", paramLabel = "FLEET")
  String fleet;

  @Override
  public Integer call() {
    ApiClient api = ApiConnection.connect(project);
    Api.Done done = ApiConnection.call(project,
        () -> api.post("/v1/fleets/" + ApiConnection.segment(fleet) + "/rollout/" + action.name(), null, Api.Done.class));
    spec.commandLine().getOut().println(done.message());
    return HerdCli.OK;
  }
}
