package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.config.Edit;
import dev.herd.config.HerdConfig;
import dev.herd.kube.MockCluster;
import dev.herd.spec.EngineTarget;
import dev.herd.spec.Spec;
import dev.herd.spec.SpecLoader;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code herd up} on a cluster applies the image pull Secret of its registry from the
 * credentials {@code herd login} stored, before any Pod needs it, and replaces it when they
 * change; fabric8's mock API server (CRUD mode) plays the cluster.
 */
class ClusterPullSecretTest {
  static final String NS = "shop";
  @TempDir Path dir;
  MockCluster cluster;
  ClusterEngine engine;
  Spec spec;
  Path state;

  @BeforeEach
  void start() throws Exception {
    Files.writeString(dir.resolve("herd.yaml"), """
        project: {name: shop, ports: 29700-29799}
        registries:
          lab: {url: "https://registry.example.com", credentials: lab-pull}
        roles:
          web:
            base: {scratch: {}}
            command: [/srv/web]
        environments:
          prod:
            engine: {kubernetes: {namespace: shop, registry: lab/shop}}
        fleets:
          web: {role: web, environment: prod, count: 1}
        """);
    spec = SpecLoader.load(dir.resolve("herd.yaml")).orThrow();
    state = dir.resolve(".herd");
    cluster = new MockCluster(NS, false);
    engine = ClusterEngine.on(cluster.newClient(), spec, (EngineTarget.Kubernetes) spec.engineTarget(), Clock.systemUTC(), state, Map.of());
  }

  @AfterEach
  void stop() {
    engine.engine().close();
    cluster.close();
  }

  void login(String user, String password) {
    try (HerdConfig cfg = HerdConfig.open(state, Map.of())) {
      cfg.secrets().setRegistryCredentials("lab", "lab-pull", (user + "\n" + password).getBytes(StandardCharsets.UTF_8), Edit.by("test"));
    }
  }

  Secret pullSecret() {
    return cluster.admin.secrets().inNamespace(NS).withName("shop-registry-lab").get();
  }

  static String auth(Secret s) {
    String json = new String(Base64.getDecoder().decode(s.getData().get(".dockerconfigjson")), StandardCharsets.UTF_8);
    return json;
  }

  @Test
  void withoutStoredCredentialsNothingIsAppliedAndTheApplyGoesOn() {
    engine.applied(spec);
    assertThat(pullSecret()).isNull();
  }

  @Test
  void theStoredCredentialsBecomeTheRegistrysPullSecretAndANewLoginReplacesIt() {
    login("puller", "s3cret-one");
    engine.applied(spec);
    Secret first = pullSecret();
    assertThat(first).isNotNull();
    assertThat(first.getType()).isEqualTo("kubernetes.io/dockerconfigjson");
    String basic = Base64.getEncoder().encodeToString("puller:s3cret-one".getBytes(StandardCharsets.UTF_8));
    assertThat(auth(first)).contains("registry.example.com").contains(basic);

    engine.applied(spec); // unchanged: left as it is
    assertThat(pullSecret().getMetadata().getResourceVersion()).isEqualTo(first.getMetadata().getResourceVersion());

    login("puller", "s3cret-two");
    engine.applied(spec);
    assertThat(auth(pullSecret())).contains(Base64.getEncoder().encodeToString("puller:s3cret-two".getBytes(StandardCharsets.UTF_8)))
        .doesNotContain(basic);
  }
}
