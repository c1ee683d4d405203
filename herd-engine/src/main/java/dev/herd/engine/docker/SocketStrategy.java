package dev.herd.engine.docker;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** An engine socket at a fixed path (the Podman and Docker defaults). */
final class SocketStrategy implements EndpointStrategy {
  private final String name;
  private final int priority;
  private final Path socket;
  private final String whyMissing;

  SocketStrategy(String name, int priority, Path socket, String whyMissing) {
    this.name = name;
    this.priority = priority;
    this.socket = socket;
    this.whyMissing = whyMissing;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int priority() {
    return priority;
  }

  @Override
  public Optional<String> notApplicable() {
    if (socket == null) {
      return Optional.of(whyMissing);
    }
    if (!Files.exists(socket)) {
      return Optional.of("no socket at " + socket);
    }
    if (Files.isRegularFile(socket) || Files.isDirectory(socket)) {
      return Optional.of(socket + " is not a socket");
    }
    return Optional.empty();
  }

  @Override
  public Endpoint endpoint() {
    return new Endpoint(URI.create("unix://" + socket), name);
  }
}
