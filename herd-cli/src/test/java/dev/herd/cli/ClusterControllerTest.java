package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herd.control.ControllerConfig;
import dev.herd.control.FleetStatus;
import dev.herd.control.NodeStatus;
import dev.herd.engine.ImageSource;
import dev.herd.engine.Labels;
import dev.herd.kube.MockCluster;
import dev.herd.server.ApiError;
import dev.herd.server.ControllerHost;
import dev.herd.server.ControllerLock;
import dev.herd.server.HerdServer;
import dev.herd.spec.EngineTarget;
import dev.herd.spec.Spec;
import dev.herd.spec.SpecLoader;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * herd's controller driving a cluster, wired as {@code herd up} wires it ({@link ClusterEngine}
 * under the {@link ControllerHost}), on fabric8's mock API server in CRUD mode with
 * {@link MockCluster} playing the kubelet (it marks a Pod running and Ready; the test turns
 * Ready off or deletes Pods as a failing probe or an operator would). No real cluster runs here.
 */
class ClusterControllerTest {
  static final String NS = "shop";
  static final String V1 = "sha256:" + "a1".repeat(32);
  static final String V2 = "sha256:" + "b2".repeat(32);
  static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;
  MockCluster cluster;
  ClusterEngine engine;
  ControllerHost host;
  volatile String digest = V1;

  @BeforeEach
  void start() throws Exception {
    Files.writeString(dir.resolve("herd.yaml"), """
        project: {name: shop, ports: 29800-29899}
        roles:
          web:
            base: {scratch: {}}
            command: [/srv/web, "--port=${PORT}"]
            health: {http: {path: /healthz}, interval: 1s, timeout: 500ms, start_grace: 2s, failure_threshold: 2}
        environments:
          prod:
            engine: {kubernetes: {namespace: shop}}
        fleets:
          web: {role: web, environment: prod, count: 3, rollout: {max_surge: 1, max_unavailable: 0, min_healthy_time: 0s}}
        """);
    Spec spec = SpecLoader.load(dir.resolve("herd.yaml")).orThrow();
    assertThat(spec.engineRefusal()).isEmpty();
    cluster = new MockCluster(NS, true);
    engine = ClusterEngine.on(cluster.newClient(), spec, (EngineTarget.Kubernetes) spec.engineTarget(), Clock.systemUTC());
    Path state = dir.resolve(".herd");
    // no prober given: the controller chooses by the engine's capabilities, as under herd up
    ControllerConfig config = ControllerConfig.builder().stateDir(state).project("shop").ports(spec.project().ports())
        .engine(engine.engine()).images(d -> new ImageSource(d, ImageSource.Format.OCI_ARCHIVE, out -> {})).build();
    host = ControllerHost.start(ControllerLock.acquire(state), config, dir.resolve("herd.yaml"), s -> Map.of("web", digest),
        HerdServer.Options.of(state, "shop").withPort(0), null, Map.of());
    engine.attachTo(host.applier());
  }

