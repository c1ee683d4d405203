package dev.herd.control.state;

import java.time.Instant;
import java.util.Objects;

/** One line a node wrote, kept in the central log store after the node is gone. */
public record NodeLog(Instant time, String fleet, String node, long generation, String stream, String text) {
  public NodeLog {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(fleet, "fleet");
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(text, "text");
  }
}
