package dev.herd.engine.contract;

import dev.herd.kube.KubeFleets;
import dev.herd.kube.KubernetesEngine;
import dev.herd.kube.MockCluster;

import dev.herd.engine.Engine;
import dev.herd.engine.ImageSource;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.NodeRef;
import dev.herd.engine.NodeSpec;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * The engine contract the fake and Podman engines pass, held by the Kubernetes engine against
 * fabric8's mock API server in CRUD mode ({@link MockCluster}: the kubelet and the garbage
 * collector are played by the test). The tests a cluster cannot pass are disabled here with the
 * reason; docs/engine.md ("Kubernetes") lists the same gaps.
 */
public class KubernetesEngineContractTest extends EngineContract {
  public static final ImageSource IMAGE = new ImageSource("sha256:" + "ab".repeat(32), ImageSource.Format.OCI_ARCHIVE,
      out -> out.write("never sent to a cluster".getBytes(StandardCharsets.UTF_8)));
  static final String NS = "herd-test";

  private MockCluster cluster;
  private int nextPort = 27000;

  @Override
  protected Engine openEngine() {
    cluster = new MockCluster(NS, true);
    return new KubernetesEngine(cluster.newClient(), NS, KubeFleets.PLAIN, Clock.systemUTC());
  }

  @Override
  protected void closeEngine(Engine e) {
    e.close();
    cluster.close();
  }

  @Override
  protected Clock clock() {
    return Clock.systemUTC();
  }

  @Override
  protected ImageSource testImage() {
    return IMAGE;
  }

  @Override
  protected NodeSpec withProgram(NodeSpec spec, Program program) {
    if (program == Program.EXIT_3_AFTER_1S) {
      cluster.exitOnAdvance(spec.ref().containerName(), 3);
    }
    return spec.toBuilder().command(program.name().toLowerCase()).build();
  }

  @Override
  protected void letTimePass(Duration d) {
    cluster.advance(d);
  }

