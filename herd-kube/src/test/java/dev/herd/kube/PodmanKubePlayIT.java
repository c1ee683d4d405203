package dev.herd.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herd.engine.NodeSpec;
import dev.herd.engine.docker.BusyboxImage;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Pod, ConfigMap and Secret herd renders run for real with {@code podman kube play}: the
 * busybox test image (a hello-web-like node: busybox httpd serving /www) is loaded once under
 * the name the Pod asks for, by digest. The one change the test makes to what herd renders is a
 * {@code hostPort} on loopback so that the host can reach the node (a cluster reaches it through
 * the Service instead).
 */
class PodmanKubePlayIT {
  static final int HOST_PORT = 27010;
  static final String REPO = "localhost/herd-kube-it/web";
  static final String SECRET = "kube-it-pw-" + Long.toHexString(System.nanoTime());
  @TempDir Path dir;
  Path yaml;

  @org.junit.jupiter.api.BeforeEach
  @AfterEach
  void down() throws Exception {
    if (yaml != null) {
      run(List.of("podman", "kube", "down", yaml.toString()), true);
    }
    // kube play keeps a Secret as a podman secret; this test's (project kubeit) only
    for (String name : run(List.of("podman", "secret", "ls", "--format", "{{.Name}}"), true).lines().toList()) {
      if (name.startsWith("kubeit-")) {
        run(List.of("podman", "secret", "rm", name), true);
      }
    }
  }

  @Test
  void theRenderedNodeServesOnLoopbackWithAReadOnlyRootAndItsSecretOnlyAsAFile() throws Exception {
    BusyboxImage img = BusyboxImage.get();
    Path archive = dir.resolve("web.oci.tar");
    img.writeTo(archive);
    run(List.of("skopeo", "copy", "--quiet", "oci-archive:" + archive, "containers-storage:" + REPO + ":latest"), false);

    NodeSpec spec = NodeSpec.builder().project("kubeit").fleet("web").node("web-1-g1").releaseId("r1")
        .imageDigest(img.digest()).command("/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/www")
        .env("GREETING", "hello").writablePath("/var/cache/web").port(8080)
        .secret("db_password", SECRET.getBytes(StandardCharsets.UTF_8)).build();
    KubeNode node = new KubeNode(spec, Map.of("config.json", "{\"GREETING\":\"hello\"}\n".getBytes(StandardCharsets.UTF_8)),
        Optional.empty(), REPO + "@" + img.digest(), Optional.empty(), true);
    List<HasMetadata> objects = new ArrayList<>();
    for (HasMetadata o : KubeObjects.forNodes("kubeit", List.of(node), Map.of())) {
      if (o instanceof Pod p) {
        // the test's one addition: reach the node from the host on loopback
        o = new PodBuilder(p).editSpec().editFirstContainer().editFirstPort().withHostPort(HOST_PORT).withHostIP("127.0.0.1")
            .endPort().endContainer().endSpec().build();
      }
      objects.add(o);
    }
    yaml = dir.resolve("kubeit.yaml");
    Files.writeString(yaml, KubeYaml.print(objects, true));

    run(List.of("podman", "kube", "play", yaml.toString()), false);
    String container = "kubeit-web-1-g1-node";

    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + HOST_PORT + "/")).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString()).body().equals(BusyboxImage.INDEX_HTML));

    assertThat(run(List.of("podman", "inspect", "--format", "{{.HostConfig.ReadonlyRootfs}}", container), false).strip())
        .isEqualTo("true");
    assertThat(exec(container, "/bin/busybox", "touch", "/www/drift.txt").exit).as("the root is read-only").isNotZero();
    assertThat(exec(container, "/bin/busybox", "touch", "/var/cache/web/ok").exit).as("writable is a tmpfs").isZero();
    // Podman 4.3 (Debian 12) writes a Secret's data still base64-encoded into the file; a kubelet
    // decodes it. Either way the value is there as a file, and only there.
    String file = exec(container, "/bin/busybox", "cat", "/run/secrets/db_password").out;
    assertThat(file.equals(SECRET) || new String(java.util.Base64.getDecoder().decode(file.strip()), StandardCharsets.UTF_8).equals(SECRET))
        .as("/run/secrets/db_password holds the secret, got %s", file.length() + " bytes").isTrue();
    assertThat(run(List.of("podman", "inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", container), false))
        .doesNotContain(SECRET).contains("GREETING=hello");
    assertThat(exec(container, "/bin/busybox", "cat", "/etc/herd/config.json").out).contains("\"GREETING\":\"hello\"");
    String inspect = run(List.of("podman", "inspect", container), false) + run(List.of("podman", "pod", "inspect", "kubeit-web-1-g1"), false);
    assertThat(inspect).contains("/run/secrets");
    assertThat(inspect).doesNotContain(SECRET)
        .doesNotContain(java.util.Base64.getEncoder().encodeToString(SECRET.getBytes(StandardCharsets.UTF_8)));
  }

  record Result(int exit, String out) {}

  static Result exec(String container, String... cmd) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("podman", "exec", container));
    args.addAll(List.of(cmd));
    Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }

  static String run(List<String> args, boolean mayFail) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
    if (!mayFail) {
      assertThat(p.exitValue()).as(args + " said: " + out).isZero();
    }
    return out;
  }
}
