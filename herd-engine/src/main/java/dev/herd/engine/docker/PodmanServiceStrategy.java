package dev.herd.engine.docker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Last resort: start {@code podman system service} on a socket in herd's state directory. */
final class PodmanServiceStrategy implements EndpointStrategy {
  static final String NAME = "start podman service";

  private final String path;
  private final Path stateDir;
  private final Duration timeout;
  private final Ping ping;
  private PodmanService started;

  PodmanServiceStrategy(String path, Path stateDir, Duration timeout, Ping ping) {
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
    started = PodmanService.start(podman().orElseThrow(), stateDir, timeout, ping);
    return started.endpoint();
  }

  @Override
  public boolean startsService() {
    return true;
  }

  Optional<PodmanService> started() {
    return Optional.ofNullable(started);
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
