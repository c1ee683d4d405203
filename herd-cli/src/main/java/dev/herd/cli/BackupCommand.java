package dev.herd.cli;

import dev.herd.server.api.Api;
import dev.herd.server.client.ApiClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code herd backup FLEET [NODE]}: one backup now, through the running controller. */
@Command(name = "backup",
    header = "Back up a fleet's volumes (or backup.command's output) now.", mixinStandardHelpOptions = true,
    description = "Back up one node of the fleet (NODE, or its first healthy node) into .herd/backups/FLEET/ with a sha256 "
        + "checksum; keeps the newest backup.keep. Exits 1 when the backup fails (it is also an event).")
public final class BackupCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ProjectOptions project;

  @Parameters(index = "0", paramLabel = "FLEET")
  String fleet;

  @Parameters(index = "1", paramLabel = "NODE", arity = "0..1", description = "A node name like db-1.")
  String node;

  @Override
  public Integer call() {
    ApiClient api = ApiConnection.connect(project);
    Api.Backup b = ApiConnection.call(project, () -> api.post("/v1/fleets/" + ApiConnection.segment(fleet) + "/backups",
        new Api.BackupRequest(node), Api.Backup.class));
    spec.commandLine().getOut().println("backup " + b.id() + " of " + b.node() + ": " + ImageState.size(b.bytes())
        + " in " + b.tookMillis() + " ms (" + String.join(", ", b.files().keySet()) + ")");
    return HerdCli.OK;
  }
}
