package dev.herd.config;

import java.util.Objects;

/** Who a node is, as a node token proves it: the only scope a node's watch/API calls may read. */
public record NodeIdentity(String fleet, String node, String environment, String role) {
  public NodeIdentity {
    Objects.requireNonNull(fleet, "fleet");
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(environment, "environment");
    Objects.requireNonNull(role, "role");
  }

  public Scope scope() {
    return new Scope(environment, role);
  }
}
