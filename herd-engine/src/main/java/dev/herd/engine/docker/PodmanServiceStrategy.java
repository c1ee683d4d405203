package dev.herd.engine.docker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Last resort: herd's own {@code podman system service} on a socket in its state directory: the
 * one already running there (the controller's, or one a killed herd left), else a new one.
 */
final class PodmanServiceStrategy implements EndpointStrategy {
  static final String NAME = "start podman service";

  private final String path;
  private final Path stateDir;
  private final Duration timeout;
  private final Ping ping;
  private final boolean adopt;
  private PodmanService.Acquired acquired;

  /** @param adopt take over a leftover service whose herd is gone (the controller); false: only share or start */
  PodmanServiceStrategy(String path, Path stateDir, Duration timeout, Ping ping, boolean adopt) {
    this.adopt = adopt;
    this.path = path;
    this.stateDir = stateDir;
    this.timeout = timeout;
    this.ping = ping;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return 10;
  }

  @Override
  public Optional<String> notApplicable() {
    if (stateDir == null) {
      return Optional.of("no state directory to put the socket in");
    }
    return podman().isPresent() ? Optional.empty() : Optional.of("podman is not on PATH");
  }

  @Override
  public Endpoint endpoint() {
    acquired = PodmanService.acquire(podman().orElseThrow(), stateDir, timeout, ping, adopt);
    return acquired.endpoint();
  }

  @Override
  public boolean startsService() {
    return true;
  }

  @Override
  public String usedDetail() {
    return acquired == null ? "answered ping" : acquired.detail();
  }

  /** The service this process owns after {@link #endpoint()}: started or adopted, not shared. */
  Optional<PodmanService> owned() {
    return acquired == null ? Optional.empty() : acquired.owned();
  }

  private Optional<String> podman() {
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(":")) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, "podman");
      if (Files.isExecutable(p)) {
        return Optional.of(p.toString());
      }
    }
    return Optional.empty();
  }
}
