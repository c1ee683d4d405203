package dev.herd.config;

import java.util.Comparator;
import java.util.List;

/**
 * The healthy endpoints of an environment at a revision. The controller owns discovery: it bumps
 * the revision whenever the set changes and publishes {@code ConfigWatch.Topic.discovery(env)}.
 */
public record Discovery(long revision, List<Endpoint> endpoints) {
  public static final Discovery EMPTY = new Discovery(0, List.of());

  public Discovery {
    if (revision < 0) {
      throw new IllegalArgumentException("revision must be >= 0, got " + revision);
    }
    endpoints = endpoints.stream()
        .sorted(Comparator.comparing(Endpoint::fleet).thenComparing(Endpoint::node).thenComparing(Endpoint::host)
            .thenComparingInt(Endpoint::port))
        .toList();
  }
}
