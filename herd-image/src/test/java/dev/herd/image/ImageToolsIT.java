package dev.herd.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herd.image.catalog.CatalogImage;
import dev.herd.image.catalog.Lineage;
import dev.herd.image.layer.Changeset;
import dev.herd.image.layer.LayerBlob;
import dev.herd.image.layer.Tree;
import dev.herd.image.oci.ImageConfig;
import dev.herd.image.testing.Trees;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's output checked by the real tools: umoci, skopeo and podman. */
class ImageToolsIT {
  static final Instant EPOCH = Instant.parse("2024-03-01T12:00:00Z");
  @TempDir Path tmp;
  Images images;
  CatalogImage image;
  final List<String> podmanImages = new ArrayList<>();

  @BeforeEach
  void bake() throws IOException {
    images = Images.open(tmp.resolve("state"));
    Path lower = Files.createDirectory(tmp.resolve("lower"));
    Trees.file(lower, "etc/os-release", "ID=herd-test\n");
    Trees.file(lower, "etc/old", "delete me\n");
    Trees.file(lower, "usr/bin/app", "#!/bin/sh\necho hello\n", 0755);
    Trees.symlink(lower, "bin", "usr/bin");
    Path upper = tmp.resolve("upper");
    run(List.of("cp", "-a", lower.toString(), upper.toString()));
    Files.delete(upper.resolve("etc/old"));
    Trees.file(upper, "srv/www/index.html", "<h1>herd</h1>\n");
    LayerBlob l1 = images.writeLayer(Tree.scan(lower, false).entries(), EPOCH);
    LayerBlob l2 = images.writeLayer(Changeset.between(lower, upper, false), EPOCH);
    ImageConfig cfg = ImageConfig.builder().created(EPOCH).cmd(List.of("/usr/bin/app")).env("MODE", "test")
        .label("herd.test", "1").label("dev.herd.role", "web").exposePort("8080").build();
    image = images.publish("web", cfg, List.of(l1, l2), Map.of(), Lineage.UNKNOWN).image();
  }

  @AfterEach
  void cleanUp() {
    images.close();
    for (String name : podmanImages) {
      try {
        run(List.of("podman", "rmi", "-f", name));
      } catch (IOException | AssertionError e) {
        // already gone
      }
    }
  }

  @Test
  void umociUnpacksTheImageWithWhiteoutsApplied() throws IOException {
    Path bundle = tmp.resolve("bundle");
    run(List.of("umoci", "unpack", "--image", images.store().root() + ":web:1", bundle.toString()));
    Path rootfs = bundle.resolve("rootfs");
    assertThat(rootfs.resolve("etc/os-release")).hasContent("ID=herd-test");
    assertThat(rootfs.resolve("srv/www/index.html")).hasContent("<h1>herd</h1>");
    assertThat(rootfs.resolve("etc/old")).doesNotExist();
    assertThat(Files.readSymbolicLink(rootfs.resolve("bin")).toString()).isEqualTo("usr/bin");
    JsonNode config = new ObjectMapper().readTree(bundle.resolve("config.json").toFile());
    assertThat(config.path("process").path("args").get(0).asText()).isEqualTo("/usr/bin/app");
  }

  @Test
  void skopeoReportsDigestAndLabels() throws IOException {
    String out = run(List.of("skopeo", "inspect", "oci:" + images.store().root() + ":web:1"));
    JsonNode json = new ObjectMapper().readTree(out);
    assertThat(json.path("Digest").asText()).isEqualTo(image.digest().toString());
    assertThat(json.path("Labels").path("herd.test").asText()).isEqualTo("1");
    assertThat(json.path("Labels").path("dev.herd.role").asText()).isEqualTo("web");
    assertThat(json.path("Layers")).hasSize(2);
    assertThat(json.path("Created").asText()).startsWith("2024-03-01T12:00:00");
  }

  @Test
  void podmanLoadsDockerArchive() throws IOException {
    Path archive = tmp.resolve("web.docker.tar");
    try (OutputStream out = Files.newOutputStream(archive)) {
      images.exportDockerArchive(image, "localhost/herd-test/web:1", out);
    }
    podmanImages.add("localhost/herd-test/web:1");
    String loaded = run(List.of("podman", "load", "-i", archive.toString()));
    assertThat(loaded).contains("localhost/herd-test/web:1");
    String labels = run(List.of("podman", "image", "inspect", "--format", "{{index .Labels \"herd.test\"}} {{.Config.Cmd}}", "localhost/herd-test/web:1"));
    assertThat(labels.trim()).isEqualTo("1 [/usr/bin/app]");
  }

  @Test
  void podmanLoadsOciArchive() throws IOException {
    Path archive = tmp.resolve("web.oci.tar");
    try (OutputStream out = Files.newOutputStream(archive)) {
      images.exportOciArchive(image, "localhost/herd-test/web-oci:1", out);
    }
    podmanImages.add("localhost/herd-test/web-oci:1");
    run(List.of("podman", "load", "-i", archive.toString()));
    String digest = run(List.of("podman", "image", "inspect", "--format", "{{.Digest}}", "localhost/herd-test/web-oci:1"));
    assertThat(digest.trim()).isEqualTo(image.digest().toString());
  }

  static String run(List<String> cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", cmd) + " timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    assertThat(p.exitValue()).as(String.join(" ", cmd) + "\n" + out).isZero();
    return out;
  }
}
