package dev.herd.control;

import dev.herd.control.state.FleetSettings;
import dev.herd.control.state.ReleaseSpec;
import dev.herd.control.state.RoleRuntime;
import dev.herd.spec.Environment;
import dev.herd.spec.Fleet;
import dev.herd.spec.Role;
import java.util.Map;
import java.util.Objects;

/** One fleet's desired state: its settings and what its release must pin. */
public record FleetDesired(FleetSettings settings, ReleaseSpec release) {
  public FleetDesired {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(release, "release");
    if (!settings.role().equals(release.runtime().role())) {
      throw new IllegalArgumentException("fleet " + settings.name() + " runs role " + settings.role()
          + " but its release pins role " + release.runtime().role());
    }
  }

  /**
   * The desired state of {@code fleet}: the role's command, writable paths and health check, the
   * fleet's effective limits and read-only root, the environment's config as env vars, the image
   * digest resolved for the fleet. Config revision 0 and no secrets until those services exist.
   */
  public static FleetDesired of(Fleet fleet, Role role, Environment environment, String imageDigest) {
    if (!fleet.role().equals(role.name())) {
      throw new IllegalArgumentException("fleet " + fleet.name() + " runs role " + fleet.role() + ", not " + role.name());
    }
    RoleRuntime runtime = new RoleRuntime(role.name(), role.command(), environment.config(), fleet.readOnlyRoot(),
        role.writable(), role.health(), fleet.limits().memoryBytes().orElse(0), fleet.limits().cpus().orElse(0), role.launch());
    return new FleetDesired(FleetSettings.of(fleet), new ReleaseSpec(imageDigest, 0, Map.of(), runtime));
  }

  public String name() {
    return settings.name();
  }

  /** The same desired state with the config service's revision (a new revision makes a new release). */
  public FleetDesired withConfigRevision(long revision) {
    return new FleetDesired(settings, new ReleaseSpec(release.imageDigest(), revision, release.secretRevisions(), release.runtime()));
  }

  /**
   * The same desired state pinning config {@code revision} of the config service, whose effective
   * config {@code env} (herd.yaml's overlaid by stored values) the nodes get as env vars.
   */
  public FleetDesired withConfig(long revision, Map<String, String> env) {
    RoleRuntime runtime = release.runtime().withEnv(env);
    return new FleetDesired(settings, new ReleaseSpec(release.imageDigest(), revision, release.secretRevisions(), runtime));
  }

  /** The same desired state with the secrets' revisions by secret name. */
  public FleetDesired withSecretRevisions(Map<String, Long> revisions) {
    return new FleetDesired(settings, new ReleaseSpec(release.imageDigest(), release.configRevision(), revisions, release.runtime()));
  }
}
