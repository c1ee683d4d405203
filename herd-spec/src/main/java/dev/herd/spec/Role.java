package dev.herd.spec;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a node is. Baked once into an image; everything that varies per environment or node
 * comes from {@code launch} settings and the config service at launch time.
 *
 * @param vars build-time template variables (environment-independent)
 * @param command the node's command (image Cmd); may refer to ${PORT}
 * @param writable paths that stay writable (tmpfs) on the otherwise read-only root
 * @param launch per-node settings computed at launch (the "95% bake"), name → template
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
    Location location) {}
