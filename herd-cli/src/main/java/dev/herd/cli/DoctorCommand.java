package dev.herd.cli;

import dev.herd.engine.EngineException;
import dev.herd.engine.EngineInfo;
import dev.herd.engine.ImageSource;
import dev.herd.engine.docker.DockerApiEngine;
import dev.herd.engine.docker.EngineDiscovery;
import dev.herd.engine.docker.SecretFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code herd doctor}: which engine herd would use and why the others were not, with the
 * engine's version, API version, runtime and cgroup manager, and what herd adapts to or cannot
 * do on it (its capabilities). Exit 0 when an engine is usable, 4 otherwise.
 */
@Command(
    name = "doctor",
    header = "Check the host: the container engine, the tools herd needs.",
    mixinStandardHelpOptions = true,
    description = {
      "Check the host: find the container engine (DOCKER_HOST, Podman socket, Docker socket,",
      "else a Podman service herd starts itself) and report its version, API version, runtime,",
      "cgroup manager, the image format herd sends it, and what herd cannot do on it."
    })
public final class DoctorCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ProjectOptions project;

  private final Map<String, String> env;
  private final Function<Path, EngineDiscovery> discovery;

  public DoctorCommand() {
    this(System.getenv(), null);
  }

  /** For tests: a given environment and discovery (null: the standard order for that environment). */
  DoctorCommand(Map<String, String> env, Function<Path, EngineDiscovery> discovery) {
    this.env = env;
    this.discovery = discovery != null
        ? discovery
        : state -> EngineDiscovery.standard(env, state, Duration.ofSeconds(30));
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Path state = stateDir();
    out.println("Container engine (candidates in the order herd tries them):");
    EngineDiscovery.Result result = discovery.apply(state).discover();
    for (EngineDiscovery.Candidate c : result.candidates()) {
      out.printf("  %-16s %-26s %s%n", label(c.outcome()), c.strategy(),
          (c.endpoint() == null ? "" : c.endpoint() + " — ") + c.detail());
    }
    if (result.endpoint().isEmpty()) {
      throw new CliFailure(HerdCli.ENVIRONMENT,
          "no container engine is usable; install Podman (scripts/install-host-deps) or set DOCKER_HOST");
    }
    Path secrets = SecretFiles.defaultRoot(env);
    try (DockerApiEngine engine = DockerApiEngine.open(result, secrets)) {
      EngineInfo info = engine.info();
      out.println();
      out.printf("  engine          %s %s (Docker API %s)%n", info.product(), info.version(), info.apiVersion());
      out.printf("  endpoint        %s%s%n", info.endpoint(),
          engine.ownsService() ? " (started by herd for this check; stopped when it ends)" : "");
      out.printf("  runtime         %s%n", info.runtime());
      out.printf("  cgroup manager  %s%n", info.cgroupManager());
      out.printf("  secrets         %s (%s)%n", secrets, fileStoreType(secrets));
      out.printf("  image format    %s%n", info.capabilities().loads().get(0) == ImageSource.Format.OCI_ARCHIVE
          ? "oci-archive" : "docker-archive");
      for (String note : info.capabilities().adaptations()) {
        out.printf("  adapts          %s%n", note);
      }
      List<String> gaps = info.capabilities().gaps();
      if (gaps.isEmpty()) {
        out.printf("  cannot          nothing known: events (exec included), diff, stats and logs work as herd needs%n");
      }
      for (String gap : gaps) {
        out.printf("  cannot          %s%n", gap);
      }
      out.println();
      out.println("ok: herd can run nodes here");
      return HerdCli.OK;
    } catch (EngineException e) {
      throw new CliFailure(HerdCli.ENVIRONMENT, "the engine at " + result.endpoint().get()
          + " answered a ping but failed: " + e.getMessage(), e);
    }
  }

  private static String label(EngineDiscovery.Outcome o) {
    return switch (o) {
      case USED -> "used";
      case NOT_APPLICABLE -> "not applicable";
      case UNREACHABLE -> "unreachable";
      case NOT_TRIED -> "not tried";
    };
  }

  /** The project's state dir when there is a project here, else a private directory for the check. */
  private Path stateDir() {
    if (project.state != null) {
      return project.state.toAbsolutePath().normalize();
    }
    try {
      return project.stateDir(project.specFile(null));
    } catch (CliFailure noProject) {
      try {
        String runtime = env.get("XDG_RUNTIME_DIR");
        Path base = runtime != null && !runtime.isBlank() ? Path.of(runtime) : Path.of(System.getProperty("java.io.tmpdir"));
        Path dir = base.resolve("herd-doctor");
        Files.createDirectories(dir);
        return dir;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static String fileStoreType(Path p) {
    Path existing = p;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    try {
      return existing == null ? "unknown" : Files.getFileStore(existing).type();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
