package dev.herd.control;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Whether a host port is free before herd leases it to a node. */
@FunctionalInterface
public interface PortCheck {
  boolean free(int port);

  /** Binds 127.0.0.1:port for a moment; nodes use host networking, so a taken port is taken. */
  PortCheck LOOPBACK = port -> {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  };
}
