package dev.herd.engine;

/** The node's host port is already taken (host networking: the port is the host's). */
public final class PortInUse extends EngineException {
  private final int port;

  public PortInUse(int port, String detail) {
    super("port " + port + " is already in use on the host" + (detail == null ? "" : " (" + detail + ")"), null);
    this.port = port;
  }

  public int port() {
    return port;
  }
}
