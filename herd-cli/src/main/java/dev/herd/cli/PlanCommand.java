package dev.herd.cli;

import dev.herd.server.api.Api;
import dev.herd.server.client.ApiClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code herd plan}: what apply would change, changing nothing. */
@Command(name = "plan", mixinStandardHelpOptions = true,
    description = "Show what `herd apply` would change per fleet; no node is touched.")
public final class PlanCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ProjectOptions project;

  @Override
  public Integer call() {
    ApiClient api = ApiConnection.connect(project);
    Api.Changes c = ApiConnection.call(project, () -> api.get("/v1/plan", Api.Changes.class));
    ApiText.changes(spec.commandLine().getOut(), c);
    return HerdCli.OK;
  }
}
