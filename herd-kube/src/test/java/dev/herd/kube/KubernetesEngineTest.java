package dev.herd.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herd.engine.EngineEvent;
import dev.herd.engine.EngineFailure;
import dev.herd.engine.EngineUnreachable;
import dev.herd.engine.ImageSource;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.NodeRef;
import dev.herd.engine.NodeSpec;
import dev.herd.engine.Subscription;
import dev.herd.spec.EngineTarget;
import dev.herd.spec.Location;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the API server refuses, and what the Pod status says, as herd sees it on the mock server. */
class KubernetesEngineTest {
  static final String NS = "shop";
  static final ImageSource IMAGE = new ImageSource("sha256:" + "cd".repeat(32), ImageSource.Format.OCI_ARCHIVE, out -> {});
  @TempDir Path dir;
  MockCluster cluster;
  KubernetesEngine engine;

  @BeforeEach
  void open() {
    cluster = new MockCluster(NS, true);
    engine = new KubernetesEngine(cluster.newClient(), NS, KubeFleets.PLAIN, Clock.systemUTC());
    engine.ensureImage(IMAGE);
  }

  @AfterEach
  void close() {
    engine.close();
    cluster.close();
  }

  NodeSpec spec(String node) throws Exception {
    Path config = Files.createDirectories(dir.resolve(node));
    Files.writeString(config.resolve("config.json"), "{\"GREETING\":\"hi\"}");
    return NodeSpec.builder().project("shop").fleet("web").node(node).releaseId("r1").imageDigest(IMAGE.digest())
        .port(8080).configDir(config).secret("db_password", "pw-123456".getBytes(StandardCharsets.UTF_8)).build();
  }

  static String status(int code, String reason, String message) {
    return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"" + reason + "\",\"code\":" + code
        + ",\"message\":\"" + message.replace("\"", "\\\"") + "\"}";
  }

  void assertNothingLeft() {
    assertThat(cluster.admin.pods().inNamespace(NS).list().getItems()).isEmpty();
    assertThat(cluster.admin.secrets().inNamespace(NS).list().getItems()).isEmpty();
    assertThat(cluster.admin.configMaps().inNamespace(NS).list().getItems()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "RBAC      | 403 | Forbidden    | pods is forbidden: User \"ci\" cannot create resource \"pods\" in API group \"\" in the namespace \"shop\" | kubernetes: cannot create Pod shop/shop-web-1-g1: forbidden by RBAC: herd's user may not create it",
      "quota     | 403 | Forbidden    | pods \"shop-web-1-g1\" is forbidden: exceeded quota: compute, requested: limits.memory=64Mi, used: limits.memory=1Gi, limited: limits.memory=1Gi | kubernetes: cannot create Pod shop/shop-web-1-g1: quota exceeded (pods \"shop-web-1-g1\" is forbidden: exceeded quota: compute",
      "invalid   | 422 | Invalid      | Pod \"shop-web-1-g1\" is invalid: spec.containers[0].image: Required value | kubernetes: cannot create Pod shop/shop-web-1-g1: the server refused it as invalid (Pod \"shop-web-1-g1\" is invalid: spec.containers[0].image: Required value)",
      "namespace | 404 | NotFound     | namespaces \"shop\" not found | kubernetes: cannot create Pod shop/shop-web-1-g1: the namespace does not exist (herd never creates it",
  })
  void aRefusedPodIsOneLineNamingItAndNothingIsLeftHalfApplied(String what, int code, String reason, String message, String expected)
      throws Exception {
    cluster.server.expect().post().withPath("/api/v1/namespaces/shop/pods").andReturn(code, status(code, reason, message)).once();
    assertThatThrownBy(() -> engine.startNode(spec("web-1-g1")))
        .isInstanceOf(EngineFailure.class)
        .satisfies(e -> assertThat(e.getMessage()).as(what).startsWith(expected).doesNotContain("\n", "Exception"));
    assertNothingLeft();
  }

  @Test
  void aRefusedSecretTakesItsPodAndConfigMapBackWithIt() throws Exception {
    cluster.server.expect().post().withPath("/api/v1/namespaces/shop/secrets")
        .andReturn(403, status(403, "Forbidden", "secrets is forbidden: User \"ci\" cannot create resource \"secrets\"")).once();
    assertThatThrownBy(() -> engine.startNode(spec("web-1-g1")))
        .hasMessageStartingWith("kubernetes: cannot create Secret shop/shop-web-1-g1-secrets-")
        .hasMessageContaining("forbidden by RBAC");
    assertNothingLeft();
  }

