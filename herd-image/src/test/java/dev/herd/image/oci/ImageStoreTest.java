package dev.herd.image.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageStoreTest {
  @TempDir Path tmp;

  static ImageConfig config(Digest diffId) {
    return ImageConfig.builder()
        .created(Instant.parse("2024-03-01T12:00:00Z"))
        .env("PATH", "/usr/bin:/bin")
        .entrypoint(List.of("/usr/bin/app"))
        .cmd(List.of("--serve"))
        .user("1000:1000")
        .workingDir("/srv")
        .exposePort("8080")
        .label("b.label", "2")
        .label("a.label", "1")
        .diffIds(List.of(diffId))
        .history(new ImageConfig.History(Instant.parse("2024-03-01T12:00:00Z"), "herd bake", null, false))
        .build();
  }

  @Test
  void createsAValidEmptyLayout() throws Exception {
    ImageStore store = ImageStore.open(tmp.resolve("images"));
    assertThat(Files.readString(store.root().resolve("oci-layout"))).isEqualTo("{\"imageLayoutVersion\":\"1.0.0\"}");
    assertThat(Files.readString(store.root().resolve("index.json")))
        .isEqualTo("{\"manifests\":[],\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"schemaVersion\":2}");
    assertThat(Files.isDirectory(store.root().resolve("blobs/sha256"))).isTrue();
  }

  @Test
  void sameInputsGiveSameManifestDigestInSeparateStores() {
    Descriptor m1 = image(ImageStore.open(tmp.resolve("one")));
    Descriptor m2 = image(ImageStore.open(tmp.resolve("two")));
    assertThat(m2.digest()).isEqualTo(m1.digest());
    ImageStore store = ImageStore.open(tmp.resolve("one"));
    String json = new String(store.readBlob(m1.digest()), StandardCharsets.UTF_8);
    assertThat(json).startsWith("{\"annotations\":{\"org.opencontainers.image.created\"").doesNotContain(" ").doesNotContain("\n");
    assertThat(json).contains("\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"", "\"schemaVersion\":2");
  }

  @Test
  void readsBackManifestAndConfig() {
    ImageStore store = ImageStore.open(tmp.resolve("images"));
    Descriptor m = image(store);
    Manifest manifest = store.manifest(m.digest());
    assertThat(manifest.layers()).hasSize(1);
    assertThat(manifest.annotations()).containsEntry("org.opencontainers.image.created", "2024-03-01T12:00:00Z");
    ImageConfig cfg = store.config(manifest);
    assertThat(cfg).isEqualTo(config(cfg.diffIds().get(0)));
    assertThat(cfg.exposedPorts()).containsExactly("8080/tcp");
    String json = new String(store.readBlob(manifest.config().digest()), StandardCharsets.UTF_8);
    assertThat(json).contains("\"created\":\"2024-03-01T12:00:00Z\"", "\"ExposedPorts\":{\"8080/tcp\":{}}",
        "\"Labels\":{\"a.label\":\"1\",\"b.label\":\"2\"}");
  }

  @Test
  void tagsListAndReplaceRefs() {
    ImageStore store = ImageStore.open(tmp.resolve("images"));
    Descriptor m = image(store);
    store.tag("web:1", m);
    store.tag("web:2", m);
    store.tag("web:1", m);
    assertThat(store.refs().keySet()).containsExactly("web:1", "web:2");
    store.untag(List.of("web:1"));
    assertThat(store.refs().keySet()).containsExactly("web:2");
    assertThatThrownBy(() -> store.tag("web 1", m)).hasMessageContaining("invalid image ref name");
  }

  @Test
  void refusesBlobWithWrongDigestAndLeavesNothing() {
    ImageStore store = ImageStore.open(tmp.resolve("images"));
    Digest wrong = Digest.of("something else");
    assertThatThrownBy(() -> store.putBlob("x/y", new ByteArrayInputStream("data".getBytes()), wrong))
        .isInstanceOf(ImageException.class)
        .hasMessageContaining("expected " + wrong);
    assertThat(store.blobs()).isEmpty();
    assertThat(store.root().resolve(".herd-tmp")).isDirectoryNotContaining("glob:**.tmp");
  }

  @Test
  void refusesImageWhoseLayerIsMissing() {
    ImageStore store = ImageStore.open(tmp.resolve("images"));
    Digest absent = Digest.of("absent");
    assertThatThrownBy(() -> store.putImage(config(absent), List.of(new Descriptor(MediaTypes.LAYER_TAR_GZIP, absent, 3)), Map.of()))
        .hasMessageContaining("layer " + absent + " is not in the image store");
  }

  static Descriptor image(ImageStore store) {
    Descriptor layer = store.putBlob(MediaTypes.LAYER_TAR_GZIP, "pretend layer".getBytes());
    return store.putImage(config(Digest.of("pretend tar")), List.of(layer),
        Map.of("org.opencontainers.image.created", "2024-03-01T12:00:00Z"));
  }
}
