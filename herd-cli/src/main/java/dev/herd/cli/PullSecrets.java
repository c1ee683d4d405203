package dev.herd.cli;

import dev.herd.config.HerdConfig;
import dev.herd.config.Secret;
import dev.herd.kube.KubeObjects;
import dev.herd.spec.EngineTarget;
import dev.herd.spec.Registry;
import dev.herd.spec.Spec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * The image pull Secret of a cluster's registry ({@code kubernetes.io/dockerconfigjson}), made
 * from the credentials {@code herd login} stored: {@code herd up} applies it on the cluster and
 * {@code herd render kubernetes} prints it. Its values never reach a log or a message.
 */
final class PullSecrets {
  private PullSecrets() {}

  /** The registry of a cluster target when it names one with credentials; empty for anonymous pulls. */
  static Optional<Registry> credentialed(Spec spec, EngineTarget.Kubernetes target) {
    return target.registry().map(r -> spec.registries().get(r.substring(0, r.indexOf('/'))))
        .filter(r -> r != null && r.credentials().isPresent());
  }

  static io.fabric8.kubernetes.api.model.Secret of(HerdConfig cfg, Spec spec, String namespace, Registry r) {
    String name = r.credentials().orElseThrow();
    Secret stored = cfg.secrets().registryCredentials(r.name(), name).orElseThrow(() -> new CliFailure(HerdCli.FAILED,
        "registry " + r.name() + " needs credentials " + name + " and none are stored; run `herd login " + r.name() + "`"));
    byte[] v = stored.value();
    try {
      int nl = Registries.indexOf(v, (byte) '\n');
      if (nl <= 0) {
        throw new CliFailure(HerdCli.FAILED, "stored credentials of registry " + r.name() + " are damaged; run `herd login " + r.name() + "` again");
      }
      return KubeObjects.pullSecret(namespace, spec.project().name(), r.name(), r.host(),
          new String(v, 0, nl, StandardCharsets.UTF_8), Arrays.copyOfRange(v, nl + 1, v.length));
    } finally {
      Arrays.fill(v, (byte) 0);
    }
  }
}
