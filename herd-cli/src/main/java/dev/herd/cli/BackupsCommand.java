package dev.herd.cli;

import dev.herd.server.api.Api;
import dev.herd.server.client.ApiClient;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code herd backups [FLEET]}: the stored backups, newest first. */
@Command(name = "backups", header = "List stored backups, newest first.", mixinStandardHelpOptions = true,
    description = "List the backups under .herd/backups (of FLEET, or of every fleet), newest first.")
public final class BackupsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ProjectOptions project;

  @Parameters(index = "0", paramLabel = "FLEET", arity = "0..1")
  String fleet;

  @Option(names = "--json", description = JsonOutput.DESCRIPTION)
  boolean json;

  @Override
  public Integer call() {
    ApiClient api = ApiConnection.connect(project);
    String query = fleet == null ? "" : "?fleet=" + ApiConnection.segment(fleet);
    Api.Backups all = ApiConnection.call(project, () -> api.get("/v1/backups" + query, Api.Backups.class));
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      JsonOutput.print(out, all.backups());
      return HerdCli.OK;
    }
    if (all.backups().isEmpty()) {
      out.println("no backups" + (fleet == null ? "" : " of fleet " + fleet));
      return HerdCli.OK;
    }
    Instant now = Instant.now();
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"BACKUP", "FLEET", "NODE", "KIND", "AGE", "SIZE", "TOOK"});
    for (Api.Backup b : all.backups()) {
      rows.add(new String[] {b.id(), b.fleet(), b.node(), b.kind(), ImageState.age(b.created(), now), ImageState.size(b.bytes()),
          b.tookMillis() + " ms"});
    }
    ImagesCommand.printTable(out, rows);
    return HerdCli.OK;
  }
}
