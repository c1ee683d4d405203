package dev.herd.control.frontdoor;

import dev.herd.spec.Fleet;
import dev.herd.spec.IpLiteral;
import dev.herd.spec.Spec;
import dev.herd.spec.SpecError;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What herd.yaml cannot know about the host: the {@code bind} address must be one of the host's
 * and the port free. Checked before an apply changes anything; located like spec errors.
 */
public final class FrontDoorPreflight {
  private FrontDoorPreflight() {}

  /**
   * @param served addresses ({@code bind:port}) the project's own front door listens on now:
   *     taken by us, so not "in use"
   */
  public static List<SpecError> check(Spec spec, Set<String> served) {
    List<SpecError> out = new ArrayList<>();
    for (Fleet f : spec.fleets().values()) {
      if (f.expose().isEmpty()) {
        continue;
      }
      Fleet.Expose e = f.expose().get();
      String base = "fleets." + f.name() + ".expose.";
      InetAddress addr;
      try {
        addr = InetAddress.getByName(e.bind()); // an IP literal (checked at load): no lookup
      } catch (IOException x) {
        out.add(new SpecError(e.bindAt(), base + "bind", "not an address: " + e.bind()));
        continue;
      }
      if (!IpLiteral.isWildcard(e.bind()) && !onThisHost(addr)) {
        out.add(new SpecError(e.bindAt(), base + "bind", "this host has no address " + e.bind()
            + " (use 127.0.0.1, 0.0.0.0 or one of the host's addresses)"));
        continue;
      }
      if (served.contains(e.address())) {
        continue;
      }
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(addr, e.port()));
      } catch (IOException x) {
        out.add(new SpecError(e.portAt(), base + "port", e.address() + " is already in use on this host ("
            + (x.getMessage() == null ? "cannot bind" : x.getMessage().toLowerCase()) + ")"));
      }
    }
    return out;
  }

  private static boolean onThisHost(InetAddress a) {
    try {
      return a.isLoopbackAddress() || NetworkInterface.getByInetAddress(a) != null;
    } catch (IOException e) {
      return false;
    }
  }
}
