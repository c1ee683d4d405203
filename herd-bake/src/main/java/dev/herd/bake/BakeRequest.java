package dev.herd.bake;

import dev.herd.spec.Spec;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One bake: a role of a loaded spec into the image store under {@code stateDir}.
 *
 * @param locked fail when package resolution differs from herd.lock (and when it is missing)
 * @param junitXml where to write the image tests' JUnit XML report, if wanted
 */
public record BakeRequest(Spec spec, String role, Path stateDir, boolean locked, Optional<Path> junitXml) {
  public BakeRequest {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(junitXml, "junitXml");
    spec.role(role); // fails early for an unknown role
  }
}
