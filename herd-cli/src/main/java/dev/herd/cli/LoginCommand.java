package dev.herd.cli;

import dev.herd.config.Edit;
import dev.herd.config.HerdConfig;
import dev.herd.config.ConfigException;
import dev.herd.spec.Registry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code herd login NAME --username U}: stores a registry's credentials in herd's secret store
 * (encrypted at rest). The password comes from stdin or --password-file, never from argv.
 */
@Command(name = "login", mixinStandardHelpOptions = true,
    header = "Store credentials for a registry of herd.yaml (encrypted).",
    description = {"Store the user and password of registries.NAME under the name its credentials: key gives.",
      "The password is read from stdin or --password-file, never from the command line:",
      "  printf %s \"$TOKEN\" | herd login shop --username ci"})
public final class LoginCommand implements Callable<Integer> {
  /** Where the password is read from without --password-file; tests replace it. */
  static volatile InputStream stdin = System.in;

  @Spec CommandSpec spec;
  @Mixin ProjectOptions project;

  @Parameters(index = "0", paramLabel = "REGISTRY", description = "A key of registries: in herd.yaml.")
  String registry;

  @Option(names = "--username", required = true, paramLabel = "USER", description = "The registry user.")
  String username;

  @Option(names = "--password-file", paramLabel = "FILE", description = "Read the password from FILE (else from stdin).")
  Path passwordFile;

  @Override
  public Integer call() {
    dev.herd.spec.Spec loaded = project.loadSpec(null);
    Registry r = loaded.registries().get(registry);
    if (r == null) {
      throw new CliFailure(HerdCli.USAGE, "no registry " + registry + " in " + loaded.file()
          + " (registries: " + (loaded.registries().isEmpty() ? "none" : String.join(", ", new TreeSet<>(loaded.registries().keySet()))) + ")");
    }
    if (r.credentials().isEmpty()) {
      throw new CliFailure(HerdCli.USAGE, "registries." + registry + " has no credentials: key; add one (e.g. credentials: "
          + registry + "-login) so herd knows what to store");
    }
    if (username.isEmpty() || username.contains(":") || username.contains("\n")) {
      throw new CliFailure(HerdCli.USAGE, "--username must be non-empty, without ':' or a newline");
    }
    byte[] password;
    try {
      password = passwordFile != null ? Files.readAllBytes(passwordFile) : stdin.readNBytes(dev.herd.config.SecretNames.MAX_VALUE_BYTES);
    } catch (IOException e) {
      throw new CliFailure(HerdCli.FAILED, "cannot read the password from " + (passwordFile != null ? passwordFile : "stdin") + ": " + e.getMessage());
    }
    int end = password.length;
    while (end > 0 && (password[end - 1] == '\n' || password[end - 1] == '\r')) {
      end--; // `echo pw |` adds a newline that is not part of the password
    }
    if (end == 0) {
      throw new CliFailure(HerdCli.USAGE, "empty password (was stdin or the file empty?)");
    }
    byte[] user = (username + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] value = new byte[user.length + end];
    System.arraycopy(user, 0, value, 0, user.length);
    System.arraycopy(password, 0, value, user.length, end);
    Arrays.fill(password, (byte) 0);
    long revision;
    try (HerdConfig cfg = HerdConfig.open(project.stateDir(loaded.file()), System.getenv())) {
      revision = cfg.secrets().setRegistryCredentials(registry, r.credentials().get(), value, Edit.by(ConfigClient.author())).revision();
    } catch (ConfigException e) {
      throw ConfigClient.failure(e);
    } finally {
      Arrays.fill(value, (byte) 0);
    }
    spec.commandLine().getOut().println("stored credentials " + r.credentials().get() + " for registry " + registry
        + " (" + r.host() + ", user " + username + ", revision " + revision + ")");
    return HerdCli.OK;
  }
}
