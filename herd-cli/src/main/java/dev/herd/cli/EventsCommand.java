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
import picocli.CommandLine.Spec;

/** {@code herd events [--since 10m] [--follow]}: what the controller decided and saw, and why. */
@Command(name = "events",
    header = "Print the controller's events, one line each with the reason.", mixinStandardHelpOptions = true,
    description = "Print the controller's events (one line each, with the reason); --follow keeps printing new ones.")
public final class EventsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ProjectOptions project;

  @Option(names = "--since", paramLabel = "DURATION|TIME", defaultValue = "1h",
      description = "How far back: a duration (10m, 2h) or an ISO time. Default: ${DEFAULT-VALUE}.")
  String since;

  @Option(names = {"-F", "--follow"}, description = "Keep printing events as they happen (Ctrl-C to stop).")
  boolean follow;

  @Option(names = "--json", description = "Print each event as one JSON object per line (JSON Lines), for scripts.")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    ApiClient api = ApiConnection.connect(project);
    Api.Events past = ApiConnection.call(project,
        () -> api.get("/v1/events?limit=10000&since=" + URLEncoder.encode(since, StandardCharsets.UTF_8), Api.Events.class));
    long last = 0;
    for (Api.EventView e : past.events()) {
      out.println(json ? JsonOutput.line(e) : ApiText.event(e));
      last = e.id();
    }
    out.flush();
    if (follow) {
      String path = "/v1/events/stream?after=" + (last > 0 ? last : latestId(api));
      ApiConnection.call(project, () -> {
        api.stream(path, e -> {
          Api.EventView event = api.decode(e, Api.EventView.class);
          out.println(json ? JsonOutput.line(event) : ApiText.event(event));
          out.flush();
          return true;
        });
        return null;
      });
    }
    return HerdCli.OK;
  }

  /** With nothing printed yet, follow from the newest event, not from the beginning. */
  private long latestId(ApiClient api) {
    Api.Events recent = ApiConnection.call(project, () -> api.get("/v1/events?since=1m", Api.Events.class));
    return recent.events().isEmpty() ? latestOverall(api) : recent.events().getLast().id();
  }

  private long latestOverall(ApiClient api) {
    long after = 0;
    while (true) {
      long from = after;
      Api.Events page = ApiConnection.call(project, () -> api.get("/v1/events?limit=10000&after=" + from, Api.Events.class));
      if (page.events().isEmpty()) {
        return after;
      }
      after = page.events().getLast().id();
    }
  }
}
