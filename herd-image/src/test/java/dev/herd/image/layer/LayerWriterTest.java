package dev.herd.image.layer;

import static dev.herd.image.testing.Trees.dir;
import static dev.herd.image.testing.Trees.file;
import static dev.herd.image.testing.Trees.symlink;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.image.oci.Digest;
import dev.herd.image.oci.ImageStore;
import dev.herd.image.testing.TarReader;
import dev.herd.image.testing.Trees;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerWriterTest {
  static final Instant EPOCH = Instant.parse("2024-03-01T12:00:00Z");
  static final String LONG_NAME = "opt/" + "very-long-directory-name-".repeat(6) + "/and-a-file-with-a-long-name-too.txt";

  @TempDir Path tmp;

  /** Builds the same logical tree, creating paths in the given order. */
  static void buildTree(Path root, List<Integer> order) throws IOException {
    List<Runnable> steps = new ArrayList<>(List.of(
        () -> file(root, "etc/hosts", "127.0.0.1 localhost\n"),
        () -> file(root, "usr/bin/tool", "#!/bin/sh\necho hi\n", 04755),
        () -> dir(root, "tmp", 01777),
        () -> file(root, LONG_NAME, "long"),
        () -> symlink(root, "bin", "usr/bin"),
        () -> file(root, "srv/app/data.txt", "x".repeat(100_000)),
        () -> file(root, "etc/empty", "")));
    for (int i : order) {
      steps.get(i).run();
    }
    Files.setAttribute(root.resolve("srv/app/data.txt"), "unix:uid", 1000);
    Files.setAttribute(root.resolve("srv/app/data.txt"), "unix:gid", 1000);
    Files.createLink(root.resolve("usr/bin/tool-alias"), root.resolve("usr/bin/tool"));
  }

  static byte[] write(List<LayerEntry> entries, Instant epoch) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new LayerWriter(epoch).write(entries, out);
    return out.toByteArray();
  }

  @Test
  void sameTreeGivesSameDigestsWhateverMtimesCreationOrderAndEntryOrder() throws IOException {
    Path a = Files.createDirectory(tmp.resolve("a"));
    Path b = Files.createDirectory(tmp.resolve("b"));
    buildTree(a, List.of(0, 1, 2, 3, 4, 5, 6));
    buildTree(b, List.of(6, 5, 4, 3, 2, 1, 0));
    Trees.touchAll(a, Instant.parse("2001-01-01T00:00:00Z"));
    Trees.touchAll(b, Instant.now());

    List<LayerEntry> ea = Tree.scan(a, false).entries();
    List<LayerEntry> eb = new ArrayList<>(Tree.scan(b, false).entries());
    Collections.shuffle(eb, new Random(42));

    ByteArrayOutputStream outA = new ByteArrayOutputStream();
    LayerBlob blobA = new LayerWriter(EPOCH).write(ea, outA);
    ByteArrayOutputStream outB = new ByteArrayOutputStream();
    LayerBlob blobB = new LayerWriter(EPOCH).write(eb, outB);

    assertThat(blobB).isEqualTo(blobA);
    assertThat(outB.toByteArray()).isEqualTo(outA.toByteArray());
    assertThat(blobA.digest()).isEqualTo(Digest.of(outA.toByteArray()));
    assertThat(blobA.size()).isEqualTo(outA.size());

    // A different epoch is a different layer.
    assertThat(new LayerWriter(EPOCH.plusSeconds(1)).write(ea, new ByteArrayOutputStream()).diffId())
        .isNotEqualTo(blobA.diffId());
  }

  @Test
  void tarHeadersAreNormalized() throws IOException {
    Path root = Files.createDirectory(tmp.resolve("root"));
    buildTree(root, List.of(0, 1, 2, 3, 4, 5, 6));
    Map<String, TarReader.Item> tar = TarReader.read(write(Tree.scan(root, false).entries(), EPOCH));

    List<String> names = new ArrayList<>(tar.keySet());
    assertThat(names).isSorted();
    assertThat(names).contains("etc/", "usr/", "usr/bin/", "opt/", LONG_NAME);
    for (TarReader.Item i : tar.values()) {
      TarArchiveEntry e = i.entry();
      assertThat(e.getModTime().toInstant()).as(e.getName()).isEqualTo(EPOCH);
      assertThat(e.getUserName()).as(e.getName()).isEmpty();
      assertThat(e.getGroupName()).as(e.getName()).isEmpty();
    }
    assertThat(tar.get("usr/bin/tool").entry().getMode()).isEqualTo(0104755);
    assertThat(tar.get("tmp/").entry().getMode()).isEqualTo(041777);
    assertThat(tar.get("bin").entry().isSymbolicLink()).isTrue();
    assertThat(tar.get("bin").entry().getLinkName()).isEqualTo("usr/bin");
    assertThat(tar.get("srv/app/data.txt").entry().getLongUserId()).isEqualTo(1000);
    assertThat(tar.get("srv/app/data.txt").content()).hasSize(100_000);
    assertThat(tar.get(LONG_NAME).content()).isEqualTo("long");
    // hard links: the first path in byte order carries the content
    assertThat(tar.get("usr/bin/tool").entry().isFile()).isTrue();
    assertThat(tar.get("usr/bin/tool-alias").entry().isLink()).isTrue();
    assertThat(tar.get("usr/bin/tool-alias").entry().getLinkName()).isEqualTo("usr/bin/tool");
  }

  @Test
  void gzipHeaderIsFixed() throws IOException {
    byte[] blob = write(List.of(LayerEntry.directory("etc", 0755, 0, 0)), EPOCH);
    assertThat(blob[0] & 0xff).isEqualTo(0x1f);
    assertThat(blob[1] & 0xff).isEqualTo(0x8b);
    assertThat(blob[3]).as("flags: no file name, no comment").isZero();
    assertThat(new byte[] {blob[4], blob[5], blob[6], blob[7]}).as("mtime").containsOnly(0);
    assertThat(blob[9] & 0xff).as("OS byte").isEqualTo(255);
  }

  @Test
  void bigIdsAndMissingParentsAreWritten() throws IOException {
    Path f = file(tmp, "f", "data");
    List<LayerEntry> entries = List.of(LayerEntry.file("a/b/c/f", f, 4, 0640, 3_000_000_000L, 5_000_000L));
    Map<String, TarReader.Item> tar = TarReader.read(write(entries, EPOCH));
    assertThat(tar.keySet()).containsExactly("a/", "a/b/", "a/b/c/", "a/b/c/f");
    assertThat(tar.get("a/b/").entry().getMode()).isEqualTo(040755);
    assertThat(tar.get("a/b/c/f").entry().getLongUserId()).isEqualTo(3_000_000_000L);
    assertThat(tar.get("a/b/c/f").entry().getLongGroupId()).isEqualTo(5_000_000L);
    assertThat(tar.get("a/b/c/f").entry().getMode()).isEqualTo(0100640);
  }

  @Test
  void refusesDuplicatesDanglingHardLinksAndChangedFiles() {
    Path f = file(tmp, "f", "data");
    assertThatThrownBy(() -> write(List.of(LayerEntry.directory("a", 0755, 0, 0), LayerEntry.file("a", f, 4, 0644, 0, 0)), EPOCH))
        .isInstanceOf(LayerException.class).hasMessageContaining("duplicate layer entry a");
    assertThatThrownBy(() -> write(List.of(LayerEntry.hardlink("b", "zzz", 0644, 0, 0)), EPOCH))
        .isInstanceOf(LayerException.class).hasMessageContaining("hard link b points at zzz");
    assertThatThrownBy(() -> write(List.of(LayerEntry.file("f", f, 10, 0644, 0, 0)), EPOCH))
        .isInstanceOf(LayerException.class).hasMessageContaining("shrank");
    assertThatThrownBy(() -> LayerEntry.file("../etc/passwd", f, 4, 0644, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void fifosAndDevicesAreRefusedUnlessAllowed() throws Exception {
    Path root = Files.createDirectory(tmp.resolve("root"));
    file(root, "ok", "x");
    Files.createDirectories(root.resolve("run"));
    Process p = new ProcessBuilder("mkfifo", root.resolve("run/pipe").toString()).inheritIO().start();
    assertThat(p.waitFor()).isZero();

    assertThatThrownBy(() -> Tree.scan(root, false))
        .isInstanceOf(LayerException.class)
        .hasMessageContaining("run/pipe")
        .hasMessageContaining("refused unless devices are allowed");
    List<LayerEntry> entries = Tree.scan(root, true).entries();
    assertThat(entries).anySatisfy(e -> {
      assertThat(e.path()).isEqualTo("run/pipe");
      assertThat(e.kind()).isEqualTo(LayerEntry.Kind.FIFO);
    });
    assertThat(TarReader.read(write(entries, EPOCH)).get("run/pipe").entry().isFIFO()).isTrue();
  }

  @Test
  void writesIntoTheStoreAtomically() {
    ImageStore store = ImageStore.open(tmp.resolve("images"));
    Path f = file(tmp, "f", "data");
    LayerBlob blob = new LayerWriter(EPOCH).write(List.of(LayerEntry.file("f", f, 4, 0644, 0, 0)), store);
    assertThat(store.hasBlob(blob.digest())).isTrue();
    assertThat(store.blobSize(blob.digest())).isEqualTo(blob.size());
    assertThat(store.blobs()).containsExactly(blob.digest());
  }
}
