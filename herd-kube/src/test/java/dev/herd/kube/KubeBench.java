package dev.herd.kube;

import dev.herd.engine.ImageSource;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.NodeRef;
import dev.herd.engine.NodeSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * bench/kubernetes: API calls per rolling update of a 100-node fleet through herd's engine, beside
 * the client calls of a kubectl-rollout-equivalent Deployment update, both counted from the mock
 * server's request log; and one reconcile pass over 10,000 Pods from an informer cache.
 * Prints {@code key value} lines the script turns into the table.
 */
public final class KubeBench {
  static final ImageSource V1 = new ImageSource("sha256:" + "a1".repeat(32), ImageSource.Format.OCI_ARCHIVE, out -> {});
  static final ImageSource V2 = new ImageSource("sha256:" + "b2".repeat(32), ImageSource.Format.OCI_ARCHIVE, out -> {});

  public static void main(String[] args) throws Exception {
    int nodes = Integer.parseInt(args[0]);
    int cachePods = Integer.parseInt(args[1]);
    Path work = Files.createTempDirectory("herd-kube-bench");
    rollout(nodes, work);
    deployment(nodes);
    cache(cachePods);
    System.out.flush();
    Runtime.getRuntime().halt(0); // the mock server's event loop may still hold the watch
  }

  /** Each node's own /etc/herd, as herd's node files are (they name the node). */
  static NodeSpec spec(int i, long gen, ImageSource img, String release, Path work) throws java.io.IOException {
    Path config = Files.createDirectories(work.resolve("web-" + i + "-g" + gen));
    Files.writeString(config.resolve("config.json"), "{\"node\":\"web-" + i + "-g" + gen + "\",\"release\":\"" + release + "\"}");
    return NodeSpec.builder().project("bench").fleet("web").node("web-" + i + "-g" + gen).generation(gen).releaseId(release)
        .imageDigest(img.digest()).port(8080).configDir(config).command("/srv/web")
        .secret("db_password", ("pw-" + release).getBytes(StandardCharsets.UTF_8)).build();
  }

