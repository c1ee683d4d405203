package dev.herd.bake.tree;

import dev.herd.spec.ImageTest;
import dev.herd.spec.Location;
import dev.herd.spec.Resource;
import java.util.Objects;

/**
 * Where something the bake acts on was declared, so every error and change can point back to
 * the spec: {@code herd.yaml:14:9: roles.web.resources[3]}.
 */
public record Origin(Location location, String keyPath) {
  public static final Origin UNKNOWN = new Origin(Location.UNKNOWN, "");

  public Origin {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(keyPath, "keyPath");
  }

  public static Origin of(Resource resource) {
    return new Origin(resource.location(), resource.keyPath());
  }

  public static Origin of(ImageTest test) {
    return new Origin(test.location(), test.keyPath());
  }

  /** "herd.yaml:14:9: roles.web.resources[3]" (or just the location when there is no key path). */
  @Override
  public String toString() {
    return keyPath.isEmpty() ? location.toString() : location + ": " + keyPath;
  }
}
