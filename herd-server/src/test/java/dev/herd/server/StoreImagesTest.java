package dev.herd.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.engine.EnsuredImage;
import dev.herd.engine.ImageSource;
import dev.herd.image.layer.LayerBlob;
import dev.herd.image.layer.LayerWriter;
import dev.herd.image.layer.Tree;
import dev.herd.image.oci.Descriptor;
import dev.herd.image.oci.ImageConfig;
import dev.herd.image.oci.ImageStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image store offers each image in both archive formats, reproducibly, under its config digest. */
class StoreImagesTest {
  @TempDir Path tmp;

  private Descriptor image(ImageStore store) throws IOException {
    Path root = Files.createDirectories(tmp.resolve("root/srv/www"));
    Files.writeString(root.resolve("index.html"), "hello\n");
    LayerBlob layer = new LayerWriter(Instant.EPOCH).write(Tree.scan(tmp.resolve("root"), false).entries(), store);
    ImageConfig cfg = ImageConfig.builder().created(Instant.EPOCH).diffIds(List.of(layer.diffId())).build();
    return store.putImage(cfg, List.of(layer.descriptor()), Map.of());
  }

  private static byte[] write(ImageSource source, ImageSource.Format f) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    source.writer(f).writeTo(out);
    return out.toByteArray();
  }

  private static Map<String, byte[]> entries(byte[] tar) throws IOException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        out.put(e.getName(), e.isFile() ? in.readAllBytes() : new byte[0]);
      }
    }
    return out;
  }

  @Test
  void bothFormatsAreOfferedUnderTheConfigDigestAndWriteTheSameBytesEachTime() throws IOException {
    ImageStore store = ImageStore.open(tmp.resolve("images"));
    Descriptor m = image(store);
    String config = store.manifest(m.digest()).config().digest().toString();
    ImageSource source = new StoreImages(store).source(m.digest().toString());

    assertThat(source.configDigest()).isEqualTo(config);
    assertThat(source.formats()).containsExactlyInAnyOrder(ImageSource.Format.OCI_ARCHIVE, ImageSource.Format.DOCKER_ARCHIVE);

    byte[] docker = write(source, ImageSource.Format.DOCKER_ARCHIVE);
    assertThat(write(source, ImageSource.Format.DOCKER_ARCHIVE)).as("reproducible").isEqualTo(docker);
    Map<String, byte[]> d = entries(docker);
    String hex = config.substring(7);
    assertThat(d).containsKey(hex + ".json").containsKey("manifest.json");
    assertThat(new String(d.get("manifest.json"), StandardCharsets.UTF_8))
        .contains("\"Config\":\"" + hex + ".json\"")
        .contains("\"RepoTags\":[\"" + EnsuredImage.refFor(m.digest().toString()) + "\"]");
    assertThat(d.get(hex + ".json")).as("the config's exact bytes: the engine's image ID is their digest")
        .isEqualTo(store.readBlob(store.manifest(m.digest()).config().digest()));

    byte[] oci = write(source, ImageSource.Format.OCI_ARCHIVE);
    assertThat(write(source, ImageSource.Format.OCI_ARCHIVE)).isEqualTo(oci);
    assertThat(entries(oci)).containsKeys("oci-layout", "index.json", "blobs/sha256/" + m.digest().hex(), "blobs/sha256/" + hex);
  }

  @Test
  void anImageNotInTheStoreIsNamed() {
    ImageStore store = ImageStore.open(tmp.resolve("images"));
    String missing = "sha256:" + "0".repeat(64);
    assertThatThrownBy(() -> new StoreImages(store).source(missing)).isInstanceOf(NoSuchElementException.class)
        .hasMessageContaining(missing);
  }
}
