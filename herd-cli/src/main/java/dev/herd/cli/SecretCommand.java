package dev.herd.cli;

import dev.herd.config.Edit;
import dev.herd.config.SecretRevision;
import dev.herd.config.SecretStore;
import dev.herd.server.api.ConfigApi;
import dev.herd.server.client.ApiClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code herd secret set|list|rotate-key}: secrets encrypted at rest, delivered as files in
 * /run/secrets. A value is read from stdin or --value-file, never from argv (argv is visible to every
 * user on the host through ps and /proc).
 */
@Command(name = "secret",
    header = "Secrets per environment and role, given to nodes as files.", mixinStandardHelpOptions = true,
    description = "Secrets per environment and role, encrypted at rest, given to nodes as files in /run/secrets.",
    subcommands = {SecretCommand.Set.class, SecretCommand.ListNames.class, SecretCommand.RotateKey.class})
public final class SecretCommand implements Callable<Integer> {
  /** Where set reads a value without --value-file; tests replace it. */
  static volatile InputStream stdin = System.in;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return HerdCli.USAGE;
  }

  @Command(name = "set",
    header = "Store a new revision of a secret, read from stdin or a file.", mixinStandardHelpOptions = true,
      description = {"Store a new revision of a secret, read from stdin or --value-file (never from the command line).",
        "  printf %s \"$PASSWORD\" | herd secret set prod/web/db-password"})
  static final class Set implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ProjectOptions project;

    @Parameters(index = "0", paramLabel = "ENV/ROLE/NAME")
    String target;

    @Option(names = "--value-file", paramLabel = "FILE", description = {"Read the value from FILE (else from stdin).", "(-f/--file names the spec, as for every command.)"})
    Path file;

    @Override
    public Integer call() throws IOException {
      String[] parts = target.split("/", 3);
      if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
        throw new CliFailure(HerdCli.USAGE, "expected ENV/ROLE/NAME like prod/web/db-password, got '" + target + "'");
      }
      byte[] value;
      try {
        value = file != null ? Files.readAllBytes(file) : stdin.readNBytes(dev.herd.config.SecretNames.MAX_VALUE_BYTES + 1);
      } catch (IOException e) {
        throw new CliFailure(HerdCli.FAILED, "cannot read the secret value from " + (file != null ? file : "stdin") + ": "
            + e.getMessage());
      }
      Optional<ApiClient> api = ConfigClient.running(project);
      String said;
      if (api.isPresent()) {
        said = ApiConnection.call(project, () -> api.get().put("/v1/secrets/" + ConfigClient.seg(parts[0]) + "/"
            + ConfigClient.seg(parts[1]) + "/" + ConfigClient.seg(parts[2]), value,
            Map.of("X-Herd-Author", ConfigClient.author()), ConfigApi.Written.class).message());
      } else {
        said = ConfigClient.offline(project, System.getenv(), o -> {
          SecretRevision r = o.cfg().secrets().set(o.spec(), parts[0], parts[1], parts[2], value, Edit.by(ConfigClient.author()));
          return "secret " + r.name() + " of " + r.scope() + " set (revision " + r.revision() + "); " + o.note();
        });
      }
      java.util.Arrays.fill(value, (byte) 0);
      spec.commandLine().getOut().println(said);
      return HerdCli.OK;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Secret names and revisions (never values).")
  static final class ListNames implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ProjectOptions project;

    @picocli.CommandLine.Option(names = "--json", description = JsonOutput.DESCRIPTION)
    boolean json;

    @Parameters(index = "0", paramLabel = "ENV/ROLE")
    String scope;

    @Override
    public Integer call() {
      String[] s = ConfigClient.scope(scope);
      Optional<ApiClient> api = ConfigClient.running(project);
      ConfigApi.Secrets list = api.isPresent()
          ? ApiConnection.call(project, () -> api.get().get("/v1/secrets/" + ConfigClient.seg(s[0]) + "/" + ConfigClient.seg(s[1]),
              ConfigApi.Secrets.class))
          : ConfigClient.offline(project, System.getenv(), o -> new ConfigApi.Secrets(scope, o.cfg().secrets()
              .list(o.spec(), s[0], s[1]).stream()
              .map(r -> new ConfigApi.SecretInfo(r.name(), r.revision(), r.removed(), r.author(), r.time())).toList()));
      if (json) {
        JsonOutput.print(spec.commandLine().getOut(), list);
        return HerdCli.OK;
      }
      for (ConfigApi.SecretInfo i : list.secrets()) {
        spec.commandLine().getOut().println(i.name() + "  revision " + i.revision() + (i.removed() ? " (removed)" : "")
            + "  " + i.time() + "  " + i.author());
      }
      if (list.secrets().isEmpty()) {
        spec.commandLine().getOut().println("no secrets in " + scope);
      }
      return HerdCli.OK;
    }
  }

  @Command(name = "rotate-key",
    header = "Re-encrypt every secret under a new key (crash-safe).", mixinStandardHelpOptions = true,
      description = "Re-encrypt every secret under a new key (crash-safe; run again to resume).")
  static final class RotateKey implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ProjectOptions project;

    @Override
    public Integer call() {
      Optional<ApiClient> api = ConfigClient.running(project);
      ConfigApi.Rotation r = api.isPresent()
          ? ApiConnection.call(project, () -> api.get().post("/v1/secrets/rotate-key", null, ConfigApi.Rotation.class))
          : ConfigClient.offline(project, System.getenv(), o -> {
            SecretStore.Rotation x = o.cfg().secrets().rotateKey();
            return new ConfigApi.Rotation(x.oldKeys(), Integer.toUnsignedString(x.newPrimaryKeyId()), x.reencrypted(), x.resumed());
          });
      spec.commandLine().getOut().println("secrets key rotated" + (r.resumed() ? " (resumed)" : "") + ": new key "
          + r.newPrimaryKey() + ", " + r.reencrypted() + " revision(s) re-encrypted, " + r.oldKeys() + " old key(s) removed");
      return HerdCli.OK;
    }
  }
}
