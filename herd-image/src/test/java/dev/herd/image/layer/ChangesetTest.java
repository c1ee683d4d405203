package dev.herd.image.layer;

import static dev.herd.image.testing.Trees.file;
import static dev.herd.image.testing.Trees.symlink;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChangesetTest {
  @TempDir Path tmp;

  @Test
  void addedChangedAndDeletedPathsWithWhiteouts() throws IOException {
    Path lower = Files.createDirectory(tmp.resolve("lower"));
    file(lower, "etc/app.conf", "port=80\n");
    file(lower, "etc/motd", "hello\n");
    file(lower, "etc/old.conf", "gone\n");
    file(lower, "var/cache/a", "a");
    file(lower, "var/cache/b", "b");
    file(lower, "opt/tool/bin/run", "run");
    file(lower, "srv/mode", "m");
    symlink(lower, "current", "v1");

    Path upper = tmp.resolve("upper");
    copyTree(lower, upper);
    Files.writeString(upper.resolve("etc/app.conf"), "port=81\n"); // same size, new content
    Files.setLastModifiedTime(upper.resolve("etc/motd"), FileTime.from(Instant.now().plusSeconds(99))); // mtime only
    Files.delete(upper.resolve("etc/old.conf"));
    Files.delete(upper.resolve("var/cache/a"));
    Files.delete(upper.resolve("var/cache/b"));
    file(upper, "var/cache/fresh", "new");
    deleteTree(upper.resolve("opt/tool"));
    Files.setAttribute(upper.resolve("srv/mode"), "unix:mode", 0600);
    Files.delete(upper.resolve("current"));
    symlink(upper, "current", "v2");
    file(upper, "new/dir/file", "n");

    Map<String, LayerEntry> layer = Changeset.between(lower, upper, false).stream()
        .collect(Collectors.toMap(LayerEntry::path, Function.identity()));

    assertThat(layer.keySet()).containsExactlyInAnyOrder(
        "etc", "etc/app.conf", "etc/.wh.old.conf",
        "var", "var/cache", "var/cache/.wh..wh..opq", "var/cache/fresh",
        "opt", "opt/.wh.tool",
        "srv", "srv/mode",
        "current",
        "new", "new/dir", "new/dir/file");
    assertThat(layer.get("current").linkTarget()).isEqualTo("v2");
    assertThat(layer.get("srv/mode").mode()).isEqualTo(0600);
    assertThat(layer.get("etc/.wh.old.conf").size()).isZero();
  }

  @Test
  void identicalTreesGiveAnEmptyChangeset() throws IOException {
    Path lower = Files.createDirectory(tmp.resolve("lower"));
    file(lower, "a/b", "x");
    Path upper = tmp.resolve("upper");
    copyTree(lower, upper);
    assertThat(Changeset.between(lower, upper, false)).isEmpty();
  }

  @Test
  void changedHardLinkBringsItsWholeGroup() throws IOException {
    Path lower = Files.createDirectory(tmp.resolve("lower"));
    Path upper = Files.createDirectory(tmp.resolve("upper"));
    file(upper, "bin/a", "same");
    Files.createLink(upper.resolve("bin/b"), upper.resolve("bin/a"));
    List<LayerEntry> entries = Changeset.between(lower, upper, false);
    assertThat(entries).extracting(LayerEntry::path, LayerEntry::kind).containsExactly(
        org.assertj.core.groups.Tuple.tuple("bin", LayerEntry.Kind.DIRECTORY),
        org.assertj.core.groups.Tuple.tuple("bin/a", LayerEntry.Kind.FILE),
        org.assertj.core.groups.Tuple.tuple("bin/b", LayerEntry.Kind.HARDLINK));
  }

  static void copyTree(Path from, Path to) throws IOException {
    Process p = new ProcessBuilder("cp", "-a", from.toString(), to.toString()).inheritIO().start();
    try {
      assertThat(p.waitFor()).isZero();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  static void deleteTree(Path p) throws IOException {
    try (var s = Files.walk(p)) {
      for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
