package dev.herd.engine.docker;

import dev.herd.engine.EngineException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds an engine: DOCKER_HOST, then a running Podman socket (rootful, then the user's), then
 * the Docker socket, and last starts {@code podman system service} on a private socket. Every
 * candidate's outcome is recorded so {@code herd doctor} can say why one was not used.
 */
public final class EngineDiscovery {
  private static final Logger log = LoggerFactory.getLogger(EngineDiscovery.class);

  public enum Outcome { USED, NOT_APPLICABLE, UNREACHABLE, NOT_TRIED }

  /** One strategy's fate. endpoint is null when it never got as far as having one. */
  public record Candidate(String strategy, int priority, String endpoint, Outcome outcome, String detail) {}

  /** What discovery found; {@code service} is set when this process owns herd's Podman service (started or adopted). */
  public record Result(Optional<Endpoint> endpoint, List<Candidate> candidates, Optional<PodmanService> service) {
    public Result {
      candidates = List.copyOf(candidates);
    }
  }

  private final List<EndpointStrategy> strategies;
  private final Ping ping;

  public EngineDiscovery(List<EndpointStrategy> strategies, Ping ping) {
    this.strategies = strategies.stream()
        .sorted(Comparator.comparingInt(EndpointStrategy::priority).reversed()).toList();
    this.ping = ping;
  }

  /**
   * The standard order for this host.
   *
   * @param env the process environment (DOCKER_HOST, XDG_RUNTIME_DIR, PATH)
   * @param stateDir where herd may put a podman socket; null to never start one
   */
  public static EngineDiscovery standard(Map<String, String> env, Path stateDir, Duration serviceTimeout) {
    return standard(env, stateDir, serviceTimeout, false);
  }

  /**
   * As {@link #standard(Map, Path, Duration)}; {@code controller} also adopts a podman service a
   * killed herd left running (the controller then supervises and stops it). Other commands only
   * share herd's running service or start a temporary one of their own.
   */
  public static EngineDiscovery standard(Map<String, String> env, Path stateDir, Duration serviceTimeout, boolean controller) {
    String xdg = env.get("XDG_RUNTIME_DIR");
    return new EngineDiscovery(List.of(
        new DockerHostStrategy(env.get("DOCKER_HOST")),
        new SocketStrategy("podman socket (rootful)", 90, Path.of("/run/podman/podman.sock"), null),
        new SocketStrategy("podman socket (user)", 80,
            xdg == null || xdg.isBlank() ? null : Path.of(xdg, "podman", "podman.sock"),
            "XDG_RUNTIME_DIR is not set"),
        new SocketStrategy("docker socket", 70, Path.of("/var/run/docker.sock"), null),
        new PodmanServiceStrategy(env.get("PATH"), stateDir, serviceTimeout, Ping.HTTP, controller)),
        Ping.HTTP);
  }

  public Result discover() {
    List<Candidate> out = new ArrayList<>();
    Endpoint found = null;
    PodmanService service = null;
    for (EndpointStrategy s : strategies) {
      if (found != null) {
        out.add(new Candidate(s.name(), s.priority(), null, Outcome.NOT_TRIED, "an earlier candidate answered"));
        continue;
      }
      Optional<String> why = s.notApplicable();
      if (why.isPresent()) {
        log.debug("engine candidate {}: not applicable ({})", s.name(), why.get());
        out.add(new Candidate(s.name(), s.priority(), null, Outcome.NOT_APPLICABLE, why.get()));
        continue;
      }
      Endpoint e;
      try {
        e = s.endpoint();
      } catch (EngineException ex) {
        log.debug("engine candidate {}: {}", s.name(), ex.getMessage());
        out.add(new Candidate(s.name(), s.priority(), null, Outcome.UNREACHABLE, ex.getMessage()));
        continue;
      }
      Optional<String> failure = ping.failure(e);
      if (failure.isPresent()) {
        log.debug("engine candidate {} at {}: {}", s.name(), e, failure.get());
        out.add(new Candidate(s.name(), s.priority(), e.toString(), Outcome.UNREACHABLE, failure.get()));
        continue;
      }
      found = e;
      if (s instanceof PodmanServiceStrategy p) {
        service = p.owned().orElse(null);
      }
      out.add(new Candidate(s.name(), s.priority(), e.toString(), Outcome.USED, s.usedDetail()));
    }
    return new Result(Optional.ofNullable(found), out, Optional.ofNullable(service));
  }
}
