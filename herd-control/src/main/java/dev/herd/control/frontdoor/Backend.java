package dev.herd.control.frontdoor;

import dev.herd.spec.Fleet;
import java.util.List;
import java.util.Objects;

/** One exposed fleet as HAProxy sees it: its listen address and the servers that get traffic. */
public record Backend(String fleet, Fleet.Expose expose, List<Server> servers) {
  public Backend {
    Objects.requireNonNull(fleet, "fleet");
    Objects.requireNonNull(expose, "expose");
    servers = List.copyOf(servers);
  }

  /** The HAProxy backend (and frontend) name of a fleet. */
  public static String nameOf(String fleet) {
    return "fleet_" + fleet;
  }

  public String name() {
    return nameOf(fleet);
  }
}
