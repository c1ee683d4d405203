package dev.herd.cli;

import dev.herd.control.ControllerConfig;
import dev.herd.db.Db;
import dev.herd.db.DbException;
import dev.herd.engine.Engine;
import dev.herd.engine.docker.DockerApiEngine;
import dev.herd.engine.docker.EngineDiscovery;
import dev.herd.engine.docker.SecretFiles;
import dev.herd.bake.BakeListener;
import dev.herd.bake.BakeRequest;
import dev.herd.bake.Baker;
import dev.herd.bake.base.RoleUpdates;
import dev.herd.image.Images;
import dev.herd.server.ApiError;
import dev.herd.server.BakedImages;
import dev.herd.server.RoleImages;
import dev.herd.server.CatalogImages;
import dev.herd.server.ControllerHost;
import dev.herd.server.ControllerLock;
import dev.herd.server.HerdServer;
import dev.herd.server.Rebaker;
import dev.herd.server.StoreImages;
import dev.herd.server.api.Api;
import dev.herd.server.api.ApiFiles;
import dev.herd.spec.EngineTarget;
import dev.herd.spec.Spec;
import dev.herd.spec.SpecError;
import dev.herd.spec.SpecLoader;
import dev.herd.spec.SpecResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code herd up [DIR]}: runs the controller and its API in the foreground, applies herd.yaml and
 * prints a line per event. Ctrl-C stops the controller and leaves the nodes running (they are
 * adopted by the next {@code herd up}) unless --down-on-exit; {@code herd down} removes them all.
 */
@Command(name = "up",
    header = "Run the fleet controller for a project in the foreground.", mixinStandardHelpOptions = true,
    description = {"Run the fleet controller for a project in the foreground: find the container engine,",
      "start the controller and its API on 127.0.0.1, apply herd.yaml, print events as they happen.",
      "Ctrl-C stops the controller and leaves nodes running; `herd down` removes them."})
public final class UpCommand implements Callable<Integer> {
  @Mixin ProjectOptions project;
  @picocli.CommandLine.Spec CommandSpec command;