  /** herd's rolling update, one node at a time (max_surge 1): start the new generation, remove the old. */
  static void rollout(int n, Path work) throws Exception {
    try (MockCluster cluster = new MockCluster("bench", false);
         KubernetesEngine engine = new KubernetesEngine(cluster.newClient(), "bench", KubeFleets.PLAIN, Clock.systemUTC(), java.time.Duration.ZERO)) {
      engine.ensureImage(V1);
      engine.ensureImage(V2);
      for (int i = 1; i <= n; i++) {
        engine.startNode(spec(i, 1, V1, "r1", work));
      }
      drain(cluster);
      long t0 = System.nanoTime();
      for (int i = 1; i <= n; i++) {
        engine.startNode(spec(i, 2, V2, "r2", work));
        engine.removeNode(new NodeRef("bench", "web-" + i + "-g1"));
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      Map<String, Integer> byMethod = drain(cluster);
      int writes = byMethod.getOrDefault("POST", 0) + byMethod.getOrDefault("PUT", 0) + byMethod.getOrDefault("PATCH", 0)
          + byMethod.getOrDefault("DELETE", 0);
      int calls = byMethod.values().stream().mapToInt(Integer::intValue).sum();
      List<NodeInfo> after = engine.listNodes("bench", "web");
      if (after.size() != n || after.stream().anyMatch(x -> x.generation() != 2)) {
        throw new IllegalStateException("rollout left " + after.size() + " nodes");
      }
      System.out.println("herd.calls " + calls);
      System.out.println("herd.writes " + writes);
      System.out.println("herd.methods " + byMethod.toString().replace(" ", ""));
      System.out.println("herd.objects " + (cluster.admin.pods().inNamespace("bench").list().getItems().size()
          + cluster.admin.secrets().inNamespace("bench").list().getItems().size()
          + cluster.admin.configMaps().inNamespace("bench").list().getItems().size()));
      System.out.println("herd.ms " + ms);
    }
  }

  /**
   * What {@code kubectl set image deployment/web node=IMAGE} then {@code kubectl rollout status}
   * send: a GET and a PATCH of the Deployment (kubectl sends a strategic-merge patch; the mock takes
   * only a JSON merge patch; one request either way), then a watch of it. The Pods,
   * ReplicaSets and status updates are written by the cluster's controllers, which the mock does
   * not run: the script adds them by a stated model, not by count.
   */
  static void deployment(int n) throws Exception {
    MockCluster cluster = new MockCluster("bench", false);
    {
      KubernetesClient client = cluster.newClient();
      Deployment d = new DeploymentBuilder().withNewMetadata().withName("web").endMetadata().withNewSpec().withReplicas(n)
          .withNewSelector().addToMatchLabels("app", "web").endSelector()
          .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata().withNewSpec().addNewContainer()
          .withName("node").withImage("web@" + V1.digest()).endContainer().endSpec().endTemplate().endSpec().build();
      client.apps().deployments().inNamespace("bench").resource(d).create();
      drain(cluster);
      client.apps().deployments().inNamespace("bench").withName("web").get();
      client.apps().deployments().inNamespace("bench").withName("web").patch(PatchContext.of(PatchType.JSON_MERGE),
          "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"node\",\"image\":\"web@" + V2.digest() + "\"}]}}}}");
      var watch = client.apps().deployments().inNamespace("bench").withName("web").watch(new io.fabric8.kubernetes.client.Watcher<>() {
        @Override
        public void eventReceived(Action action, Deployment resource) {}

        @Override
        public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {}
      });
      // left open: closing a watch blocks the mock server's event loop (the JVM exits at the end)
      Map<String, Integer> byMethod = drain(cluster);
      int writes = byMethod.getOrDefault("POST", 0) + byMethod.getOrDefault("PUT", 0) + byMethod.getOrDefault("PATCH", 0)
          + byMethod.getOrDefault("DELETE", 0);
      System.out.println("deploy.calls " + byMethod.values().stream().mapToInt(Integer::intValue).sum());
      System.out.println("deploy.writes " + writes);
      System.out.println("deploy.methods " + byMethod.toString().replace(" ", ""));
    }
  }

  /** One reconcile pass over {@code n} Pods from the informer cache: list, map to nodes, compare with the release. */
  static void cache(int n) throws Exception {
    MockCluster cluster = new MockCluster("bench", false);
    {
      KubernetesClient writer = cluster.newClient();
      int fleets = Math.max(1, n / 100);
      for (int i = 0; i < n; i++) {
        int fleet = i % fleets;
        NodeSpec s = NodeSpec.builder().project("bench").fleet("f" + fleet).node("f" + fleet + "-" + (i / fleets + 1) + "-g1")
            .releaseId(i % 10 == 0 ? "r1" : "r2").imageDigest(V2.digest()).port(8080).build();
        KubeNode k = new KubeNode(s, Map.of(), java.util.Optional.empty(), KubeFleets.PLAIN.image(s), java.util.Optional.empty(), true);
        writer.pods().inNamespace("bench").resource(KubeObjects.pod("bench", k)).create();
      }
      try (KubeNodeCache cache = new KubeNodeCache(cluster.newClient(), "bench", "bench")) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofMinutes(5)).until(() -> cache.synced() && cache.size() == n);
        if (cache.size() != n) {
          throw new IllegalStateException("cache holds " + cache.size() + " of " + n);
        }
        List<Double> passes = new ArrayList<>();
        int stale = 0;
        for (int round = 0; round < 30; round++) {
          long t0 = System.nanoTime();
          stale = 0;
          for (int f = 0; f < fleets; f++) {
            for (NodeInfo node : cache.nodes("f" + f)) {
              if (!node.releaseId().equals("r2")) {
                stale++;
              }
            }
          }
          passes.add((System.nanoTime() - t0) / 1e6);
        }
        List<Double> measured = new ArrayList<>(passes.subList(5, passes.size())); // the first rounds warm the JIT
        measured.sort(Double::compare);
        System.out.println("cache.pods " + n);
        System.out.println("cache.fleets " + fleets);
        System.out.println("cache.stale " + stale);
        System.out.printf(java.util.Locale.ROOT, "cache.median_ms %.1f%n", measured.get(measured.size() / 2));
        System.out.printf(java.util.Locale.ROOT, "cache.max_ms %.1f%n", measured.getLast());
      }
    }
  }

  /** Requests the server saw since the last drain, by HTTP method. */
  static Map<String, Integer> drain(MockCluster cluster) throws InterruptedException {
    Map<String, Integer> byMethod = new TreeMap<>();
    RecordedRequest r;
    while ((r = cluster.server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
      byMethod.merge(r.getMethod(), 1, Integer::sum);
    }
    return byMethod;
  }
}
