package dev.herd.cli;

import dev.herd.kube.KubeConnect;
import dev.herd.kube.KubeFleets;
import dev.herd.kube.KubernetesEngine;
import dev.herd.spec.EngineTarget;
import dev.herd.spec.Fleet;
import dev.herd.spec.Spec;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kubernetes engine a controller drives when herd.yaml's fleets run on a cluster
 * ({@link Spec#engineTarget()}): herd up opens it instead of finding Podman or Docker. It answers
 * the cluster-only questions (image reference, probes, pull secret) from the spec the controller
 * applied last, and keeps one Service per exposed fleet after each apply. The controller sees
 * only herd's {@code Engine}.
 */
final class ClusterEngine {
  private static final Logger log = LoggerFactory.getLogger(ClusterEngine.class);

  private final KubernetesEngine engine;
  private final EngineTarget.Kubernetes target;
  private final AtomicReference<Spec> applied;

  private ClusterEngine(KubernetesEngine engine, EngineTarget.Kubernetes target, AtomicReference<Spec> applied) {
    this.engine = engine;
    this.target = target;
    this.applied = applied;
  }

  /** Opens the target's cluster from the kubeconfig ({@code KUBECONFIG} or ~/.kube/config); refuses a bad target plainly. */
  static ClusterEngine open(Spec spec, EngineTarget.Kubernetes target, Map<String, String> env, Clock clock) {
    KubernetesClient client = KubeConnect.client(target, env, System.getProperty("user.home"));
    return on(client, spec, target, clock);
  }

  /** On a client already made (tests: fabric8's mock server); checks that the namespace exists. */
  static ClusterEngine on(KubernetesClient client, Spec spec, EngineTarget.Kubernetes target, Clock clock) {
    AtomicReference<Spec> applied = new AtomicReference<>(Objects.requireNonNull(spec, "spec"));
    KubernetesEngine engine = KubeConnect.engine(client, target, KubeFleets.of(applied::get, target), clock);
    return new ClusterEngine(engine, target, applied);
  }

  KubernetesEngine engine() {
    return engine;
  }

  /**
   * Ties the engine to the controller's applies: the applier keeps to this cluster (a herd.yaml
   * moved to another engine is refused) and tells this engine each spec it applied.
   */
  void attachTo(dev.herd.server.SpecApplier applier) {
    applier.pinEngine(target);
    applier.onApplied(this::applied);
  }

  /**
   * What the controller just applied: later Pods get its probes and images, and each exposed
   * fleet has its Service (created when absent; one that exists is left as it is).
   */
  void applied(Spec spec) {
    applied.set(spec);
    for (Fleet f : spec.clusterFleets()) {
      if (f.expose().isPresent()) {
        try {
          if (engine.ensureService(spec.project().name(), f.name(), f.expose().get())) {
            log.info("fleet {}: created its Service in namespace {}", f.name(), target.namespace());
          }
        } catch (RuntimeException e) {
          log.warn("fleet {}: its Service could not be created: {}", f.name(), e.getMessage());
        }
      }
    }
  }
}
