package dev.herd.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herd.engine.NodeInfo;
import dev.herd.engine.NodeRef;
import dev.herd.engine.NodeSpec;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The informer cache follows the watch: added, changed and removed Pods show in the next read, by fleet. */
class KubeNodeCacheTest {
  @Test
  void followsTheWatchByFleet() {
    try (MockCluster cluster = new MockCluster("shop", false);
         KubernetesEngine engine = new KubernetesEngine(cluster.newClient(), "shop", KubeFleets.PLAIN, Clock.systemUTC(), Duration.ZERO);
         KubeNodeCache cache = new KubeNodeCache(cluster.newClient(), "shop", "shop")) {
      engine.ensureImage(KubernetesEngineTest.IMAGE);
      for (String node : new String[] {"web-1-g1", "web-2-g1"}) {
        engine.startNode(NodeSpec.builder().project("shop").fleet("web").node(node).releaseId("r1")
            .imageDigest(KubernetesEngineTest.IMAGE.digest()).port(8080).build());
      }
      engine.startNode(NodeSpec.builder().project("shop").fleet("api").node("api-1-g1").releaseId("r1")
          .imageDigest(KubernetesEngineTest.IMAGE.digest()).port(8080).build());
      await().atMost(Duration.ofSeconds(30)).until(() -> cache.size() == 3);
      assertThat(cache.nodes("web")).extracting(NodeInfo::name).containsExactly("web-1-g1", "web-2-g1");
      assertThat(cache.nodes("api")).extracting(NodeInfo::name).containsExactly("api-1-g1");

      engine.setInService(new NodeRef("shop", "web-1-g1"), false);
      await().atMost(Duration.ofSeconds(30)).until(() ->
          "false".equals(cache.nodes("web").getFirst().labels().get(KubeObjects.IN_SERVICE)));
      engine.removeNode(new NodeRef("shop", "web-2-g1"));
      await().atMost(Duration.ofSeconds(30)).until(() -> cache.nodes("web").size() == 1);
      assertThat(cache.nodes("db")).isEmpty();
    }
  }
}
