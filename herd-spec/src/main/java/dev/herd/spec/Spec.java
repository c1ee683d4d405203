package dev.herd.spec;

import java.nio.file.Path;
import java.util.Map;
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
    }
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

  public Environment environmentOf(Fleet fleet) {
    return environments.get(fleet.environment());
  }
}
