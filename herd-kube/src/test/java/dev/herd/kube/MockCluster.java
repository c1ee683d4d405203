package dev.herd.kube;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * fabric8's mock API server in CRUD mode on loopback, plus what a real cluster's other parts
 * would do, played by the test and said plainly here: a kubelet that marks a new Pod running
 * (its image ID the digest it asked for) and Ready (as if its readiness probe passed; {@link
 * #ready} turns that), and, on {@link #exit}, terminated with an exit code and not Ready;
 * and the garbage collector that deletes Secrets owned by a deleted Pod. Nothing else.
 */
public final class MockCluster implements AutoCloseable {
  public final KubernetesMockServer server;
  public final KubernetesClient admin;
  public final String namespace;
  private final SharedIndexInformer<Pod> kubelet;
  /** Pod name → exit code, applied by {@link #advance}. */
  private final Map<String, Integer> exitAfter = new ConcurrentHashMap<>();

  public MockCluster(String namespace, boolean kubeletOn) {
    this.namespace = namespace;
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, new KubernetesMixedDispatcher(responses), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    admin = server.createClient();
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
    kubelet = !kubeletOn ? null : admin.pods().inNamespace(namespace).inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null || pod.getStatus().getContainerStatuses().isEmpty()) {
          run(pod);
        }
      }

      @Override
      public void onUpdate(Pod oldPod, Pod newPod) {}

      @Override
      public void onDelete(Pod pod, boolean unknown) {
        collectGarbage(pod);
      }
    }, 0);
  }

  public KubernetesClient newClient() {
    return server.createClient();
  }

  private void run(Pod pod) {
    if (pod.getSpec() == null || pod.getSpec().getContainers().isEmpty()) {
      return;
    }
    var c = pod.getSpec().getContainers().getFirst();
    String image = c.getImage();
    String digest = image.substring(image.indexOf('@') + 1);
    String name = pod.getMetadata().getName();
    // the kubelet's log of the node: the program's start line, as the contract's SERVE prints it
    server.expect().get().withPath("/api/v1/namespaces/" + namespace + "/pods/" + name + "/log?pretty=false&container=" + c.getName()
        + "&timestamps=true").andReturn(200, Instant.now() + " herd-node-up\n").always();
    // edit re-reads the Pod: a status written on a stale copy would be refused as a conflict
    admin.pods().inNamespace(namespace).withName(name).editStatus(p -> new PodBuilder(p).withNewStatus().withPhase("Running")
        .withContainerStatuses(new ContainerStatusBuilder().withName(c.getName()).withImage(image)
            .withImageID("docker.io/" + image.substring(0, image.indexOf('@')) + "@" + digest).withRestartCount(0)
            .withReady(true).withNewState().withNewRunning().withStartedAt(Instant.now().toString()).endRunning().endState().build())
        .withConditions(readyCondition(true))
        .endStatus().build());
  }

  /** The container of {@code pod} exits with {@code code} when {@link #advance} is next called. */
  public void exitOnAdvance(String pod, int code) {
    exitAfter.put(pod, code);
  }

  public void advance(Duration d) {
    exitAfter.forEach((name, code) -> {
      // the kubelet may not have started it yet (it reacts to a watch, like a real one)
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
        Pod p = admin.pods().inNamespace(namespace).withName(name).get();
        return p != null && p.getStatus() != null && p.getStatus().getContainerStatuses() != null
            && !p.getStatus().getContainerStatuses().isEmpty();
      });
      exit(name, code);
      exitAfter.remove(name);
    });
  }

  /** What the kubelet reports when the node's process exits. */
  public void exit(String podName, int code) {
    Pod p = admin.pods().inNamespace(namespace).withName(podName).get();
    var cs = p.getStatus().getContainerStatuses().getFirst();
    Pod done = new PodBuilder(p).editStatus().withPhase(code == 0 ? "Succeeded" : "Failed")
        .withContainerStatuses(new ContainerStatusBuilder(cs).withReady(false).withNewState().withNewTerminated()
            .withExitCode(code).withReason(code == 137 ? "OOMKilled" : "Error")
            .withStartedAt(cs.getState().getRunning().getStartedAt()).withFinishedAt(Instant.now().toString())
            .endTerminated().endState().build())
        .withConditions(readyCondition(false))
        .endStatus().build();
    admin.pods().inNamespace(namespace).resource(done).updateStatus();
  }

  private static io.fabric8.kubernetes.api.model.PodCondition readyCondition(boolean ready) {
    return new io.fabric8.kubernetes.api.model.PodConditionBuilder().withType("Ready").withStatus(ready ? "True" : "False")
        .withLastTransitionTime(Instant.now().toString()).build();
  }

  /** What the kubelet reports when the Pod's readiness probe starts passing or failing. */
  public void ready(String podName, boolean ready) {
    admin.pods().inNamespace(namespace).withName(podName).editStatus(p -> new PodBuilder(p).editStatus()
        .withConditions(readyCondition(ready)).endStatus().build());
  }

  /** What {@code kubectl debug} does: an ephemeral container added to the Pod. */
  public void debug(String podName) {
    Pod p = admin.pods().inNamespace(namespace).withName(podName).get();
    admin.pods().inNamespace(namespace).resource(new PodBuilder(p).editSpec().addNewEphemeralContainer()
        .withName("debugger").withImage("busybox").endEphemeralContainer().endSpec().build()).update();
  }

  private void collectGarbage(Pod pod) {
    String uid = pod.getMetadata().getUid();
    for (Secret s : admin.secrets().inNamespace(namespace).list().getItems()) {
      if (s.getMetadata().getOwnerReferences() != null
          && s.getMetadata().getOwnerReferences().stream().anyMatch(o -> o.getUid() != null && o.getUid().equals(uid))) {
        admin.secrets().inNamespace(namespace).resource(s).delete();
      }
    }
  }

  @Override
  public void close() {
    if (kubelet != null) {
      kubelet.close();
    }
    admin.close();
    try {
      server.destroy();
    } catch (IllegalStateException e) {
      // the mock's Vert.x server may take longer than its own close timeout to drop the watch
      // connections on a loaded host; every test has made its checks by then
      if (!(e.getCause() instanceof java.util.concurrent.TimeoutException)) {
        throw e;
      }
      System.err.println("mock API server: slow to close (" + e.getMessage() + ")");
    }
  }
}
