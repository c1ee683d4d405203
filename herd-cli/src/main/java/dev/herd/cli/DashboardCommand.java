package dev.herd.cli;

import dev.herd.server.api.Api;
import dev.herd.server.client.ApiClient;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code herd dashboard [--open]}: asks the running controller for a one-time login URL and
 * prints it (and opens it with xdg-open when asked and available). docs/dashboard.md.
 */
@Command(name = "dashboard",
    header = "Print a one-time login URL for the web dashboard.", mixinStandardHelpOptions = true,
    description = {"Asks the running controller for a URL of its web dashboard (/ui on the API's loopback port) that holds a"
        + " one-time login code: it works once, within two minutes, and gives that browser a session. --open also opens it."})
public final class DashboardCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ProjectOptions project;

  @Option(names = "--open", description = "Also open the URL with xdg-open (when it is installed).")
  boolean open;

  @Override
  public Integer call() {
    ApiClient api = ApiConnection.connect(project);
    Api.DashboardLogin login = ApiConnection.call(project, () -> api.post("/v1/ui/login", null, Api.DashboardLogin.class));
    PrintWriter out = spec.commandLine().getOut();
    out.println(login.url());
    out.println("(works once, until " + login.expiresAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
        + "; run herd dashboard again for another)");
    if (open) {
      out.println(openWith(findOnPath("xdg-open", System.getenv("PATH")), login.url()));
    }
    return HerdCli.OK;
  }

  /** What happened when opening: one line for the operator. */
  static String openWith(Optional<Path> opener, String url) {
    if (opener.isEmpty()) {
      return "cannot open a browser here: xdg-open is not installed (open the URL above yourself)";
    }
    try {
      Process p = new ProcessBuilder(opener.get().toString(), url).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        return "opening the URL with " + opener.get() + " (it is still starting the browser)";
      }
      return p.exitValue() == 0 ? "opened with " + opener.get()
          : opener.get() + " could not open it (exit " + p.exitValue() + "); open the URL above yourself";
    } catch (IOException e) {
      return "cannot run " + opener.get() + ": " + e.getMessage() + "; open the URL above yourself";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while opening the URL";
    }
  }

  /** The first executable {@code name} in the directories of {@code path} (a PATH value; null: none). */
  static Optional<Path> findOnPath(String name, String path) {
    if (path == null || path.isEmpty()) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir).resolve(name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
