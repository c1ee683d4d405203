package dev.herd.config;

import java.util.Objects;

/** A healthy node another node may call: what discovery.json lists. */
public record Endpoint(String fleet, String node, String host, int port) {
  public Endpoint {
    Objects.requireNonNull(fleet, "fleet");
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(host, "host");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1-65535, got " + port);
    }
  }
}
