package dev.herd.cli;

import dev.herd.server.api.Api;
import dev.herd.server.client.ApiClient;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code herd logs NODE|FLEET [--since] [--follow]}: what nodes wrote, kept after they are gone. */
@Command(name = "logs",
    header = "Print what a node or a fleet's nodes wrote to stdout and stderr.", mixinStandardHelpOptions = true,
    description = "Print what a node (all its generations) or every node of a fleet wrote to stdout/stderr.")
public final class LogsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ProjectOptions project;

  @Parameters(index = "0", paramLabel = "NODE|FLEET", description = "A node name (web-2) or a fleet name (web).")
  String target;

  @Option(names = "--since", paramLabel = "DURATION|TIME", description = "Only lines from then on: 10m, 2h or an ISO time.")
  String since;

  @Option(names = {"-F", "--follow"}, description = "Keep printing new lines (Ctrl-C to stop).")
  boolean follow;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    ApiClient api = ApiConnection.connect(project);
    Api.Status status = ApiConnection.call(project, () -> api.get("/v1/status", Api.Status.class));
    boolean isFleet = status.fleets().stream().anyMatch(f -> f.name().equals(target));
    String query = (isFleet ? "fleet=" : "node=") + URLEncoder.encode(target, StandardCharsets.UTF_8)
        + (since == null ? "" : "&since=" + URLEncoder.encode(since, StandardCharsets.UTF_8));
    if (follow) {
      // The stream starts with the lines so far, then follows.
      ApiConnection.call(project, () -> {
        api.stream("/v1/logs/stream?" + query, e -> {
          out.println(ApiText.log(api.decode(e, Api.LogLine.class)));
          out.flush();
          return true;
        });
        return null;
      });
      return HerdCli.OK;
    }
    Api.Logs logs = ApiConnection.call(project, () -> api.get("/v1/logs?limit=10000&" + query, Api.Logs.class));
    logs.lines().forEach(l -> out.println(ApiText.log(l)));
    return HerdCli.OK;
  }
}
