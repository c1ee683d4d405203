package dev.herd.spec;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where an environment's nodes run ({@code environments.NAME.engine}): the local engine
 * (Podman or Docker, the default) or an existing Kubernetes cluster. The same roles, images and
 * releases run on either; only the engine differs.
 */
public sealed interface EngineTarget {
  /** The local Podman or Docker engine herd finds (docs/engine.md). */
  record Local() implements EngineTarget {}

  /**
   * A namespace of a Kubernetes cluster reached through a kubeconfig context.
   *
   * @param context the kubeconfig context; empty: the kubeconfig's current context
   * @param namespace the namespace herd's objects live in; herd never creates it
   * @param registry {@code REGISTRY/PATH} the cluster pulls images from ({@code REGISTRY} a key of
   *     registries or a host[:port]); empty: images are named by role and digest only, which a
   *     real cluster can pull only if its nodes already have them
   */
  record Kubernetes(Optional<String> context, String namespace, Optional<String> registry, Location location)
      implements EngineTarget {
    /** Kubernetes namespaces are DNS-1123 labels. */
    public static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    public static final String NAMESPACE_RULE = "a DNS label: lowercase letters, digits and '-', 1-63 characters, starting and ending with a letter or digit";
    /** What kubeconfig files use as context names in practice (kind, EKS ARNs, GKE ids). */
    public static final Pattern CONTEXT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@:/-]{0,252}");
    public static final String CONTEXT_RULE = "a kubeconfig context name (letters, digits and ._@:/-)";

    public Kubernetes {
      context = context == null ? Optional.empty() : context;
      context.ifPresent(c -> {
        if (!CONTEXT.matcher(c).matches()) {
          throw new IllegalArgumentException("context must be " + CONTEXT_RULE + ", got " + Texts.quote(c));
        }
      });
      Objects.requireNonNull(namespace, "namespace");
      if (!NAMESPACE.matcher(namespace).matches()) {
        throw new IllegalArgumentException("namespace must be " + NAMESPACE_RULE + ", got " + Texts.quote(namespace));
      }
      registry = registry == null ? Optional.empty() : registry;
      Objects.requireNonNull(location, "location");
    }
  }

  EngineTarget LOCAL = new Local();

  /**
   * Whether both name the same engine: the local one, or the same context, namespace and
   * registry of a cluster (where in herd.yaml they were written does not count).
   */
  default boolean sameEngine(EngineTarget other) {
    return key(this).equals(key(other));
  }

  /** For messages: "the local engine", "Kubernetes namespace shop of context lab pulling from lab/shop". */
  default String describe() {
    return switch (this) {
      case Local l -> "the local engine";
      case Kubernetes k -> "Kubernetes namespace " + k.namespace()
          + k.context().map(c -> " of context " + c).orElse(" of the current context")
          + k.registry().map(r -> " pulling from " + r).orElse("");
    };
  }

  private static String key(EngineTarget t) {
    return switch (t) {
      case Local l -> "local";
      case Kubernetes k -> "kubernetes\n" + k.context().orElse("") + "\n" + k.namespace() + "\n" + k.registry().orElse("");
    };
  }
}
