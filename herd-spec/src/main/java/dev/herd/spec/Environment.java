package dev.herd.spec;

import java.util.Map;
import java.util.Objects;

/**
 * Where fleets run (dev, prod ...). {@code config} is the environment's initial plain config,
 * delivered at launch as env vars and files; secrets never live here (use {@code herd secret}).
 */
public record Environment(String name, String description, Map<String, String> config, Location location) {
  public Environment {
    Names.requireName("environment", name);
    Objects.requireNonNull(description, "description");
    config = Immutable.map(config);
    Objects.requireNonNull(location, "location");
  }
}
