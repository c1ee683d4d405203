package dev.herd.cli;

import dev.herd.server.api.Api;
import dev.herd.server.client.ApiClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code herd restore FLEET BACKUP [--node NODE]}: checks the archive, restarts the node on it, waits for health. */
@Command(name = "restore", header = "Restore a backup into a node's volumes; wait until it is healthy.",
    mixinStandardHelpOptions = true,
    description = "Checks the backup's sha256 (a damaged backup is refused and nothing changes), stops and removes the node, "
        + "starts its next generation on fresh volumes filled from the backup, and waits until it is healthy.")
public final class RestoreCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ProjectOptions project;

  @Parameters(index = "0", paramLabel = "FLEET")
  String fleet;

  @Parameters(index = "1", paramLabel = "BACKUP", description = "A backup id from `herd backups`.")
  String backup;

  @Option(names = "--node", paramLabel = "NODE", description = "The node to restore into (default: the node the backup was taken of).")
  String node;

  @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "5m",
      description = "How long to wait for the node to be healthy (default ${DEFAULT-VALUE}).")
  String wait;

  @Override
  public Integer call() throws InterruptedException {
    Duration bound = dev.herd.spec.Durations.parse(wait);
    ApiClient api = ApiConnection.connect(project);
    long before = generation(api).orElse(0L);
    Api.Restoring r = ApiConnection.call(project, () -> api.post("/v1/fleets/" + ApiConnection.segment(fleet) + "/restore",
        new Api.Restore(backup, node), Api.Restoring.class));
    PrintWriter out = spec.commandLine().getOut();
    out.println(r.message());
    out.flush();
    String slot = r.node();
    if (!r.restarting()) {
      return HerdCli.OK; // backup.restore ran in the running node: nothing restarts, nothing to wait for
    }
    Instant deadline = Instant.now().plus(bound);
    while (Instant.now().isBefore(deadline)) {
      java.util.Optional<Api.NodeView> n = nodeView(api, slot);
      if (n.isPresent() && n.get().generation() > before && n.get().state().equals("healthy")) {
        out.println(slot + " is healthy on the restored volumes (generation " + n.get().generation() + ")");
        return HerdCli.OK;
      }
      Thread.sleep(500);
    }
    throw new CliFailure(HerdCli.FAILED, slot + " was not healthy within " + wait + " after the restore (herd status " + fleet
        + "; herd logs " + fleet + ")");
  }

  private java.util.Optional<Long> generation(ApiClient api) {
    return node == null ? java.util.Optional.empty() : nodeView(api, node).map(Api.NodeView::generation);
  }

  private java.util.Optional<Api.NodeView> nodeView(ApiClient api, String slot) {
    Api.Status s = ApiConnection.call(project, () -> api.get("/v1/status", Api.Status.class));
    return s.fleets().stream().filter(f -> f.name().equals(fleet)).flatMap(f -> f.nodes().stream())
        .filter(n -> n.name().equals(slot)).max(java.util.Comparator.comparingLong(Api.NodeView::generation));
  }
}
