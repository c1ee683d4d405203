package dev.herd.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KubeObjectsTest {
  static List<HasMetadata> objects() {
    return KubeObjects.forNodes("shop", KubeFixtures.fleet(), Map.of("web", KubeFixtures.expose()));
  }

  /** The exact YAML herd prints; a change of it is a change users see (and GitOps diffs show). */
  @Test
  void rendersTheGoldenYamlWithSecretsRedacted() throws IOException {
    String yaml = KubeYaml.print(objects(), false);
    Path golden = Path.of("src/test/resources/golden/web-fleet.yaml");
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target/web-fleet.actual.yaml"), yaml);
    assertThat(yaml).isEqualTo(Files.readString(golden));
    assertThat(yaml).doesNotContain(KubeFixtures.PASSWORD)
        .doesNotContain(java.util.Base64.getEncoder().encodeToString(KubeFixtures.PASSWORD.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void theSameNodesInAnotherOrderRenderTheSameBytes() {
    List<KubeNode> reversed = KubeFixtures.fleet().reversed();
    assertThat(KubeYaml.print(KubeObjects.forNodes("shop", reversed, Map.of("web", KubeFixtures.expose())), false))
        .isEqualTo(KubeYaml.print(objects(), false));
  }

  @Test
  void showSecretsPrintsTheValuesAndNothingElseDiffers() {
    String shown = KubeYaml.print(objects(), true);
    assertThat(shown).contains(java.util.Base64.getEncoder().encodeToString(KubeFixtures.PASSWORD.getBytes(StandardCharsets.UTF_8)))
        .doesNotContain(KubeObjects.REDACTED);
  }

  @Test
  void applyOrderIsConfigMapsSecretsPodsThenServicesAndPodsInNodeOrder() {
    assertThat(objects()).extracting(h -> h.getKind() + "/" + h.getMetadata().getName()).containsExactly(
        "ConfigMap/" + KubeObjects.configMapName(KubeFixtures.node("web-2", 3, false)),
        "Secret/" + KubeObjects.secretName(KubeFixtures.spec("web-2", 3)),
        "Secret/" + KubeObjects.secretName(KubeFixtures.spec("web-10", 1)),
        "Pod/shop-web-2-g3",
        "Pod/shop-web-10-g1",
        "Service/shop-web");
  }

  @Test
  void aPodIsLockedDownAsLocallyAndCarriesHerdsLabels() {
    Pod p = KubeObjects.pod("shop", KubeFixtures.node("web-3", 2, true));
    var c = p.getSpec().getContainers().getFirst();
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getRunAsUser()).isEqualTo(1000L);
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getImage()).isEqualTo("registry.example.com/shop/web@" + KubeFixtures.DIGEST);
    assertThat(c.getEnv()).noneMatch(e -> e.getValue().contains(KubeFixtures.PASSWORD));
    assertThat(c.getResources().getLimits()).containsKeys("memory", "cpu");
    assertThat(c.getResources().getLimits().get("cpu").toString()).isEqualTo("500m");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getLivenessProbe().getInitialDelaySeconds()).isEqualTo(10);
    assertThat(p.getSpec().getRestartPolicy()).isEqualTo("Never");
    assertThat(p.getSpec().getImagePullSecrets()).extracting(r -> r.getName()).containsExactly("shop-registry-lab");
    assertThat(p.getSpec().getVolumes()).filteredOn(v -> v.getEmptyDir() != null)
        .allSatisfy(v -> assertThat(v.getEmptyDir().getMedium()).isEqualTo("Memory"))
        .extracting(v -> v.getName()).contains("writable-1-var-cache-web", "scratch-tmp");
    assertThat(c.getVolumeMounts()).filteredOn(m -> m.getMountPath().equals("/run/secrets"))
        .singleElement().satisfies(m -> assertThat(m.getReadOnly()).isTrue());
    assertThat(p.getMetadata().getName()).isEqualTo("shop-web-3-g2");
    assertThat(p.getMetadata().getLabels()).containsEntry("herd.node", "web-3-g2").containsEntry("herd.generation", "2")
        .containsEntry(KubeObjects.IN_SERVICE, "true");
    assertThat(p.getMetadata().getAnnotations()).containsEntry("herd.release", "r7").doesNotContainKey("herd.image");
  }

  @Test
  void changedConfigIsANewConfigMapAndANewReleaseANewSecretName() {
    KubeNode a = KubeFixtures.node("web-1", 1, true);
    KubeNode b = new KubeNode(a.spec(), Map.of("config.json", "{}".getBytes(StandardCharsets.UTF_8)), a.health(), a.image(),
        a.pullSecret(), true);
    assertThat(KubeObjects.configMapName(a)).isNotEqualTo(KubeObjects.configMapName(b));
    ConfigMap cm = KubeObjects.configMap("shop", a).orElseThrow();
    assertThat(cm.getImmutable()).isTrue();
    Secret s1 = KubeObjects.secret("shop", a).orElseThrow();
    Secret s2 = KubeObjects.secret("shop", new KubeNode(a.spec().toBuilder().releaseId("r8").build(), a.configFiles(),
        a.health(), a.image(), a.pullSecret(), true)).orElseThrow();
    assertThat(s1.getImmutable()).isTrue();
    assertThat(s1.getMetadata().getName()).isNotEqualTo(s2.getMetadata().getName());
    // the same value under another release: the name says nothing about the value
    assertThat(s1.getMetadata().getName()).doesNotContain(KubeFixtures.PASSWORD);
  }

  @Test
  void theServiceSelectsOnlyInServiceNodesOfItsFleet() {
    var svc = KubeObjects.service("shop", "shop", "web", KubeFixtures.expose(), 8080);
    assertThat(svc.getSpec().getSelector()).containsExactlyInAnyOrderEntriesOf(Map.of("herd.managed", "true",
        "herd.project", "shop", "herd.fleet", "web", KubeObjects.IN_SERVICE, "true"));
    assertThat(svc.getSpec().getPorts().getFirst().getTargetPort().getIntVal()).isEqualTo(8080);
  }

  @Test
  void anImageOfAnotherDigestIsRefused() {
    KubeNode a = KubeFixtures.node("web-1", 1, true);
    assertThatThrownBy(() -> new KubeNode(a.spec(), Map.of(), Optional.empty(), "web@sha256:" + "00".repeat(32),
        Optional.empty(), true)).hasMessageContaining("must name the node's digest");
  }
}
