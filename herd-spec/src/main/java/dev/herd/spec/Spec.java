package dev.herd.spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A loaded herd.yaml: everything needed to bake roles and run fleets, with no nulls and every
 * default applied.
 *
 * @param file the absolute path of the herd.yaml it came from; {@code source} paths resolve
 *     against its directory
 * @param digest {@code sha256:<hex>} of the file's bytes, recorded as image lineage
 */
public record Spec(
    Project project,
    Map<String, Role> roles,
    Map<String, Environment> environments,
    Map<String, Fleet> fleets,
    Map<String, Registry> registries,
    Map<String, Channel> channels,
    Path file,
    String digest) {
  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

  public Spec {
    Objects.requireNonNull(project, "project");
    roles = Immutable.map(roles);
    environments = Immutable.map(environments);
    fleets = Immutable.map(fleets);
    registries = Immutable.map(registries);
    channels = Immutable.map(channels);
    Objects.requireNonNull(file, "file");
    if (!DIGEST.matcher(digest).matches()) {
      throw new IllegalArgumentException("digest must be sha256:<64 hex digits>, got " + digest);
    }
    for (Fleet f : fleets.values()) {
      if (!roles.containsKey(f.role())) {
        throw new IllegalArgumentException("fleet " + f.name() + " runs unknown role " + f.role());
      }
      if (!environments.containsKey(f.environment())) {
        throw new IllegalArgumentException("fleet " + f.name() + " is in unknown environment " + f.environment());
      }
      for (String d : f.dependsOn()) {
        if (!fleets.containsKey(d)) {
          throw new IllegalArgumentException("fleet " + f.name() + " depends on unknown fleet " + d);
        }
      }
    }
    startOrder(fleets);
  }

  /**
   * The order fleets start in on a first {@code herd up}: waves, each of the fleets whose
   * {@code depends_on} are all in earlier waves, in the order written ({@code [[db, cache],
   * [web]]}). Fleets of one wave start together.
   */
  public List<List<String>> startOrder() {
    return startOrder(fleets);
  }

  private static List<List<String>> startOrder(Map<String, Fleet> fleets) {
    List<List<String>> waves = new ArrayList<>();
    Set<String> placed = new HashSet<>();
    while (placed.size() < fleets.size()) {
      List<String> wave = fleets.values().stream().filter(f -> !placed.contains(f.name()))
          .filter(f -> placed.containsAll(f.dependsOn())).map(Fleet::name).toList();
      if (wave.isEmpty()) {
        throw new IllegalArgumentException("fleets depend on each other in a cycle: "
            + fleets.keySet().stream().filter(n -> !placed.contains(n)).toList());
      }
      waves.add(wave);
      placed.addAll(wave);
    }
    return List.copyOf(waves);
  }

  /** A spec without registries or channel settings. */
  public Spec(Project project, Map<String, Role> roles, Map<String, Environment> environments, Map<String, Fleet> fleets,
      Path file, String digest) {
    this(project, roles, environments, fleets, Map.of(), Map.of(), file, digest);
  }

  /** The project directory: where herd.yaml is. */
  public Path dir() {
    return file.toAbsolutePath().getParent();
  }

  /** A {@code source:} path from the spec, resolved against the project directory. */
  public Path resolve(String source) {
    return dir().resolve(source).normalize();
  }

  public Role role(String name) {
    Role r = roles.get(name);
    if (r == null) {
      throw new NoSuchElementException("no role " + name + " in " + file);
    }
    return r;
  }

  public Fleet fleet(String name) {
    Fleet f = fleets.get(name);
    if (f == null) {
      throw new NoSuchElementException("no fleet " + name + " in " + file);
    }
    return f;
  }

  public Role roleOf(Fleet fleet) {
    return role(fleet.role());
  }

  /** Fleets whose environment runs on a Kubernetes cluster ({@code engine.kubernetes}), in file order. */
  public java.util.List<Fleet> clusterFleets() {
    return fleets.values().stream().filter(f -> environments.get(f.environment()).kubernetes().isPresent()).toList();
  }

  /**
   * The one engine this project's fleets run on: the local engine, or the cluster namespace of
   * its Kubernetes environments. One controller drives one engine; a spec whose fleets need two
   * is refused by {@link #engineRefusal()} (call this only when that is empty).
   */
  public EngineTarget engineTarget() {
    java.util.List<Fleet> on = clusterFleets();
    return on.isEmpty() ? EngineTarget.LOCAL : environmentOf(on.getFirst()).kubernetes().orElseThrow();
  }

  /**
   * This spec with only the fleets of one environment ({@code herd up -e ENV}): the same roles,
   * environments and channels, so one herd.yaml can run {@code dev} on Podman and {@code prod} on a
   * cluster from two controllers. Refused with a plain reason (an {@link IllegalArgumentException})
   * for an unknown environment, one without fleets, or a kept fleet that depends on a dropped one.
   */
  public Spec onlyEnvironment(String environment) {
    Objects.requireNonNull(environment, "environment");
    if (!environments.containsKey(environment)) {
      throw new IllegalArgumentException("environment " + environment + " is not in " + file.getFileName()
          + " (it has " + String.join(", ", new java.util.TreeSet<>(environments.keySet())) + ")");
    }
    Map<String, Fleet> kept = new java.util.LinkedHashMap<>();
    for (Fleet f : fleets.values()) {
      if (f.environment().equals(environment)) {
        kept.put(f.name(), f);
      }
    }
    if (kept.isEmpty()) {
      throw new IllegalArgumentException("environment " + environment + " has no fleets in " + file.getFileName());
    }
    for (Fleet f : kept.values()) {
      for (String d : f.dependsOn()) {
        if (!kept.containsKey(d)) {
          throw new IllegalArgumentException("fleet " + f.name() + " (environment " + environment + ") depends on fleet " + d
              + " of environment " + fleets.get(d).environment() + ", which another controller runs");
        }
      }
    }
    return new Spec(project, roles, environments, kept, registries, channels, file, digest);
  }

  /**
   * Why one controller cannot run this spec, or empty: its fleets run on more than one engine
   * (some on the local engine and some on a cluster, or on two clusters, namespaces or registries).
   * Environments without fleets do not count.
   */
  public java.util.Optional<String> engineRefusal() {
    Fleet first = null;
    for (Fleet f : fleets.values()) {
      if (first == null) {
        first = f;
      } else if (!environmentOf(f).engine().sameEngine(environmentOf(first).engine())) {
        return java.util.Optional.of(mixed(first, f));
      }
    }
    return java.util.Optional.empty();
  }

  private String mixed(Fleet a, Fleet b) {
    return "fleet " + a.name() + " runs in environment " + a.environment() + " on " + environmentOf(a).engine().describe()
        + " and fleet " + b.name() + " in environment " + b.environment() + " on " + environmentOf(b).engine().describe()
        + ": one herd controller drives one engine; give each engine its own project directory (herd.yaml and .herd state)"
        + " (docs/engine.md, \"Kubernetes\")";
  }

  public Environment environmentOf(Fleet fleet) {
    return environments.get(fleet.environment());
  }
}
