package dev.herd.control.health;

import dev.herd.engine.NodeRef;
import java.util.Objects;

/** The node a probe checks: it listens on 127.0.0.1:{@code port} (host networking). */
public record ProbeTarget(NodeRef ref, String fleet, String releaseId, int port) {
  public ProbeTarget {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(fleet, "fleet");
    Objects.requireNonNull(releaseId, "releaseId");
  }
}
