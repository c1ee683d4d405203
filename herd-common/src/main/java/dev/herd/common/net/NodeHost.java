package dev.herd.common.net;

/**
 * The address every node listens on ({@code ${HOST}}, env {@code HOST}, {@code node.host}). Nodes
 * share the host's network namespace and herd publishes no ports, so a node bound here is
 * reachable from this host only: other machines reach a fleet through its front door. One
 * constant, because the engine, the launch templates and the drift check must agree on it.
 */
public final class NodeHost {
  private NodeHost() {}

  public static final String ADDRESS = "127.0.0.1";
}
