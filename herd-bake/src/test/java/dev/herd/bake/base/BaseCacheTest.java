package dev.herd.bake.base;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaseCacheTest {
  static final List<DebianPackage> PACKAGES = List.of(new DebianPackage("busybox-static", "1:1.35.0-4+b3", "amd64"));

  @Test
  void buildsOnceThenServesTheEntry(@TempDir Path root) {
    BaseCache cache = new BaseCache(root);
    AtomicInteger builds = new AtomicInteger();
    BaseCache.TreeBuilder builder = rootfs -> {
      builds.incrementAndGet();
      write(rootfs.resolve("bin/busybox"), "elf");
      return PACKAGES;
    };
    BaseCache.CachedTree first = cache.getOrBuild("k1", builder);
    BaseCache.CachedTree second = cache.getOrBuild("k1", builder);

    assertThat(builds).hasValue(1);
    assertThat(second).isEqualTo(first);
    assertThat(first.rootfs()).isEqualTo(root.resolve("k1/rootfs"));
    assertThat(first.rootfs().resolve("bin/busybox")).hasContent("elf");
    assertThat(second.packages()).isEqualTo(PACKAGES);
  }

  @Test
  void failedBuildLeavesNoEntryAndNoPartialDirectory(@TempDir Path root) throws Exception {
    BaseCache cache = new BaseCache(root);
    assertThatThrownBy(() -> cache.getOrBuild("k1", rootfs -> {
      write(rootfs.resolve("half"), "x");
      throw new BaseBuildException("mirror went away");
    })).hasMessage("mirror went away");

    assertThat(cache.find("k1")).isEmpty();
    try (var files = Files.list(root)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("k1.lock");
    }
  }

  @Test
  void halfWrittenEntryIsNeverUsedButRebuilt(@TempDir Path root) {
    // what a crash mid-write on a filesystem without atomic rename, or a manual copy, leaves
    write(root.resolve("k1/rootfs/bin/busybox"), "truncat");
    write(root.resolve("k1.partial-123/rootfs/x"), "x");
    BaseCache cache = new BaseCache(root);
    assertThat(cache.find("k1")).isEmpty();

    BaseCache.CachedTree tree = cache.getOrBuild("k1", rootfs -> {
      write(rootfs.resolve("bin/busybox"), "complete");
      return PACKAGES;
    });
    assertThat(tree.rootfs().resolve("bin/busybox")).hasContent("complete");
    assertThat(root.resolve("k1.partial-123")).doesNotExist();
  }

  static void write(Path file, String content) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, content);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
