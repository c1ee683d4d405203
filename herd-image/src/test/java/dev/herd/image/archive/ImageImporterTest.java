package dev.herd.image.archive;

import static dev.herd.image.testing.Trees.file;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.image.layer.Changeset;
import dev.herd.image.layer.LayerBlob;
import dev.herd.image.layer.LayerEntry;
import dev.herd.image.layer.LayerWriter;
import dev.herd.image.layer.Tree;
import dev.herd.image.oci.Descriptor;
import dev.herd.image.oci.ImageConfig;
import dev.herd.image.oci.ImageStore;
import dev.herd.image.testing.TarBuilder;
import dev.herd.image.testing.Trees;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageImporterTest {
  static final Instant EPOCH = Instant.parse("2024-03-01T12:00:00Z");
  @TempDir Path tmp;

  /** Two layers (a base tree, then a changeset with deletions), published as web:1. */
  Descriptor twoLayerImage(ImageStore store, Path lower, Path upper) throws IOException {
    file(lower, "etc/app.conf", "v1");
    file(lower, "var/cache/a", "a");
    file(lower, "var/cache/b", "b");
    file(lower, "usr/bin/tool", "tool", 04755);
    Trees.symlink(lower, "bin", "usr/bin");
    Trees.symlink(lower, "etc/localtime", "/usr/share/zoneinfo/UTC");
    Process p = new ProcessBuilder("cp", "-a", lower.toString(), upper.toString()).start();
    try {
      assertThat(p.waitFor()).isZero();
    } catch (InterruptedException e) {
      throw new IOException(e);
    }
    Files.writeString(upper.resolve("etc/app.conf"), "v2");
    Files.delete(upper.resolve("var/cache/a"));
    Files.delete(upper.resolve("var/cache/b"));
    file(upper, "var/cache/c", "c");
    Files.createLink(upper.resolve("usr/bin/tool2"), upper.resolve("usr/bin/tool"));
    LayerWriter w = new LayerWriter(EPOCH);
    LayerBlob l1 = w.write(Tree.scan(lower, false).entries(), store);
    LayerBlob l2 = w.write(Changeset.between(lower, upper, false), store);
    ImageConfig cfg = ImageConfig.builder().created(EPOCH).env("A", "1").diffIds(List.of(l1.diffId(), l2.diffId())).build();
    Descriptor m = store.putImage(cfg, List.of(l1.descriptor(), l2.descriptor()), Map.of());
    store.tag("web:1", m);
    return m;
  }

  static List<String> describe(Path root) {
    List<String> out = new ArrayList<>();
    for (LayerEntry e : Tree.scan(root, false).entries()) {
      String content = "";
      if (e.kind() == LayerEntry.Kind.FILE && e.source() != null) {
        try {
          content = Files.readString(e.source());
        } catch (IOException x) {
          throw new java.io.UncheckedIOException(x);
        }
      }
      out.add(e.path() + " " + e.kind() + " " + Integer.toOctalString(e.mode()) + " " + e.uid() + " "
          + (e.linkTarget() == null ? "" : e.linkTarget()) + " " + content);
    }
    return out;
  }

  @Test
  void roundTripsThroughLayoutOciArchiveAndDockerArchive() throws IOException {
    ImageStore store = ImageStore.open(tmp.resolve("images"));
    Path lower = Files.createDirectory(tmp.resolve("lower"));
    Path upper = tmp.resolve("upper");
    Descriptor m = twoLayerImage(store, lower, upper);
    List<String> expected = describe(upper);
    assertThat(expected).anyMatch(s -> s.startsWith("usr/bin/tool2 HARDLINK"));

    ImportedImage fromLayout = ImageImporter.unpack(store.root(), null, "web:1", tmp.resolve("t1"), false, ImportLimits.DEFAULT);
    assertThat(fromLayout.format()).isEqualTo(SourceFormat.OCI_LAYOUT);
    assertThat(fromLayout.baseDigest()).isEqualTo(m.digest());
    assertThat(fromLayout.config().env()).containsExactly("A=1");
    assertThat(describe(tmp.resolve("t1"))).isEqualTo(expected);

    Path oci = tmp.resolve("web.oci.tar");
    try (OutputStream out = Files.newOutputStream(oci)) {
      ImageExporter.writeOciArchive(store, m.digest(), "web:1", out);
    }
    ImportedImage fromOci = ImageImporter.unpack(oci, null, "web:1", tmp.resolve("t2"), false, ImportLimits.DEFAULT);
    assertThat(fromOci.format()).isEqualTo(SourceFormat.OCI_ARCHIVE);
    assertThat(describe(tmp.resolve("t2"))).isEqualTo(expected);

    Path docker = tmp.resolve("web.docker.tar");
    try (OutputStream out = Files.newOutputStream(docker)) {
      ImageExporter.writeDockerArchive(store, m.digest(), "localhost/herd/web:1", out);
    }
    ImportedImage fromDocker = ImageImporter.unpack(docker, null, "localhost/herd/web:1", tmp.resolve("t3"), false, ImportLimits.DEFAULT);
    assertThat(fromDocker.format()).isEqualTo(SourceFormat.DOCKER_ARCHIVE);
    assertThat(describe(tmp.resolve("t3"))).isEqualTo(expected);
  }

  @Test
  void exportsAreReproducible() throws IOException {
    ImageStore store = ImageStore.open(tmp.resolve("images"));
    Descriptor m = twoLayerImage(store, Files.createDirectory(tmp.resolve("lower")), tmp.resolve("upper"));
    java.io.ByteArrayOutputStream a = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    ImageExporter.writeDockerArchive(store, m.digest(), "web:1", a);
    ImageExporter.writeDockerArchive(store, m.digest(), "web:1", b);
    assertThat(a.toByteArray()).isEqualTo(b.toByteArray());
  }

  @Test
  void unknownRefListsWhatIsThere() throws IOException {
    ImageStore store = ImageStore.open(tmp.resolve("images"));
    twoLayerImage(store, Files.createDirectory(tmp.resolve("lower")), tmp.resolve("upper"));
    assertThatThrownBy(() -> ImageImporter.unpack(store.root(), null, "web:9", tmp.resolve("t"), false, ImportLimits.DEFAULT))
        .hasMessageContaining("no image named 'web:9' (images: web:1)");
  }

  @Test
  void appliesWhiteoutsAndOpaqueDirectories() {
    byte[] l1 = new TarBuilder().dir("a").file("a/x", "x").file("a/y", "y").dir("b").file("b/z", "z").file("b/w", "w").build();
    byte[] l2 = new TarBuilder().file("b/new", "n").file("a/.wh.x", "").file("b/.wh..wh..opq", "").build();
    Path archive = TarBuilder.dockerArchive(tmp.resolve("img.tar"), "base:1", List.of(l1, l2));
    Path t = tmp.resolve("t");
    ImageImporter.unpack(archive, null, "base:1", t, false, ImportLimits.DEFAULT);
    assertThat(t.resolve("a/x")).doesNotExist();
    assertThat(t.resolve("a/y")).hasContent("y");
    assertThat(t.resolve("b/z")).doesNotExist();
    assertThat(t.resolve("b/w")).doesNotExist();
    assertThat(t.resolve("b/new")).hasContent("n");
  }

  /** Imports a one-layer docker archive and expects a refusal naming archive, layer and entry. */
  void assertRefused(TarBuilder layer, String... messageParts) {
    Path archive = TarBuilder.dockerArchive(tmp.resolve("evil.tar"), "evil:1", List.of(new TarBuilder().file("ok", "ok").build(), layer.build()));
    Path target = tmp.resolve("target");
    assertThatThrownBy(() -> ImageImporter.unpack(archive, SourceFormat.DOCKER_ARCHIVE, "evil:1", target, false, ImportLimits.DEFAULT))
        .isInstanceOf(UnsafeArchiveException.class)
        .hasMessageContaining("archive " + archive)
        .hasMessageContaining("layer 2/2")
        .hasMessageContainingAll(messageParts);
    assertThat(target).isEmptyDirectory();
    assertThat(tmp.resolve("outside")).doesNotExist();
  }

  @Test
  void refusesDotDotAndAbsolutePaths() {
    assertRefused(new TarBuilder().file("../outside", "pwned"), "entry '../outside' has a '..' component");
    assertRefused(new TarBuilder().file("a/../../outside", "pwned"), "entry 'a/../../outside' has a '..' component");
    assertRefused(new TarBuilder().file("/etc/passwd", "pwned"), "entry '/etc/passwd' is an absolute path");
  }

  @Test
  void refusesSymlinkEscapes() {
    assertRefused(new TarBuilder().symlink("up", "../../.."), "entry 'up' is a symlink to '../../..', which resolves outside the image root");
    assertRefused(new TarBuilder().dir("a").symlink("a/up", "../../outside"), "resolves outside the image root");
    // Absolute links are fine on their own, but nothing may be written through them.
    assertRefused(new TarBuilder().symlink("lnk", tmp.toString()).file("lnk/outside", "pwned"),
        "entry 'lnk/outside' would be written through symlink lnk -> " + tmp);
    assertRefused(new TarBuilder().symlink("lnk", ".").file("lnk/x", "x"), "would be written through symlink lnk");
  }

  @Test
  void refusesHardLinksOutOfTheRoot() {
    assertRefused(new TarBuilder().hardlink("h", "../outside"), "entry 'h' is a hard link to '../outside', outside the image root");
    assertRefused(new TarBuilder().hardlink("h", "/etc/passwd"), "entry 'h' is a hard link to absolute path '/etc/passwd'");
    assertRefused(new TarBuilder().hardlink("h", "missing"), "which is not a regular file already in the image");
  }

  @Test
  void refusesDevicesUnlessAllowed() {
    assertRefused(new TarBuilder().charDevice("dev/null", 1, 3), "entry 'dev/null' is a character device (1,3)", "allowDevices");
    Path archive = TarBuilder.dockerArchive(tmp.resolve("fifo.tar"), "f:1", List.of(new TarBuilder().fifo("run/pipe").build()));
    ImageImporter.unpack(archive, null, null, tmp.resolve("ok"), true, ImportLimits.DEFAULT);
    assertThat(Files.exists(tmp.resolve("ok/run/pipe"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isTrue();
    assertThat(Files.isRegularFile(tmp.resolve("ok/run/pipe"))).isFalse();
  }

  @Test
  void refusesAbsurdArchives() {
    TarBuilder many = new TarBuilder();
    for (int i = 0; i < 20; i++) {
      many.file("f" + i, "x".repeat(100));
    }
    Path archive = TarBuilder.dockerArchive(tmp.resolve("big.tar"), "big:1", List.of(many.build()));
    assertThatThrownBy(() -> ImageImporter.unpack(archive, null, null, tmp.resolve("t1"), false, new ImportLimits(10, 1 << 20, 10)))
        .isInstanceOf(UnsafeArchiveException.class)
        .hasMessageContaining("entry 'f10' the image has more than 10 entries (import limit)");
    assertThatThrownBy(() -> ImageImporter.unpack(archive, null, null, tmp.resolve("t2"), false, new ImportLimits(1000, 1000, 10)))
        .hasMessageContaining("larger than 1000 bytes uncompressed (import limit)");
    assertThat(tmp.resolve("t1")).isEmptyDirectory();
  }

  @Test
  void refusesNonEmptyTargetAndCorruptLayers() throws IOException {
    Path archive = TarBuilder.dockerArchive(tmp.resolve("img.tar"), "img:1", List.of(new TarBuilder().file("a", "a").build()));
    Path busy = Files.createDirectories(tmp.resolve("busy"));
    Files.writeString(busy.resolve("keep"), "mine");
    assertThatThrownBy(() -> ImageImporter.unpack(archive, null, null, busy, false, ImportLimits.DEFAULT))
        .hasMessageContaining("is not empty");
    assertThat(busy.resolve("keep")).hasContent("mine");

    // manifest.json lists a layer whose content does not match the config's diff ID
    byte[] layer = new TarBuilder().file("a", "a").build();
    Path bad = TarBuilder.dockerArchive(tmp.resolve("bad.tar"), "img:1", List.of(layer));
    byte[] bytes = Files.readAllBytes(bad);
    String s = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    int at = s.indexOf("\"diff_ids\":[\"sha256:") + 20;
    bytes[at] = (byte) (bytes[at] == 'a' ? 'b' : 'a');
    Files.write(bad, bytes);
    assertThatThrownBy(() -> ImageImporter.unpack(bad, null, null, tmp.resolve("t"), false, ImportLimits.DEFAULT))
        .hasMessageContaining("uncompressed layer hashes to");
    assertThat(tmp.resolve("t")).isEmptyDirectory();
  }
}
