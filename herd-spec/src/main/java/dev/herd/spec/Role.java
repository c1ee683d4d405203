package dev.herd.spec;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a node is. Baked once into an image; everything that varies per environment or node
 * comes from {@code launch} settings and the config service at launch time.
 *
 * @param packages extra Debian packages (a layer of their own); only with a Debian base
 * @param vars build-time template variables (environment-independent)
 * @param command the node's command (image Cmd); may refer to ${PORT} and ${HOST}; empty only for an
 *     image base, meaning the base image's own command
 * @param env static environment baked into the image (never secrets)
 * @param writable paths that stay writable (tmpfs) on the otherwise read-only root
 * @param launch per-node settings computed at launch (the "95% bake"), name → template
 * @param limits default limits for fleets of this role ({@link Limits#NONE} when unset)
 * @param reload how the role reloads changed files live (needed for on_config_change: reload)
 */
public record Role(
    String name,
    Base base,
    List<String> packages,
    Map<String, String> vars,
    List<Resource> resources,
    List<RunStep> run,
    List<String> command,
    Optional<String> user,
    Optional<String> workdir,
    Map<String, String> env,
    List<String> writable,
    Optional<Health> health,
    Map<String, String> launch,
    List<ImageTest> tests,
    SecretScan secretScan,
    Limits limits,
    Optional<Reload> reload,
    Optional<Rebake> rebake,
    Location location) {

  public Role {
    Names.requireName("role", name);
    Objects.requireNonNull(base, "base");
    packages = List.copyOf(packages);
    vars = Immutable.map(vars);
    resources = List.copyOf(resources);
    run = List.copyOf(run);
    command = List.copyOf(command);
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(workdir, "workdir");
    env = Immutable.map(env);
    writable = List.copyOf(writable);
    Objects.requireNonNull(health, "health");
    launch = Immutable.map(launch);
    tests = List.copyOf(tests);
    Objects.requireNonNull(secretScan, "secretScan");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(reload, "reload");
    Objects.requireNonNull(rebake, "rebake");
    Objects.requireNonNull(location, "location");
    if (!packages.isEmpty() && !(base instanceof Base.Debian)) {
      throw new IllegalArgumentException("role " + name + ": packages need a debian base");
    }
  }

}
