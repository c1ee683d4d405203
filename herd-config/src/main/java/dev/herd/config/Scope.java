package dev.herd.config;

import dev.herd.spec.Spec;
import java.util.Objects;
import java.util.TreeSet;

/** Where config and secrets live: one role in one environment ({@code prod/web}). */
public record Scope(String environment, String role) {
  public Scope {
    Objects.requireNonNull(environment, "environment");
    Objects.requireNonNull(role, "role");
  }

  /** The scope, if herd.yaml declares both the environment and the role. */
  public static Scope of(Spec spec, String environment, String role) {
    requireEnvironment(spec, environment);
    if (role == null || !spec.roles().containsKey(role)) {
      throw ConfigException.notFound("unknown role " + Texts.quote(role) + " in " + spec.file()
          + " (roles: " + String.join(", ", new TreeSet<>(spec.roles().keySet())) + ")");
    }
    return new Scope(environment, role);
  }

  static void requireEnvironment(Spec spec, String environment) {
    if (environment == null || !spec.environments().containsKey(environment)) {
      throw ConfigException.notFound("unknown environment " + Texts.quote(environment) + " in " + spec.file()
          + " (environments: " + String.join(", ", new TreeSet<>(spec.environments().keySet())) + ")");
    }
  }

  @Override
  public String toString() {
    return environment + "/" + role;
  }
}