  @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "Project directory holding herd.yaml.")
  Path dir;

  @Option(names = {"--down-on-exit", "--down"}, description = "On Ctrl-C, also remove every node.")
  boolean downOnExit;

  @Option(names = "--no-bake", description = {"Run the images already baked (each fleet's image: resolved in the catalog);",
      "by default apply bakes the roles whose inputs changed first."})
  boolean noBake;

  @Option(names = "--fresh-state", description = {"Start over when herd.db is empty (0 bytes): remove it and begin a new",
      "project state. Without it an empty herd.db is refused; a herd.db with content is never touched."})
  boolean freshState;

  @Option(names = {"-e", "--environment"}, paramLabel = "ENV", description = {"Run only the fleets of this environment (one",
      "herd.yaml, one controller per engine: e.g. dev on Podman, prod on a cluster; give each its own --state)."})
  String environment;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "0",
      description = "The API's port on 127.0.0.1 (default: any free port; clients find it in .herd/api.json).")
  int port;

  private final Map<String, String> env;

  public UpCommand() {
    this(System.getenv());
  }

  UpCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = command.commandLine().getOut();
    PrintWriter err = command.commandLine().getErr();
    Path specFile = project.specFile(dir);
    Spec spec = load(specFile, environment, err);
    if (spec == null) {
      return HerdCli.FAILED;
    }
    Path state = project.stateDir(specFile);
    ControllerLock lock;
    try {
      lock = ControllerLock.acquire(state);
    } catch (ControllerLock.AlreadyRunning e) {
      throw new CliFailure(HerdCli.FAILED, e.getMessage());
    }
    Resources r = new Resources(lock);
    Path logFile = OperatorLog.toFile(state);
    out.println("herd: log at " + logFile);
    try {
      checkState(state, out);
      String engineName;
      ClusterEngine cluster = null;
      if (spec.engineTarget() instanceof EngineTarget.Kubernetes k) {
        // the fleets run on a cluster: the controller drives the Kubernetes engine (docs/engine.md, "Kubernetes")
        cluster = ClusterEngine.open(spec, k, env, java.time.Clock.systemUTC(), state);
        r.engine = cluster.engine();
        engineName = cluster.engine().info().endpoint();
      } else {
        // the controller adopts a podman service a killed herd left running, and restarts it when it dies
        EngineDiscovery.Result found = EngineDiscovery.standard(env, state, Duration.ofSeconds(30), true).discover();
        if (found.endpoint().isEmpty()) {
          throw new CliFailure(HerdCli.ENVIRONMENT, "no container engine is usable (run `herd doctor` for why); install "
              + "Podman (scripts/install-host-deps) or set DOCKER_HOST");
        }
        DockerApiEngine engine = DockerApiEngine.open(found, SecretFiles.defaultRoot(env));
        r.engine = engine;
        engine.onServiceRestart(reason -> {
          ControllerHost host = r.host;
          if (host != null) {
            host.controller().engineRestarted(reason);
          }
        });
        engineName = found.endpoint().get().toString();
      }
      r.images = Images.open(state);
      CatalogImages catalogImages = new CatalogImages(r.images.catalog(), r.images.store());
      RoleImages roleImages = noBake ? catalogImages : new BakedImages(Baker.standard(r.images, Registries.logins(state)), state, catalogImages);
      ControllerConfig.Builder builder = ControllerConfig.builder().stateDir(state).project(spec.project().name())
          .ports(spec.project().ports()).engine(r.engine).images(new StoreImages(r.images.store()));
      if (cluster == null) {
        builder.frontDoor("haproxy"); // on a cluster an exposed fleet is reached through its Service, not a front door here
      }
      ControllerConfig config = builder.build();
      r.host = ControllerHost.start(lock, config, specFile, roleImages,
          HerdServer.Options.of(state, spec.project().name()).withPort(port), e -> {
            out.println(ApiText.event(e));
            out.flush();
          }, env);
      if (environment != null) {
        r.host.applier().onlyEnvironment(environment);
      }
      if (cluster != null) {
        cluster.attachTo(r.host.applier());
      } else {
        r.host.applier().pinEngine(EngineTarget.LOCAL);
      }
      if (!noBake && spec.roles().values().stream().anyMatch(role -> role.rebake().isPresent())) {
        Images images = r.images;
        Rebaker rebaker = new Rebaker(r.host.applier(), r.host.controller(), images.catalog(),
            (s, role, image) -> RoleUpdates.standard().check(Optional.of(role), images.sbom(image.digest())),
            (s, role) -> Baker.standard(images).bake(new BakeRequest(s, role, state, false, Optional.empty()), BakeListener.NONE)
                .image().ref(),
            Rebaker::gitUncommitted, java.time.Clock.systemUTC());
        r.rebakes = rebaker.schedule(Duration.ofMinutes(1));
      }
      out.println("herd: controller for " + spec.project().name() + " running; API at " + r.host.server().url()
          + " (token in " + ApiFiles.token(state) + "), engine " + engineName);
      out.flush();
      Api.Changes changes;
      try {
        changes = r.host.apply();
      } catch (ApiError e) {
        StringBuilder msg = new StringBuilder("cannot apply " + specFile + ": " + e.getMessage());
        e.details().forEach(d -> msg.append(System.lineSeparator()).append("  ").append(d));
        throw new CliFailure(HerdCli.FAILED, msg.toString());
      }
      ApiText.changes(out, changes);
      ValidateCommand.startOrder(spec).ifPresent(o -> out.println("herd: fleets start in order: " + o
          + " (each after the fleets it depends on are healthy)"));
      out.println("herd: Ctrl-C stops the controller" + (downOnExit ? " and removes every node" : " (nodes keep running)")
          + "; `herd down` removes every node and stops it");
      out.flush();
      Thread hook = new Thread(() -> r.close(downOnExit), "herd-up-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        String summary = r.host.server().stopRequested().get();
        out.println("herd: down: " + summary);
      } catch (ExecutionException e) {
        throw new IllegalStateException("waiting for the controller to stop failed", e.getCause());
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // The hook is running or will run; it closes everything.
        }
      }
      return HerdCli.OK;
    } finally {
      r.close(false);
    }
  }

  /**
   * Refuses an emptied or damaged herd.db before anything starts (the controller checks again
   * when it opens); with --fresh-state an empty one is removed first.
   */
  private void checkState(Path state, PrintWriter out) {
    Path file = Db.fileIn(state);
    try {
      if (freshState && Db.discardEmpty(file)) {
        out.println("herd: --fresh-state: removed the empty " + file + "; starting with a new project state");
      }
      try (Db db = Db.open(file)) {
        db.checkIntegrity();
      }
    } catch (DbException e) {
      throw new CliFailure(HerdCli.FAILED, e.getMessage());
    }
  }

  private static Spec load(Path specFile, String environment, PrintWriter err) {
    SpecResult result = SpecLoader.load(specFile);
    if (result instanceof SpecResult.Loaded l) {
      Spec spec = l.spec();
      if (environment != null) {
        try {
          spec = spec.onlyEnvironment(environment);
        } catch (IllegalArgumentException e) {
          err.println(specFile.getFileName() + ": " + e.getMessage() + "; nothing was started");
          return null;
        }
      }
      if (spec.engineRefusal().isPresent()) {
        err.println(spec.engineRefusal().get() + (environment == null ? " (or run one environment: herd up -e ENV)" : ""));
        err.println(specFile.getFileName() + ": nothing was started");
        return null;
      }
      return spec;
    }
    for (SpecError e : result.errors()) {
      err.println(e.render());
    }
    err.println(specFile.getFileName() + ": " + result.errors().size() + " error(s); nothing was started");
    return null;
  }

  /** Everything up opened, closed in reverse order exactly once (by the command or the Ctrl-C hook). */
  private static final class Resources {
    final ControllerLock lock;
    final AtomicBoolean closed = new AtomicBoolean();
    Engine engine;
    Images images;
    volatile ControllerHost host;
    AutoCloseable rebakes;

    Resources(ControllerLock lock) {
      this.lock = lock;
    }

    void close(boolean removeNodes) {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      try {
        if (rebakes != null) {
          try {
            rebakes.close();
          } catch (Exception e) {
            // a scheduler's shutdown does not fail; nothing to do if it did
          }
        }
        if (host != null) {
          if (removeNodes) {
            host.removeAllNodes();
          }
          host.close();
        }
      } finally {
        if (images != null) {
          images.close();
        }
        if (engine != null) {
          engine.close();
        }
        lock.close();
      }
    }
  }
}
