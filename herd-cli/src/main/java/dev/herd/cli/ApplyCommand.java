package dev.herd.cli;

import dev.herd.server.api.Api;
import dev.herd.server.client.ApiClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code herd apply}: the running controller re-reads herd.yaml and rolls out what changed. */
@Command(name = "apply",
    header = "Make the fleets match herd.yaml now: a rollout per changed release.", mixinStandardHelpOptions = true,
    description = {"Make the fleets match herd.yaml as it is now: the running controller re-reads it,",
      "gets each role's image and starts a rollout for every fleet whose release changed."})
public final class ApplyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ProjectOptions project;

  @Override
  public Integer call() {
    ApiClient api = ApiConnection.connect(project);
    Api.Changes c = ApiConnection.call(project, () -> api.post("/v1/apply", null, Api.Changes.class));
    ApiText.changes(spec.commandLine().getOut(), c);
    return HerdCli.OK;
  }
}
