package dev.herd.config;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The healthy endpoints of an environment at a revision, and the front doors of its exposed
 * fleets. The controller owns discovery: it bumps the revision whenever either changes and
 * publishes {@code ConfigWatch.Topic.discovery(env)}.
 *
 * @param frontDoors fleet → the URL of its front door ({@code http://127.0.0.1:8080}), the one
 *     address a client should use instead of the node endpoints
 */
public record Discovery(long revision, List<Endpoint> endpoints, Map<String, String> frontDoors) {
  public static final Discovery EMPTY = new Discovery(0, List.of(), Map.of());

  public Discovery {
    if (revision < 0) {
      throw new IllegalArgumentException("revision must be >= 0, got " + revision);
    }
    endpoints = endpoints.stream()
        .sorted(Comparator.comparing(Endpoint::fleet).thenComparing(Endpoint::node).thenComparing(Endpoint::host)
            .thenComparingInt(Endpoint::port))
        .toList();
    frontDoors = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(frontDoors));
  }
}
