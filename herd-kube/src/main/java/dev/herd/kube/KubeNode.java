package dev.herd.kube;

import dev.herd.engine.NodeSpec;
import dev.herd.spec.Health;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One node as a cluster runs it: the engine's {@link NodeSpec} plus what only Kubernetes needs.
 *
 * @param configFiles the files of {@code /etc/herd} (name → bytes), shipped as a ConfigMap
 * @param health the role's health check, as readiness and liveness probes; empty: none
 * @param image what the kubelet pulls: {@code HOST/PATH/ROLE@sha256:…} or {@code ROLE@sha256:…}
 * @param pullSecret the Secret holding herd's registry credentials; empty: anonymous pulls
 * @param inService whether the fleet's Service sends it traffic (false for a quarantined node,
 *     and for a blue/green or canary node not switched in yet)
 */
public record KubeNode(
    NodeSpec spec, Map<String, byte[]> configFiles, Optional<Health> health, String image, Optional<String> pullSecret,
    boolean inService) {
  private static final Pattern FILE = Pattern.compile("[-._a-zA-Z0-9]{1,253}");

  public KubeNode {
    Objects.requireNonNull(spec, "spec");
    TreeMap<String, byte[]> files = new TreeMap<>();
    Objects.requireNonNull(configFiles, "configFiles").forEach((name, bytes) -> {
      if (!FILE.matcher(name).matches() || name.equals(".") || name.equals("..")) {
        throw new IllegalArgumentException("a ConfigMap key must be a plain file name, got: " + name);
      }
      files.put(name, Objects.requireNonNull(bytes, name).clone());
    });
    configFiles = Collections.unmodifiableMap(files);
    health = health == null ? Optional.empty() : health;
    Objects.requireNonNull(image, "image");
    if (!image.endsWith("@" + spec.imageDigest())) {
      throw new IllegalArgumentException("image " + image + " must name the node's digest " + spec.imageDigest());
    }
    pullSecret = pullSecret == null ? Optional.empty() : pullSecret;
  }

  /** The image a cluster pulls: {@code registry} (HOST/PATH, or empty) + role + digest. */
  public static String imageRef(Optional<String> registry, String role, String digest) {
    return registry.map(r -> r + "/" + role).orElse(role) + "@" + digest;
  }
}
