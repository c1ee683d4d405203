package dev.herd.engine;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * A TCP socket a node's process listens on.
 *
 * @param address the bound address as an IP literal ({@code 0.0.0.0} and {@code ::} are every address)
 */
public record Listener(String address, int port) {
  public Listener {
    Objects.requireNonNull(address, "address");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0-65535, got " + port);
    }
  }

  /**
   * Whether only this host can connect: 127.0.0.0/8, ::1 or an IPv4-mapped loopback. A wildcard
   * or any other address is reachable from other machines (nodes share the host's network).
   */
  public boolean loopback() {
    try {
      // an IP literal: getByName parses it, no lookup (anything else is not loopback)
      return address.matches("[0-9a-fA-F.:]+") && InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
  }
}
