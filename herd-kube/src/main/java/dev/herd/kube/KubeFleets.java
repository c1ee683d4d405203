package dev.herd.kube;

import dev.herd.engine.NodeSpec;
import dev.herd.spec.Health;
import java.util.Optional;

/**
 * What the Kubernetes engine needs of a node beyond its {@link NodeSpec}, which the local engines
 * do not: where the cluster pulls the image from, the role's health check (as probes) and the
 * Secret holding herd's registry credentials. herd's spec answers these (see {@link #of}).
 */
public interface KubeFleets {
  /** {@code HOST/PATH/ROLE@sha256:…}: must end with the node's digest. */
  String image(NodeSpec node);

  Optional<Health> health(String fleet);

  Optional<String> pullSecret(String fleet);

  /** Images named {@code herd/FLEET@digest}, no probes, anonymous pulls: for tests and benchmarks. */
  KubeFleets PLAIN = new KubeFleets() {
    @Override
    public String image(NodeSpec node) {
      return "herd/" + node.fleet() + "@" + node.imageDigest();
    }

    @Override
    public Optional<Health> health(String fleet) {
      return Optional.empty();
    }

    @Override
    public Optional<String> pullSecret(String fleet) {
      return Optional.empty();
    }
  };

  /** The answers herd.yaml gives for the fleets of one cluster environment. */
  static KubeFleets of(dev.herd.spec.Spec spec, dev.herd.spec.EngineTarget.Kubernetes target) {
    return of(() -> spec, target);
  }

  /**
   * The answers of the spec {@code applied} gives now (a controller's: the last herd.yaml it
   * applied, so a changed health check reaches the next Pods); the target's registry is fixed.
   */
  static KubeFleets of(java.util.function.Supplier<dev.herd.spec.Spec> applied, dev.herd.spec.EngineTarget.Kubernetes target) {
    dev.herd.spec.Spec spec0 = applied.get();
    Optional<String> registry = target.registry().map(r -> {
      dev.herd.spec.Registry named = spec0.registries().get(r.substring(0, r.indexOf('/')));
      return named == null ? r : named.host() + r.substring(r.indexOf('/'));
    });
    Optional<String> pull = target.registry()
        .map(r -> spec0.registries().get(r.substring(0, r.indexOf('/'))))
        .filter(r -> r != null && r.credentials().isPresent())
        .map(r -> KubeObjects.pullSecretName(spec0.project().name(), r.name()));
    return new KubeFleets() {
      @Override
      public String image(NodeSpec node) {
        return KubeNode.imageRef(registry, applied.get().fleet(node.fleet()).role(), node.imageDigest());
      }

      @Override
      public Optional<Health> health(String fleet) {
        dev.herd.spec.Spec spec = applied.get();
        return spec.roleOf(spec.fleet(fleet)).health();
      }

      @Override
      public Optional<String> pullSecret(String fleet) {
        return pull;
      }
    };
  }
}
