package dev.herd.cli;

import dev.herd.server.api.Api;
import dev.herd.server.client.ApiClient;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code herd status [FLEET]}: fleets, nodes, rollouts, from the running controller. */
@Command(name = "status",
    header = "Show fleets, their nodes and the rollouts in progress.", mixinStandardHelpOptions = true,
    description = "Show fleets, their nodes (state, release, generation, port, age) and rollouts in progress.")
public final class StatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ProjectOptions project;

  @Parameters(index = "0", arity = "0..1", paramLabel = "FLEET", description = "Only this fleet.")
  String fleet;

  @picocli.CommandLine.Option(names = "--json", description = JsonOutput.DESCRIPTION)
  boolean json;

  @Override
  public Integer call() {
    ApiClient api = ApiConnection.connect(project);
    Api.Status s = ApiConnection.call(project, () -> api.get("/v1/status", Api.Status.class));
    if (fleet != null) {
      List<Api.FleetView> only = s.fleets().stream().filter(f -> f.name().equals(fleet)).toList();
      if (only.isEmpty()) {
        throw new CliFailure(HerdCli.FAILED, "no fleet " + fleet + " (fleets: "
            + String.join(", ", s.fleets().stream().map(Api.FleetView::name).toList()) + ")");
      }
      s = new Api.Status(s.project(), s.time(), only, s.immutability(), s.autoscale());
    }
    if (json) {
      JsonOutput.print(spec.commandLine().getOut(), s);
    } else {
      dev.herd.server.api.ApiText.status(spec.commandLine().getOut(), s);
    }
    return HerdCli.OK;
  }
}
