package dev.herd.control.frontdoor;

import dev.herd.spec.Fleet;
import java.util.List;
import java.util.Objects;

/**
 * One exposed fleet as HAProxy sees it: its listen address and the servers that get traffic.
 *
 * @param sticky a cookie keeps each client on the server that answered it first (canary
 *     {@code sticky: true}; http only)
 */
public record Backend(String fleet, Fleet.Expose expose, List<Server> servers, boolean sticky) {
  public Backend {
    Objects.requireNonNull(fleet, "fleet");
    Objects.requireNonNull(expose, "expose");
    servers = List.copyOf(servers);
    if (sticky && expose.protocol() != Fleet.Protocol.HTTP) {
      throw new IllegalArgumentException("fleet " + fleet + ": sticky needs protocol http (the cookie is HTTP)");
    }
  }

  public Backend(String fleet, Fleet.Expose expose, List<Server> servers) {
    this(fleet, expose, servers, false);
  }

  /** The cookie that keeps a client on its server. */
  public String cookie() {
    return "herd_" + fleet;
  }

  /** The HAProxy backend (and frontend) name of a fleet. */
  public static String nameOf(String fleet) {
    return "fleet_" + fleet;
  }

  public String name() {
    return nameOf(fleet);
  }
}
