package dev.herd.control;

import dev.herd.control.state.NodeLog;
import java.time.Instant;
import java.util.Objects;

/** One line a node wrote, kept by the controller after the node is gone. */
public record NodeLogLine(Instant time, String fleet, String node, long generation, String stream, String text) {
  public NodeLogLine {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(fleet, "fleet");
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(text, "text");
  }

  static NodeLogLine of(NodeLog l) {
    return new NodeLogLine(l.time(), l.fleet(), l.node(), l.generation(), l.stream(), l.text());
  }
}
