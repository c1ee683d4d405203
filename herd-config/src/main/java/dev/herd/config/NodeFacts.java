package dev.herd.config;

import dev.herd.common.net.NodeHost;
import dev.herd.spec.Fleet;
import dev.herd.spec.Limits;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What a launch template may use about its node: {@code node.name}, {@code node.index} (1-based),
 * {@code node.port}, {@code node.host} (the address it listens on, 127.0.0.1), {@code node.fleet}, {@code node.memory_mb} and {@code node.cpus} (only when
 * the fleet has that limit).
 */
public record NodeFacts(String name, int index, int port, String fleet, OptionalLong memoryMb, OptionalDouble cpus) {
  public NodeFacts {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(fleet, "fleet");
    Objects.requireNonNull(memoryMb, "memoryMb");
    Objects.requireNonNull(cpus, "cpus");
  }

  /** The facts of node {@code index} of {@code fleet}, its limits taken from the fleet (already merged with the role's). */
  public static NodeFacts of(Fleet fleet, int index, int port) {
    Limits l = fleet.limits();
    return new NodeFacts(fleet.nodeName(index), index, port, fleet.name(),
        l.memoryBytes().isPresent() ? OptionalLong.of(l.memoryBytes().getAsLong() >> 20) : OptionalLong.empty(), l.cpus());
  }

  Map<String, Object> asMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("index", index);
    m.put("port", port);
    m.put("host", NodeHost.ADDRESS);
    m.put("fleet", fleet);
    memoryMb.ifPresent(v -> m.put("memory_mb", v));
    cpus.ifPresent(v -> m.put("cpus", v));
    return m;
  }
}
