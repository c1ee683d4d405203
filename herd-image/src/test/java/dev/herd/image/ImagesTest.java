package dev.herd.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.image.catalog.CatalogImage;
import dev.herd.image.catalog.ImageRef;
import dev.herd.image.catalog.InUse;
import dev.herd.image.catalog.Lineage;
import dev.herd.image.layer.LayerBlob;
import dev.herd.image.layer.LayerEntry;
import dev.herd.image.oci.Digest;
import dev.herd.image.oci.ImageConfig;
import dev.herd.image.oci.Manifest;
import dev.herd.image.testing.Trees;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagesTest {
  static final Instant EPOCH = Instant.parse("2024-03-01T12:00:00Z");
  @TempDir Path tmp;
  Images images;
  LayerBlob base;

  @BeforeEach
  void open() {
    images = Images.open(tmp.resolve("state"));
    Path f = Trees.file(tmp, "src/os-release", "ID=debian\n");
    base = images.writeLayer(List.of(LayerEntry.file("etc/os-release", f, 10, 0644, 0, 0)), EPOCH);
  }

  @AfterEach
  void close() {
    images.close();
  }

  Images.Published bake(String role, String appContent) {
    Path f = Trees.file(tmp, "src/" + role + "-" + appContent.hashCode(), appContent);
    LayerBlob app = images.writeLayer(List.of(LayerEntry.file("srv/app", f, appContent.length(), 0755, 0, 0)), EPOCH);
    ImageConfig cfg = ImageConfig.builder().created(EPOCH).cmd(List.of("/srv/app")).label("dev.herd.role", role).build();
    return images.publish(role, cfg, List.of(base, app), Map.of(), new Lineage("sha256:spec", "c0ffee", ""));
  }

  @Test
  void publishMintsVersionsTagsThemAndRebakesReuseThem() {
    Images.Published one = bake("web", "v1");
    Images.Published again = bake("web", "v1");
    Images.Published two = bake("web", "v2");
    assertThat(one.minted()).isTrue();
    assertThat(again.minted()).isFalse();
    assertThat(again.image().version()).isEqualTo(1);
    assertThat(two.image().ref()).isEqualTo("web:2");
    assertThat(images.store().refs()).containsOnlyKeys("web:1", "web:2");
    assertThat(images.store().refs().get("web:2").digest()).isEqualTo(two.image().digest());
    ImageConfig cfg = images.config(two.image());
    assertThat(cfg.diffIds()).hasSize(2).first().isEqualTo(base.diffId());
    assertThat(two.image().size()).isGreaterThan(base.size());
  }

  @Test
  void sbomIsStoredBesideTheImage() {
    CatalogImage img = bake("web", "v1").image();
    assertThat(images.sbom(img.digest())).isEmpty();
    byte[] sbom = "{\"bomFormat\":\"CycloneDX\",\"components\":[]}".getBytes(StandardCharsets.UTF_8);
    Digest d = images.putSbom(img.digest(), sbom);
    assertThat(images.sbom(img.digest())).contains(sbom);
    assertThat(images.store().hasBlob(d)).isTrue();
    assertThatThrownBy(() -> images.putSbom(Digest.of("nope"), sbom)).hasMessageContaining("publish the image before its SBOM");
  }

  @Test
  void gcKeepsNewestChannelsAndInUseAndDeletesOnlyUnreferencedBlobs() {
    CatalogImage v1 = bake("web", "v1").image();
    CatalogImage v2 = bake("web", "v2").image();
    CatalogImage v3 = bake("web", "v3").image();
    CatalogImage v4 = bake("web", "v4").image();
    CatalogImage db = bake("db", "d1").image();
    images.catalog().promote(ImageRef.parse("web:1"), "prod");
    images.putSbom(v1.digest(), "{}".getBytes(StandardCharsets.UTF_8));
    Set<Digest> before = new HashSet<>(images.store().blobs());

    GcResult dry = images.gc(1, img -> img.ref().equals("web:2"), true, Duration.ZERO);
    assertThat(dry.removed()).extracting(CatalogImage::ref).containsExactly("web:3");
    assertThat(dry.deletedBlobs()).isNotEmpty();
    assertThat(images.store().blobs()).containsExactlyInAnyOrderElementsOf(before);
    assertThat(images.catalog().list("web")).hasSize(4);

    GcResult gc = images.gc(1, img -> img.ref().equals("web:2"), false, Duration.ZERO);
    assertThat(gc.removed()).extracting(CatalogImage::ref).containsExactly("web:3");
    assertThat(gc.deletedBlobs()).containsExactlyInAnyOrderElementsOf(dry.deletedBlobs());
    assertThat(gc.kept().values()).contains("newest 1", "channel prod", "in use");
    assertThat(images.store().refs()).containsOnlyKeys("web:1", "web:2", "web:4", "db:1");

    // every blob of every kept image is still there; web:3's own blobs are gone
    for (CatalogImage kept : List.of(v1, v2, v4, db)) {
      Manifest m = images.manifest(kept);
      assertThat(images.store().hasBlob(m.config().digest())).isTrue();
      m.layers().forEach(l -> assertThat(images.store().hasBlob(l.digest())).isTrue());
    }
    assertThat(images.sbom(v1.digest())).isPresent();
    assertThat(images.store().hasBlob(v3.digest())).isFalse();
    assertThat(images.store().hasBlob(base.digest())).isTrue();

    // young blobs survive the default grace period
    bake("web", "v5");
    images.catalog().promote(ImageRef.parse("web:5"), "dev");
    GcResult graceful = images.gc(1, InUse.NOTHING, false);
    assertThat(graceful.youngBlobsKept()).isPositive();
    assertThat(graceful.removed()).extracting(CatalogImage::ref).containsExactlyInAnyOrder("web:2", "web:4");
  }
}
