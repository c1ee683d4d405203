package dev.herd.control;

import dev.herd.control.state.Release;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One release of a fleet as the controller's API gives it: what it pins.
 *
 * @param id {@code web:v3}
 * @param image the image digest
 * @param configRevision the config revision it pins (0: herd.yaml's config only)
 * @param secretRevisions secret name → revision (revisions only, never values)
 * @param env the env it gives nodes (the role's env and, for on_config_change: rolling, the config)
 */
public record ReleaseInfo(String id, String fleet, int version, String image, long configRevision,
    Map<String, Long> secretRevisions, Map<String, String> env, Instant createdAt) {
  public ReleaseInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(fleet, "fleet");
    Objects.requireNonNull(image, "image");
    secretRevisions = Map.copyOf(secretRevisions);
    env = Map.copyOf(env);
    Objects.requireNonNull(createdAt, "createdAt");
  }

  static ReleaseInfo of(Release r) {
    return new ReleaseInfo(r.id(), r.fleet(), r.version(), r.spec().imageDigest(), r.spec().configRevision(),
        r.spec().secretRevisions(), r.spec().runtime().env(), r.createdAt());
  }
}
