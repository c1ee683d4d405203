package dev.herd.kube;

import dev.herd.engine.EngineUnreachable;
import dev.herd.spec.EngineTarget;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Opens the cluster an environment names: the kubeconfig from {@code KUBECONFIG} (its first
 * file) or {@code ~/.kube/config}, the context asked for (else the current one), and a check
 * that the namespace exists, so that a bad target is one clear line before anything is applied.
 */
public final class KubeConnect {
  private KubeConnect() {}

  /** The kubeconfig file herd reads. */
  static Path kubeconfig(Map<String, String> env, String home) {
    String k = env.get("KUBECONFIG");
    if (k != null && !k.isBlank()) {
      return Path.of(k.split(File.pathSeparator)[0]);
    }
    return Path.of(home, ".kube", "config");
  }

  /** A client for the target's context, or a refusal naming what is missing. Checks nothing on the server. */
  public static KubernetesClient client(EngineTarget.Kubernetes target, Map<String, String> env, String home) {
    Path file = kubeconfig(env, home);
    if (!Files.isRegularFile(file)) {
      throw new EngineUnreachable("kubernetes: no kubeconfig at " + file
          + (env.containsKey("KUBECONFIG") ? " (from KUBECONFIG)" : " (set KUBECONFIG or create ~/.kube/config)"), null);
    }
    io.fabric8.kubernetes.api.model.Config parsed;
    try {
      parsed = KubeConfigUtils.parseConfig(file.toFile());
    } catch (RuntimeException e) {
      throw new EngineUnreachable("kubernetes: cannot read the kubeconfig " + file + ": " + e.getMessage(), e);
    }
    List<String> contexts = parsed.getContexts() == null ? List.of()
        : parsed.getContexts().stream().map(NamedContext::getName).toList();
    String context = target.context().orElse(parsed.getCurrentContext());
    if (context == null || context.isBlank()) {
      throw new EngineUnreachable("kubernetes: the kubeconfig " + file + " has no current context; name one in"
          + " environments.*.engine.kubernetes.context (it has: " + String.join(", ", contexts) + ")", null);
    }
    if (!contexts.contains(context)) {
      throw new EngineUnreachable("kubernetes: no context " + context + " in the kubeconfig " + file
          + " (it has: " + (contexts.isEmpty() ? "none" : String.join(", ", contexts)) + ")", null);
    }
    Config config;
    try {
      config = Config.fromKubeconfig(context, Files.readString(file), file.toString());
    } catch (java.io.IOException | RuntimeException e) {
      throw new EngineUnreachable("kubernetes: cannot use context " + context + " of " + file + ": " + e.getMessage(), e);
    }
    config.setNamespace(target.namespace());
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** The engine on the target's namespace, after checking the namespace exists. */
  public static KubernetesEngine engine(KubernetesClient client, EngineTarget.Kubernetes target, KubeFleets fleets, Clock clock) {
    try {
      if (client.namespaces().withName(target.namespace()).get() == null) {
        client.close();
        throw new EngineUnreachable("kubernetes: namespace " + target.namespace() + " does not exist on "
            + client.getMasterUrl() + " (herd never creates it)", null);
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() != 403) { // may not read namespaces: the first Pod call says more
        client.close();
        throw KubeErrors.of("read", "Namespace " + target.namespace(), e);
      }
    }
    return new KubernetesEngine(client, target.namespace(), fleets, clock);
  }
}