  @Override
  protected void createForeignContainer(String name, Map<String, String> labels) {
    cluster.admin.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(name).withLabels(labels)
        .endMetadata().withNewSpec().addNewContainer().withName("app").withImage("busybox").endContainer().endSpec().build())
        .create();
  }

  @Override
  protected boolean containerExists(String name) {
    return cluster.admin.pods().inNamespace(NS).withName(name).get() != null;
  }

  @Override
  protected void removeForeignContainer(String name) {
    // the mock server is thrown away after each test
  }

  @Override
  protected void execByHand(NodeInfo node) {
    cluster.debug(node.ref().containerName());
  }

  @Override
  protected boolean writeByHand(NodeInfo node, String path) {
    throw new UnsupportedOperationException("no container runs on the mock server");
  }

  /** What the kubelet mounts at /run/secrets: the Secret the Pod names. */
  @Override
  protected Optional<byte[]> readSecretInNode(NodeInfo node, String name) {
    var pod = cluster.admin.pods().inNamespace(NS).withName(node.ref().containerName()).get();
    return pod.getSpec().getVolumes().stream().filter(v -> v.getSecret() != null).findFirst()
        .map(v -> cluster.admin.secrets().inNamespace(NS).withName(v.getSecret().getSecretName()).get())
        .map(Secret::getData).map(d -> d.get(name)).map(Base64.getDecoder()::decode);
  }

  @Override
  protected Optional<byte[]> readSecretInNodeAs(NodeInfo node, String name, int uid, int gid) {
    throw new UnsupportedOperationException("needs a kubelet");
  }

  @Override
  protected boolean secretsDirExists(NodeRef node) {
    return cluster.admin.secrets().inNamespace(NS).list().getItems().stream()
        .anyMatch(s -> s.getMetadata().getName().startsWith(node.containerName() + "-secrets-"));
  }

  @Override
  protected void makeNodeLog(NodeInfo node, String marker) {
    throw new UnsupportedOperationException("the mock server serves no Pod logs");
  }

  @Override
  protected int freePort() {
    return nextPort++;
  }

  static final String NO_VOLUMES = "fleet volumes are not built for clusters (KubernetesEngine refuses them)";
  static final String NO_EXEC = "herd does not use pods/exec on a cluster";

  @Override
  protected void createForeignVolume(String name) {
    throw new UnsupportedOperationException(NO_VOLUMES);
  }

  @Override
  protected void removeForeignVolume(String name) {
    throw new UnsupportedOperationException(NO_VOLUMES);
  }

  @Override
  protected Optional<byte[]> readFileInNode(NodeInfo node, String path) {
    throw new UnsupportedOperationException(NEEDS_KUBELET);
  }

  @Override
  protected Optional<byte[]> readFileInNodeAs(NodeInfo node, String path, int uid, int gid) {
    throw new UnsupportedOperationException(NO_EXEC);
  }

  @Override
  protected List<String> countCommand() {
    throw new UnsupportedOperationException(NO_EXEC);
  }

  @Override
  protected List<String> failingCommand() {
    throw new UnsupportedOperationException(NO_EXEC);
  }

  // ---- what a cluster cannot do, or the mock cannot show -------------------------------------

  static final String NOT_KEPT = "a cluster keeps no stopped Pod: stop deletes it after the grace period";
  static final String NEEDS_KUBELET = "needs a real kubelet (a process, a filesystem); run for real with podman kube play";

  @Override @Test @Disabled(NOT_KEPT) void nodeLifecycleCreateListInspectStopRemove() {}
  @Override @Test @Disabled(NOT_KEPT) void aFleetsListShowsOnlyItsNodesAndTheirCurrentState() {}
  @Override @Test @Disabled(NOT_KEPT) void stopWaitsTheGracePeriodForAProcessIgnoringTermThenKills() {}
  @Override @Test @Disabled(NOT_KEPT) void stopReturnsBeforeTheGracePeriodWhenTheProcessHonoursTerm() {}
  @Override @Test @Disabled("every Pod has its own address: there are no host ports to collide") void aTakenPortIsPortInUseAndLeavesNothingBehind() {}
  @Override @Test @Disabled("the Kubernetes API cannot signal a container") void aSignalReachesTheNodesProcessAndOnlyHerdsRunningNodes() {}
  @Override @Test @Disabled("the Kubernetes API cannot signal a container") void aNodeListedRunningGetsNoSignalOnceStoppedOrRemoved() {}
  @Override @Test @Disabled("the Kubernetes API has no filesystem diff") void diffReportsAHandWrittenFileAndNothingElse() {}
  @Override @Test @Disabled(NEEDS_KUBELET) void aReadOnlyRootRejectsWritesOutsideWritablePathsAndTmpfsIsNotDrift() {}
  @Override @Test @Disabled(NEEDS_KUBELET) void aReadOnlyRootHasScratchTmpfsAtRunTmpAndVarTmpOnEveryEngine() {}
  @Override @Test @Disabled(NEEDS_KUBELET) void aNodesSecretsAreReadByTheUserItRunsAsAndByNoOtherUser() {}
  @Override @Test @Disabled("the mock server serves no Pod logs (KubernetesEngineTest reads them from a scripted answer)") void logsAreStreamedWithFollowAndSince() {}
  @Override @Test @Disabled("herd does not read the metrics API yet") void statsReportMemoryAgainstTheLimit() {}
  @Override @Test @Disabled("herd does not read the metrics API yet") void statsMeasureTheCpuTimeABusyNodeUses() {}
  @Override @Test @Disabled(NO_VOLUMES) void aVolumeOutlivesItsNodeAndTheNextGenerationSeesItsFiles() {}
  @Override @Test @Disabled(NO_VOLUMES) void aVolumeInUseIsNotRemovedAndAFreeOneIs() {}
  @Override @Test @Disabled(NO_VOLUMES) void aForeignVolumeOfTheSameNameIsNeitherUsedNorRemoved() {}
  @Override @Test @Disabled(NO_VOLUMES) void anExportedVolumeRestoresIntoAFreshVolumeBeforeTheNodeStarts() {}
  @Override @Test @Disabled(NO_EXEC) void execWritesTheCommandsStdoutAndReportsItsExitCode() {}
  @Override @Test @Disabled(NO_EXEC) protected void aFileCopiedInIsReadByTheNodesUserOnlyAndRemovable() {}
}
