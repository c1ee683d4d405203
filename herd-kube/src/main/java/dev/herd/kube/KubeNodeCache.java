package dev.herd.kube;

import dev.herd.engine.Labels;
import dev.herd.engine.NodeInfo;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * herd's Pods of one project as an informer keeps them: one list and one watch for the project,
 * then every reconcile round reads memory instead of the API server. Each Pod is turned into a
 * {@link NodeInfo} once, when the watch reports it changed, and kept by fleet and name, so a
 * round of one fleet costs that fleet's nodes and no conversion.
 */
public final class KubeNodeCache implements AutoCloseable {
  private final SharedIndexInformer<Pod> informer;
  private final String project;
  /** fleet → node name → node. */
  private final Map<String, ConcurrentSkipListMap<String, NodeInfo>> byFleet = new ConcurrentHashMap<>();

  public KubeNodeCache(KubernetesClient client, String namespace, String project) {
    this.project = Objects.requireNonNull(project, "project");
    informer = client.pods().inNamespace(namespace).withLabel(Labels.MANAGED, "true").withLabel(Labels.PROJECT, project)
        .runnableInformer(0);
    informer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        put(pod);
      }

      @Override
      public void onUpdate(Pod before, Pod after) {
        put(after);
      }

      @Override
      public void onDelete(Pod pod, boolean finalStateUnknown) {
        NodeInfo n = KubernetesEngine.toInfo(pod, KubeNodeCache.this.project);
        if (n != null) {
          var fleet = byFleet.get(n.fleet());
          if (fleet != null) {
            fleet.remove(n.name());
          }
        }
      }
    });
    informer.start().toCompletableFuture().join();
  }

  private void put(Pod pod) {
    NodeInfo n = KubernetesEngine.toInfo(pod, project);
    if (n != null) {
      byFleet.computeIfAbsent(n.fleet(), f -> new ConcurrentSkipListMap<>()).put(n.name(), n);
    }
  }

  /** The fleet's nodes as last seen by the watch, sorted by name. */
  public List<NodeInfo> nodes(String fleet) {
    var nodes = byFleet.get(fleet);
    return nodes == null ? List.of() : new ArrayList<>(nodes.values());
  }

  /** How many Pods the watch has reported (all fleets). */
  public int size() {
    return byFleet.values().stream().mapToInt(Map::size).sum();
  }

  /** True once the informer listed and the handlers saw every Pod it holds. */
  public boolean synced() {
    return informer.hasSynced() && size() == informer.getIndexer().list().size();
  }

  @Override
  public void close() {
    informer.close();
  }
}
