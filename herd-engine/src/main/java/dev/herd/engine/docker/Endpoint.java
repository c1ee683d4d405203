package dev.herd.engine.docker;

import java.net.URI;
import java.util.Objects;

/** Where an engine answers ({@code unix:///run/podman/podman.sock}, {@code tcp://...}) and who found it. */
public record Endpoint(URI uri, String strategy) {
  public Endpoint {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(strategy, "strategy");
  }

  /** A unix socket on this host: host paths (secrets, config) can be bind-mounted. */
  public boolean local() {
    return "unix".equals(uri.getScheme());
  }

  @Override
  public String toString() {
    return uri.toString();
  }
}
