package dev.herd.spec;

import java.util.Map;
import java.util.Objects;

/**
 * Where fleets run (dev, prod ...). {@code config} is the environment's initial plain config,
 * delivered at launch as env vars and files; secrets never live here (use {@code herd secret}).
 * {@code engine} says where its fleets' nodes run (the local engine unless it names a cluster).
 */
public record Environment(String name, String description, Map<String, String> config, EngineTarget engine, Location location) {
  public Environment {
    Names.requireName("environment", name);
    Objects.requireNonNull(description, "description");
    config = Immutable.map(config);
    engine = engine == null ? EngineTarget.LOCAL : engine;
    Objects.requireNonNull(location, "location");
  }

  /** An environment on the local engine. */
  public Environment(String name, String description, Map<String, String> config, Location location) {
    this(name, description, config, EngineTarget.LOCAL, location);
  }

  /** The Kubernetes target, when this environment runs on a cluster. */
  public java.util.Optional<EngineTarget.Kubernetes> kubernetes() {
    return engine instanceof EngineTarget.Kubernetes k ? java.util.Optional.of(k) : java.util.Optional.empty();
  }
}
