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
  /** Where {@code herd login}'s credentials are (the state directory), or null: no pull Secret is applied. */
  private final java.nio.file.Path stateDir;
  private final Map<String, String> env;

  private ClusterEngine(KubernetesEngine engine, EngineTarget.Kubernetes target, AtomicReference<Spec> applied,
      java.nio.file.Path stateDir, Map<String, String> env) {
    this.engine = engine;
    this.target = target;
    this.applied = applied;
    this.stateDir = stateDir;
    this.env = env;
  }

  /**
   * Opens the target's cluster from the kubeconfig ({@code KUBECONFIG} or ~/.kube/config); refuses
   * a bad target plainly. The image pull Secret comes from the credentials stored under {@code stateDir}.
   */
  static ClusterEngine open(Spec spec, EngineTarget.Kubernetes target, Map<String, String> env, Clock clock, java.nio.file.Path stateDir) {
    KubernetesClient client = KubeConnect.client(target, env, System.getProperty("user.home"));
    return on(client, spec, target, clock, stateDir, env);
  }

  /** On a client already made (tests: fabric8's mock server); checks that the namespace exists. No pull Secret. */
  static ClusterEngine on(KubernetesClient client, Spec spec, EngineTarget.Kubernetes target, Clock clock) {
    return on(client, spec, target, clock, null, Map.of());
  }

  static ClusterEngine on(KubernetesClient client, Spec spec, EngineTarget.Kubernetes target, Clock clock,
      java.nio.file.Path stateDir, Map<String, String> env) {
    AtomicReference<Spec> applied = new AtomicReference<>(Objects.requireNonNull(spec, "spec"));
    KubernetesEngine engine = KubeConnect.engine(client, target, KubeFleets.of(applied::get, target), clock);
    return new ClusterEngine(engine, target, applied, stateDir, env);
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
    applyPullSecret(spec);
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

  /**
   * The registry's image pull Secret, from {@code herd login}'s credentials, before any Pod
   * needs it: created, or replaced when the credentials changed. Missing credentials are a
   * warning naming {@code herd login} (Pods then fail to pull, which their events say).
   */
  private void applyPullSecret(Spec spec) {
    if (stateDir == null) {
      return;
    }
    PullSecrets.credentialed(spec, target).ifPresent(r -> {
      try (dev.herd.config.HerdConfig cfg = dev.herd.config.HerdConfig.open(stateDir, env)) {
        io.fabric8.kubernetes.api.model.Secret secret = PullSecrets.of(cfg, spec, target.namespace(), r);
        if (engine.applyPullSecret(secret)) {
          log.info("registry {}: image pull Secret {} applied in namespace {}", r.name(), secret.getMetadata().getName(),
              target.namespace());
        }
      } catch (CliFailure | dev.herd.config.ConfigException | dev.herd.engine.EngineException e) {
        log.warn("registry {}: image pull Secret not applied: {}", r.name(), e.getMessage());
      }
    });
  }
}
