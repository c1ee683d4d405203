package dev.herd.control.frontdoor;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One node as a server of its fleet's backend.
 *
 * @param name unique per node instance ({@code web-2_18083}): a healed node with a new port is a new server
 * @param weight HAProxy weight 0-256 (canary shares are weights)
 */
public record Server(String name, String host, int port, int weight) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

  public Server {
    if (!NAME.matcher(Objects.requireNonNull(name, "name")).matches()) {
      throw new IllegalArgumentException("server name must be letters, digits, '_', '.', '-', got " + name);
    }
    Objects.requireNonNull(host, "host");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
    }
    if (weight < 0 || weight > 256) {
      throw new IllegalArgumentException("weight must be between 0 and 256, got " + weight);
    }
  }

  /** The server for node {@code node} listening on {@code host:port}, full weight. */
  public static Server of(String node, String host, int port) {
    return new Server(nameOf(node, port), host, port, 100);
  }

  /** A node's server name in its fleet's backend ({@code <node>_<port>}). */
  public static String nameOf(String node, int port) {
    return node + "_" + port;
  }

  public String address() {
    return host + ":" + port;
  }
}
