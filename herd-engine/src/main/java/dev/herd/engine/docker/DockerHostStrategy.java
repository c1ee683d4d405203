package dev.herd.engine.docker;

import java.net.URI;
import java.util.Optional;

/** {@code DOCKER_HOST}: the user said where the engine is, so it goes first. */
final class DockerHostStrategy implements EndpointStrategy {
  private final String value;

  DockerHostStrategy(String value) {
    this.value = value;
  }

  @Override
  public String name() {
    return "DOCKER_HOST";
  }

  @Override
  public int priority() {
    return 100;
  }

  @Override
  public Optional<String> notApplicable() {
    if (value == null || value.isBlank()) {
      return Optional.of("DOCKER_HOST is not set");
    }
    String scheme;
    try {
      scheme = URI.create(value.trim()).getScheme();
    } catch (IllegalArgumentException e) {
      return Optional.of("DOCKER_HOST is not a URI: " + value);
    }
    if (!"unix".equals(scheme) && !"tcp".equals(scheme)) {
      return Optional.of("DOCKER_HOST=" + value + ": only unix:// and tcp:// are supported");
    }
    return Optional.empty();
  }

  @Override
  public Endpoint endpoint() {
    return new Endpoint(URI.create(value.trim()), name());
  }
}