  @AfterEach
  void stop() {
    if (host != null) {
      host.removeAllNodes();
      host.close();
    }
    if (engine != null) {
      engine.engine().close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  List<Pod> pods() {
    return cluster.admin.pods().inNamespace(NS).withLabel(Labels.FLEET, "web").list().getItems();
  }

  static String image(Pod p) {
    return p.getSpec().getContainers().getFirst().getImage();
  }

  static Set<String> names(List<Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
  }

  FleetStatus status() {
    return host.controller().status("web");
  }

  @Test
  void runsRollsAndHealsAFleetOnACluster() {
    host.apply();
    // three Pods, counted healthy from their Ready condition (a loopback probe would find nothing)
    await().atMost(WAIT).until(() -> status().healthy() == 3 && pods().size() == 3);
    List<Pod> first = pods();
    assertThat(first).allSatisfy(p -> assertThat(image(p)).endsWith("@" + V1));
    assertThat(names(first)).containsExactlyInAnyOrder("shop-web-1-g1", "shop-web-2-g1", "shop-web-3-g1");
    assertThat(cluster.admin.configMaps().inNamespace(NS).list().getItems()).as("each node's /etc/herd").hasSize(3);

    // a new release: Pods replaced one by one (surge 1), the old ones deleted with their ConfigMaps and Secrets
    digest = V2;
    host.apply();
    await().atMost(WAIT).until(() -> {
      List<Pod> now = pods();
      return now.size() == 3 && now.stream().allMatch(p -> image(p).endsWith("@" + V2)) && status().healthy() == 3
          && status().nodes().size() == 3;
    });
    assertThat(names(pods())).containsExactlyInAnyOrder("shop-web-1-g2", "shop-web-2-g2", "shop-web-3-g2");
    await().atMost(WAIT).until(() -> cluster.admin.configMaps().inNamespace(NS).list().getItems().size() == 3);
    assertThat(status().nodes()).extracting(NodeStatus::release).allSatisfy(r -> assertThat(r).isNotBlank());

    // deleted behind herd's back (kubectl delete pod): herd starts the node's next generation
    cluster.admin.pods().inNamespace(NS).withName("shop-web-2-g2").delete();
    await().atMost(WAIT).until(() -> names(pods()).contains("shop-web-2-g3") && pods().size() == 3 && status().healthy() == 3);
    assertThat(names(pods())).doesNotContain("shop-web-2-g2");
  }

  @Test
  void aPodWhoseReadinessFailsIsUnhealthyAndReplaced() {
    host.apply();
    await().atMost(WAIT).until(() -> status().healthy() == 3 && pods().size() == 3);
    // the kubelet's readiness probe starts failing in one Pod: herd counts it unhealthy, then replaces it
    cluster.ready("shop-web-3-g1", false);
    await().atMost(WAIT).until(() -> names(pods()).contains("shop-web-3-g2") && !names(pods()).contains("shop-web-3-g1")
        && status().healthy() == 3);
  }

  @Test
  void aPodThatExitsIsReplaced() {
    host.apply();
    await().atMost(WAIT).until(() -> status().healthy() == 3 && pods().size() == 3);
    cluster.exit("shop-web-1-g1", 1);
    await().atMost(WAIT).until(() -> names(pods()).contains("shop-web-1-g2") && !names(pods()).contains("shop-web-1-g1")
        && status().healthy() == 3);
  }

  @Test
  void oneEnvironmentOfAHerdYamlWithLocalFleetsToo() throws Exception {
    // the same herd.yaml also runs a dev fleet on the local engine: this controller (herd up -e prod) runs only prod's
    Files.writeString(dir.resolve("herd.yaml"), Files.readString(dir.resolve("herd.yaml"), StandardCharsets.UTF_8)
        .replace("environments:\n", "environments:\n  dev: {}\n")
        + "  web-dev: {role: web, environment: dev, count: 2}\n");
    Assertions.assertThatThrownBy(host::apply).isInstanceOf(ApiError.class).hasMessageContaining("one herd controller drives one engine");
    host.applier().onlyEnvironment("prod");
    host.apply();
    await().atMost(WAIT).until(() -> status().healthy() == 3 && pods().size() == 3);
    assertThat(host.controller().status()).extracting(FleetStatus::fleet).containsExactly("web");
    assertThat(cluster.admin.pods().inNamespace(NS).list().getItems()).hasSize(3);
  }

  static Set<String> inService(List<Pod> pods) {
    return pods.stream().filter(p -> "true".equals(p.getMetadata().getLabels().get(dev.herd.kube.KubeObjects.IN_SERVICE)))
        .map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
  }

  @Test
  void theServiceFollowsTheControllerReadyNodesInAndBlueGreenSwitchesOnce() throws Exception {
    Files.writeString(dir.resolve("herd.yaml"), Files.readString(dir.resolve("herd.yaml"), StandardCharsets.UTF_8).replace(
        "web: {role: web, environment: prod, count: 3, rollout: {max_surge: 1, max_unavailable: 0, min_healthy_time: 0s}}",
        "web: {role: web, environment: prod, count: 2, expose: {port: 8080},"
            + " rollout: {strategy: blue_green, min_healthy_time: 0s, blue_green: {remove_old_after: 30s}}}"));
    host.apply();
    await().atMost(WAIT).until(() -> status().healthy() == 2
        && inService(pods()).equals(Set.of("shop-web-1-g1", "shop-web-2-g1")));
    assertThat(cluster.admin.services().inNamespace(NS).withName("shop-web").get()).as("the fleet's Service").isNotNull();

    // a Pod whose readiness fails leaves the Service before herd replaces it
    cluster.ready("shop-web-2-g1", false);
    await().atMost(WAIT).until(() -> !inService(pods()).contains("shop-web-2-g1"));
    await().atMost(WAIT).until(() -> status().healthy() == 2 && inService(pods()).equals(Set.of("shop-web-1-g1", "shop-web-2-g2")));

    // blue/green: the green Pods start out of the Service and take all of it at once when both are ready;
    // the blue ones stay running (remove_old_after) but out of it
    digest = V2;
    host.apply();
    await().atMost(WAIT).until(() -> pods().stream().filter(p -> image(p).endsWith("@" + V2)).count() == 2
        && pods().stream().filter(p -> image(p).endsWith("@" + V2)).allMatch(p -> inService(pods()).contains(p.getMetadata().getName())));
    Set<String> green = pods().stream().filter(p -> image(p).endsWith("@" + V2)).map(p -> p.getMetadata().getName())
        .collect(Collectors.toSet());
    assertThat(inService(pods())).isEqualTo(green);
    assertThat(pods().stream().filter(p -> image(p).endsWith("@" + V1)).count()).as("blue still running").isEqualTo(2);
  }

  @Test
  void aHerdYamlMovedToTheLocalEngineIsRefusedWhileTheControllerDrivesTheCluster() throws Exception {
    host.apply();
    Files.writeString(dir.resolve("herd.yaml"), Files.readString(dir.resolve("herd.yaml"), StandardCharsets.UTF_8)
        .replace("engine: {kubernetes: {namespace: shop}}", "engine: {local: {}}"));
    Assertions.assertThatThrownBy(host::apply).isInstanceOf(ApiError.class).hasMessageContaining(
        "herd.yaml now runs its fleets on the local engine, but this controller drives Kubernetes namespace shop of the current"
            + " context: stop herd up and start it again to switch engines; nothing was changed");
  }
}
