package dev.herd.bake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.image.Images;
import dev.herd.spec.Spec;
import dev.herd.spec.SpecLoader;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
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
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hello-web example baked with the real tools (mmdebstrap, podman) and checked with others
 * (umoci, skopeo): reproducible, cached per stage, runnable read-only, and refusing secrets.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BakeIT {
  private static final Path EXAMPLE = Path.of("..", "examples", "hello-web").toAbsolutePath().normalize();
  private static final String TEST_TAG = "localhost/herd-test/bakeit:web";

  @TempDir static Path tmp;
  static Path project;
  static Path cache;
  static Path state;
  static BakeResult first;

  @BeforeAll
  static void bakeOnce() throws IOException {
    project = copyExample(tmp.resolve("project"));
    cache = tmp.resolve("cache");
    state = tmp.resolve("state");
    first = bake(project, state, cache);
  }

  @AfterAll
  static void removeTestImage() throws Exception {
    new ProcessBuilder("podman", "rmi", "-f", TEST_TAG).redirectErrorStream(true).start().waitFor();
  }

  @Test
  @Order(1)
  void bakeEndsWithRoleVersionAndDigest() {
    assertThat(first.minted()).isTrue();
    assertThat(first.line()).matches("web:1 sha256:[0-9a-f]{64}");
    assertThat(first.layers()).isEqualTo(2); // base (busybox-static) + resources
  }

  @Test
  @Order(2)
  void umociAndSkopeoAcceptTheLayout() throws Exception {
    Path layout = state.resolve("images");
    Run skopeo = run("skopeo", "inspect", "oci:" + layout + ":web:1");
    assertThat(skopeo.code).as(skopeo.out).isZero();
    assertThat(skopeo.out).contains("\"Digest\": \"" + first.image().digest() + "\"").contains("dev.herd.role");
    Path bundle = tmp.resolve("bundle");
    Run umoci = run("umoci", "unpack", "--image", layout + ":web:1", bundle.toString());
    assertThat(umoci.code).as(umoci.out).isZero();
    assertThat(bundle.resolve("rootfs/srv/www/index.html")).content().contains("Hello");
    assertThat(bundle.resolve("rootfs/bin/busybox")).isRegularFile();
  }

  @Test
  @Order(3)
  void podmanRunsItWithAReadOnlyRoot() throws Exception {
    Path archive = tmp.resolve("web.tar");
    try (Images images = Images.open(state); OutputStream out = Files.newOutputStream(archive)) {
      images.exportDockerArchive(images.find(dev.herd.image.catalog.ImageRef.parse("web:1")), TEST_TAG, out);
    }
    assertThat(run("podman", "load", "-i", archive.toString()).code).isZero();
    int port = freePort();
    String name = "herd-test-bakeit-" + port;
    Run started = run("podman", "run", "-d", "--rm", "--name", name, "--label", "herd.test=1", "--network", "host",
        "--read-only", "-e", "PORT=" + port, TEST_TAG, "/bin/busybox", "httpd", "-f", "-p", "127.0.0.1:" + port, "-h", "/srv/www");
    assertThat(started.code).as(started.out).isZero();
    try {
      HttpClient http = HttpClient.newHttpClient();
      String body = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
          .until(() -> http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
              HttpResponse.BodyHandlers.ofString()).body(), b -> b.contains("Hello"));
      assertThat(body).contains("hello-web");
      Run write = run("podman", "exec", name, "/bin/busybox", "touch", "/srv/www/x");
      assertThat(write.code).isNotZero();
      assertThat(write.out).contains("Read-only file system");
    } finally {
      run("podman", "rm", "-f", name);
    }
  }

  @Test
  @Order(4)
  void aNoOpRebakeReusesEveryLayerAndKeepsTheVersion() throws IOException {
    BakeResult again = bake(project, state, cache);
    assertThat(again.minted()).isFalse();
    assertThat(again.image().version()).isEqualTo(1);
    assertThat(again.image().digest()).isEqualTo(first.image().digest());
    assertThat(again.layersReused()).isEqualTo(again.layers());
  }

  @Test
  @Order(5)
  void aTemplateChangeRebuildsOnlyTheResourcesLayer() throws IOException {
    Path other = copyExample(tmp.resolve("project-changed"));
    Path template = other.resolve("templates/index.html.j2");
    Files.writeString(template, Files.readString(template) + "<!-- changed -->\n");
    BakeResult changed = bake(other, state, cache);
    assertThat(changed.minted()).isTrue();
    assertThat(changed.image().version()).isEqualTo(2);
    assertThat(changed.layersReused()).isEqualTo(changed.layers() - 1);
  }

  @Test
  @Order(6)
  void twoBakesFromEmptyCachesGiveTheSameDigest() throws IOException {
    BakeResult fresh = bake(project, tmp.resolve("state-2"), tmp.resolve("cache-2"));
    assertThat(fresh.layersReused()).isZero();
    assertThat(fresh.image().digest()).isEqualTo(first.image().digest());
  }

  @Test
  @Order(7)
  void aPlantedAwsKeyFailsTheBakeAndWritesNoImage() throws IOException {
    Path leaky = copyExample(tmp.resolve("project-leaky"));
    String key = "AKIA" + "QWERTYUIOPASDFGH";
    Files.writeString(leaky.resolve("templates/index.html.j2"), "aws_access_key_id = " + key + "\n", StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.APPEND);
    Path leakyState = tmp.resolve("state-leaky");
    assertThatThrownBy(() -> bake(leaky, leakyState, cache))
        .isInstanceOf(BakeException.class)
        .hasMessageContaining("aws-access-key")
        .hasMessageContaining("/srv/www/index.html")
        .hasMessageContaining("herd secret set")
        .hasMessageNotContaining(key);
    try (Images images = Images.open(leakyState)) {
      assertThat(images.catalog().list("web")).isEmpty();
    }
  }

  @Test
  @Order(8)
  void aResourcePathEscapingTheRootIsRefusedWithItsLocation() throws IOException {
    // herd refuses ".." in resource paths when it reads the spec, before anything is staged;
    // symlink escapes found while staging are covered by PathConfinementTest.
    Path escaping = copyExample(tmp.resolve("project-escape"));
    Path spec = escaping.resolve("herd.yaml");
    Files.writeString(spec, Files.readString(spec).replace("- file: /etc/motd", "- file: /srv/../../../etc/motd"));
    Path outside = tmp.resolve("etc/motd");
    assertThatThrownBy(() -> bake(escaping, tmp.resolve("state-escape"), cache))
        .hasMessageMatching("(?s).*herd\\.yaml:\\d+:\\d+: roles\\.web\\.resources\\[\\d+\\]\\.file: \"\\.\\.\" is not allowed in a path.*");
    assertThat(outside).doesNotExist();
  }

  static BakeResult bake(Path projectDir, Path stateDir, Path cacheHome) {
    Spec spec = SpecLoader.loadOrThrow(projectDir.resolve("herd.yaml"));
    try (Images images = Images.open(stateDir)) {
      List<String> progress = new ArrayList<>();
      return Baker.withCache(images, cacheHome).bake(new BakeRequest(spec, "web", stateDir, false, Optional.empty()),
          new BakeListener() {
            @Override
            public void finished(Stage stage, String summary, Duration took) {
              progress.add(stage.label() + ": " + summary);
            }
          });
    }
  }

  static Path copyExample(Path to) throws IOException {
    try (Stream<Path> files = Files.walk(EXAMPLE)) {
      for (Path p : files.toList()) {
        Path rel = EXAMPLE.relativize(p);
        if (rel.toString().startsWith(".herd") || rel.toString().equals("herd.lock")) {
          continue;
        }
        Path target = to.resolve(rel.toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    return to;
  }

  record Run(int code, String out) {}

  static Run run(String... command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      return new Run(p.waitFor(), out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
