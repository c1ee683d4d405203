package dev.herd.cli;

import dev.herd.control.Controller;
import dev.herd.control.ControllerConfig;
import dev.herd.engine.Engine;
import dev.herd.engine.EngineException;
import dev.herd.engine.docker.DockerApiEngine;
import dev.herd.engine.docker.EngineDiscovery;
import dev.herd.engine.docker.SecretFiles;
import dev.herd.server.ControllerLock;
import dev.herd.server.api.Api;
import dev.herd.server.client.ApiClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code herd down}: remove every node and stop the controller. With no controller running (it
 * was killed, or never stopped its nodes) the command removes the project's nodes itself, under
 * the controller's lock, and records the removals as a controller's down does.
 */
@Command(name = "down",
    header = "Stop the controller and remove every node (images and state stay).", mixinStandardHelpOptions = true,
    description = {"Stop the running controller and remove every node of the project (images and state are kept).",
      "With no controller running, remove the project's nodes directly and stop the podman service herd ran for it."})
public final class DownCommand implements Callable<Integer> {
  /** As long as the controller's own down gets: the engine may be gone, the command still ends. */
  static final Duration BOUND = Duration.ofSeconds(20);

  @Spec CommandSpec spec;
  @Mixin ProjectOptions project;

  @picocli.CommandLine.Option(names = "--delete-volumes",
      description = "Also delete the fleets' volumes (their data); without it they are kept and named.")
  boolean deleteVolumes;

  private final Function<Path, Engine> engines;

  public DownCommand() {
    this(DownCommand::engineFor);
  }

  /** @param engines opens the engine for a state directory (tests: a fake) */
  DownCommand(Function<Path, Engine> engines) {
    this.engines = engines;
  }

  @Override
  public Integer call() {
    Path state = ApiConnection.stateDir(project);
    try {
      ApiClient api = ApiClient.forStateDir(state, ApiConnection.TIMEOUT);
      Api.Done done = api.post("/v1/down" + (deleteVolumes ? "?delete_volumes=true" : ""), null, Api.Done.class);
      spec.commandLine().getOut().println(done.message());
      return HerdCli.OK;
    } catch (ApiClient.NoController e) {
      return withoutController(e);
    } catch (ApiClient.ApiFailure e) {
      throw ApiConnection.failure(e);
    }
  }

  /** No controller answers: remove the project's nodes here, as its down would have. */
  private int withoutController(ApiClient.NoController why) {
    PrintWriter out = spec.commandLine().getOut();
    dev.herd.spec.Spec s = project.loadSpec(null);
    Path state = project.stateDir(s.file());
    String name = s.project().name();
    if (!Controller.hasState(state)) {
      out.println("herd: no controller state in " + state + ": herd never ran project " + name + " here; nothing to remove");
      return HerdCli.OK;
    }
    ControllerLock lock;
    try {
      lock = ControllerLock.acquire(state);
    } catch (ControllerLock.AlreadyRunning e) {
      // a controller is starting (or did not answer): it owns the nodes; do not race it
      throw new CliFailure(HerdCli.ENVIRONMENT, e.getMessage() + "; run `herd down` again when it answers");
    }
    try (lock) {
      out.println("herd: no controller is running for " + name + " (" + why.getMessage() + "); removing its nodes directly");
      out.flush();
      Engine engine;
      try {
        engine = engines.apply(state);
      } catch (EngineException e) {
        throw new CliFailure(HerdCli.ENVIRONMENT, "engine: " + e.getMessage(), e);
      }
      Controller.DownResult result;
      boolean ownedService;
      try (engine) {
        ownedService = engine instanceof DockerApiEngine d && d.ownsService();
        // the front door too: HAProxy outlives a killed controller by design, and down stops it
        Controller controller = Controller.open(ControllerConfig.builder().stateDir(state).project(name)
            .ports(s.project().ports()).engine(engine).frontDoor("haproxy").build());
        result = controller.down(BOUND, deleteVolumes);
      }
      for (String node : result.removedNodes()) {
        out.println("removed " + node);
      }
      out.println("herd: down: " + result.removals());
      if (ownedService) {
        // the service a killed herd left (or the one this command started to reach podman)
        out.println("herd: stopped herd's podman service for " + name);
      }
      return result.notRemoved().isEmpty() ? HerdCli.OK : HerdCli.FAILED;
    }
  }

  /** The engine a controller for {@code state} would use; a podman service a killed herd left is adopted (and stopped on close). */
  private static Engine engineFor(Path state) {
    Map<String, String> env = System.getenv();
    EngineDiscovery.Result found = EngineDiscovery.standard(env, state, Duration.ofSeconds(30), true).discover();
    return DockerApiEngine.open(found, SecretFiles.defaultRoot(env));
  }
}
