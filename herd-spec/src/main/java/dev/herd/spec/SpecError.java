package dev.herd.spec;

import java.util.Objects;

/**
 * One problem in a spec, rendered as {@code herd.yaml:12:17: roles.web.health.interval: message}
 * (the key path is left out for problems with the file as a whole).
 */
public record SpecError(Location location, String keyPath, String message) {
  public SpecError {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(keyPath, "keyPath");
    Objects.requireNonNull(message, "message");
  }

  public String render() {
    return location + ": " + (keyPath.isEmpty() ? "" : keyPath + ": ") + message;
  }

  @Override
  public String toString() {
    return render();
  }
}