  @Test
  void aConflictOnTheContentNamedConfigMapReusesItAndAPodConflictIsANameConflict() throws Exception {
    NodeSpec s = spec("web-1-g1");
    String cm = KubeObjects.configMap(NS, new KubeNode(s, Map.of("config.json", "{\"GREETING\":\"hi\"}".getBytes(StandardCharsets.UTF_8)),
        Optional.empty(), KubeFleets.PLAIN.image(s), Optional.empty(), true)).orElseThrow().getMetadata().getName();
    cluster.admin.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName(cm).endMetadata()
        .withImmutable(true).withData(Map.of("config.json", "{\"GREETING\":\"hi\"}")).build()).create();
    NodeInfo n = engine.startNode(s);
    assertThat(n.name()).isEqualTo("web-1-g1");
    assertThatThrownBy(() -> engine.startNode(s)).isInstanceOf(dev.herd.engine.NameConflict.class);
    assertThat(cluster.admin.configMaps().inNamespace(NS).list().getItems()).hasSize(1);
    assertThat(cluster.admin.pods().inNamespace(NS).list().getItems()).hasSize(1);
  }

  @Test
  void removingANodeRemovesItsSecretAndItsConfigMapUnlessAnotherNodeMountsIt() throws Exception {
    NodeInfo a = engine.startNode(spec("web-1-g1"));
    NodeInfo b = engine.startNode(spec("web-2-g1")); // the same files: the same content-named ConfigMap
    assertThat(cluster.admin.configMaps().inNamespace(NS).list().getItems()).hasSize(1);
    assertThat(engine.removeNode(a.ref())).isTrue();
    assertThat(cluster.admin.configMaps().inNamespace(NS).list().getItems()).as("web-2 still mounts it").hasSize(1);
    assertThat(cluster.admin.secrets().inNamespace(NS).list().getItems()).hasSize(1);
    assertThat(engine.removeNode(b.ref())).isTrue();
    assertNothingLeft();
  }

  @Test
  void quarantineTakesTheNodeOutOfItsServiceAndKeepsItRunning() throws Exception {
    NodeInfo a = engine.startNode(spec("web-1-g1"));
    NodeInfo b = engine.startNode(spec("web-2-g1"));
    assertThat(engine.capabilities().routesTraffic()).as("a fleet's Service sends its traffic to the Pods herd labels in service").isTrue();
    assertThat(cluster.admin.pods().inNamespace(NS).withLabel(KubeObjects.IN_SERVICE, "true").list().getItems())
        .as("a Pod starts out of its Service until herd puts it in").isEmpty();
    assertThat(engine.setInService(a.ref(), true)).isTrue();
    assertThat(engine.setInService(b.ref(), true)).isTrue();
    assertThat(engine.ensureService("shop", "web", KubeFixtures.expose())).isTrue();
    assertThat(engine.ensureService("shop", "web", KubeFixtures.expose())).as("already there").isFalse();
    assertThat(cluster.admin.services().inNamespace(NS).withName("shop-web").get().getSpec().getSelector())
        .containsEntry(KubeObjects.IN_SERVICE, "true");
    assertThat(engine.setInService(a.ref(), false)).isTrue();
    List<String> selected = cluster.admin.pods().inNamespace(NS).withLabels(
        KubeObjects.service(NS, "shop", "web", KubeFixtures.expose(), 8080).getSpec().getSelector())
        .list().getItems().stream().map(p -> p.getMetadata().getName()).toList();
    assertThat(selected).containsExactly("shop-web-2-g1");
    assertThat(engine.inspectNode(a.ref())).isPresent();
    assertThat(engine.setInService(new NodeRef("shop", "web-9-g1"), false)).isFalse();
  }

  @Test
  void readinessIsThePodsReadyConditionFromTheApiOrFromTheWatchCache() throws Exception {
    NodeInfo n = engine.startNode(spec("web-1-g1"));
    assertThat(engine.capabilities().probesFromHost()).as("a Pod is not reached over this host's loopback").isFalse();
    assertThat(engine.ready(n.ref())).as("without a watch: one GET").contains(true);
    cluster.ready("shop-web-1-g1", false);
    assertThat(engine.ready(n.ref())).contains(false);
    assertThat(engine.ready(new NodeRef("shop", "web-9-g1"))).isEmpty();
    try (Subscription sub = engine.events("shop", null, e -> {})) {
      // with a watch open, the answer comes from its cache and follows the kubelet's status updates
      cluster.ready("shop-web-1-g1", true);
      await().atMost(Duration.ofSeconds(30)).until(() -> engine.ready(n.ref()).orElse(false));
      cluster.ready("shop-web-1-g1", false);
      await().atMost(Duration.ofSeconds(30)).until(() -> !engine.ready(n.ref()).orElse(true));
      assertThat(engine.ready(new NodeRef("shop", "web-9-g1"))).isEmpty();
      engine.removeNode(n.ref());
      await().atMost(Duration.ofSeconds(30)).until(() -> engine.ready(n.ref()).isEmpty());
    }
  }

  @Test
  void thePodStatusTellsDriftAndTheWatchReportsRestartsAndDebugging() throws Exception {
    List<EngineEvent> events = new CopyOnWriteArrayList<>();
    try (Subscription sub = engine.events("shop", null, events::add)) {
      NodeInfo n = engine.startNode(spec("web-1-g1"));
      await().atMost(Duration.ofSeconds(30)).until(() -> events.stream().anyMatch(e -> e instanceof EngineEvent.Started));
      assertThat(engine.drift(n.ref())).isEmpty();

      Pod p = cluster.admin.pods().inNamespace(NS).withName("shop-web-1-g1").get();
      var cs = p.getStatus().getContainerStatuses().getFirst();
      cluster.admin.pods().inNamespace(NS).resource(new PodBuilder(p).editStatus().withContainerStatuses(
          new ContainerStatusBuilder(cs).withRestartCount(1).withImageID("docker.io/herd/web@sha256:" + "ee".repeat(32)).build())
          .endStatus().build()).updateStatus();
      await().atMost(Duration.ofSeconds(30)).until(() -> events.stream().anyMatch(e -> e instanceof EngineEvent.Restarted));
      assertThat(engine.drift(n.ref())).containsExactlyInAnyOrder(KubernetesEngine.Drift.IMAGE, KubernetesEngine.Drift.RESTARTED);

      cluster.debug("shop-web-1-g1");
      await().atMost(Duration.ofSeconds(30)).until(() -> events.stream().anyMatch(e -> e instanceof EngineEvent.Exec));
      assertThat(engine.drift(n.ref())).contains(KubernetesEngine.Drift.TAMPER);
    }
  }

  @Test
  void noKubeconfigAnUnknownContextAndAMissingNamespaceAreOneClearLine() throws Exception {
    EngineTarget.Kubernetes target = new EngineTarget.Kubernetes(Optional.of("prod"), "shop", Optional.empty(),
        Location.start(Path.of("herd.yaml")));
    assertThatThrownBy(() -> KubeConnect.client(target, Map.of("KUBECONFIG", dir.resolve("none").toString()), "/nonexistent"))
        .isInstanceOf(EngineUnreachable.class).hasMessage("kubernetes: no kubeconfig at " + dir.resolve("none") + " (from KUBECONFIG)");
    assertThatThrownBy(() -> KubeConnect.client(target, Map.of(), dir.toString()))
        .hasMessageStartingWith("kubernetes: no kubeconfig at " + dir.resolve(".kube/config"));

    Path kubeconfig = dir.resolve("config");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mock
          cluster: {server: "%s"}
        contexts:
        - name: dev
          context: {cluster: mock, user: me}
        current-context: dev
        users:
        - name: me
          user: {token: t}
        """.formatted(cluster.server.url("/")));
    assertThatThrownBy(() -> KubeConnect.client(target, Map.of("KUBECONFIG", kubeconfig.toString()), "/"))
        .isInstanceOf(EngineUnreachable.class).hasMessage("kubernetes: no context prod in the kubeconfig " + kubeconfig + " (it has: dev)");

    EngineTarget.Kubernetes elsewhere = new EngineTarget.Kubernetes(Optional.of("dev"), "payments", Optional.empty(),
        Location.start(Path.of("herd.yaml")));
    var client = KubeConnect.client(elsewhere, Map.of("KUBECONFIG", kubeconfig.toString()), "/");
    assertThatThrownBy(() -> KubeConnect.engine(client, elsewhere, KubeFleets.PLAIN, Clock.systemUTC()))
        .isInstanceOf(EngineUnreachable.class).hasMessageStartingWith("kubernetes: namespace payments does not exist on ");
    var ok = KubeConnect.client(new EngineTarget.Kubernetes(Optional.empty(), NS, Optional.empty(), Location.start(Path.of("herd.yaml"))),
        Map.of("KUBECONFIG", kubeconfig.toString()), "/");
    try (KubernetesEngine e = KubeConnect.engine(ok, new EngineTarget.Kubernetes(Optional.empty(), NS, Optional.empty(),
        Location.start(Path.of("herd.yaml"))), KubeFleets.PLAIN, Clock.systemUTC())) {
      assertThat(e.listNodes("shop")).isEmpty();
    }
  }
}
