package dev.herd.bake.base;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MmdebstrapTest {
  @Test
  void everyResolvedPackageIsPinnedAndExtractSavesControlData() {
    Resolution resolution = RoleLockTest.resolution(List.of("busybox-static"), RoleLockTest.BUSYBOX, RoleLockTest.LIBC);
    List<String> command = Mmdebstrap.command(resolution, Path.of("/cache/k.partial/rootfs"), true);

    assertThat(command).startsWith("mmdebstrap", "--mode=root", "--variant=extract");
    assertThat(command).contains("--include=busybox-static=1:1.35.0-4+b3,libc6=2.36-9+deb12u10");
    assertThat(command).anyMatch(a -> a.startsWith("--extract-hook=") && a.contains("dpkg-deb --field"));
    assertThat(command).endsWith("bookworm", "/cache/k.partial/rootfs", "deb http://deb.debian.org/debian bookworm main");
    assertThat(Mmdebstrap.command(resolution, Path.of("/t"), false)).contains("--mode=unshare");
  }

  @Test
  void theResolversIndexIsHandedInSoAColdBakeDownloadsItOnce(@org.junit.jupiter.api.io.TempDir Path lists) {
    Resolution resolved = RoleLockTest.resolution(List.of("busybox-static"), RoleLockTest.BUSYBOX, RoleLockTest.LIBC);
    Resolution withIndex = new Resolution(resolved.recipe(), resolved.packages(), resolved.releaseDate(), java.util.Optional.of(lists));
    List<String> command = Mmdebstrap.command(withIndex.at(resolved.releaseDate()), Path.of("/t"), true);
    assertThat(command).contains("--skip=update", "--setup-hook=sync-in " + lists.toAbsolutePath() + " /var/lib/apt/lists");
    assertThat(command.indexOf("--skip=update")).isLessThan(command.indexOf("bookworm"));
    assertThat(CacheKey.of(withIndex)).as("where the index lies is not part of the tree's key").isEqualTo(CacheKey.of(resolved));

    assertThat(Mmdebstrap.command(resolved, Path.of("/t"), true)).doesNotContain("--skip=update");
    Resolution gone = new Resolution(resolved.recipe(), resolved.packages(), resolved.releaseDate(),
        java.util.Optional.of(lists.resolve("missing")));
    assertThat(Mmdebstrap.command(gone, Path.of("/t"), true)).noneMatch(a -> a.startsWith("--setup-hook") || a.equals("--skip=update"));
  }

  @Test
  void anEarlyBuildAsksForTheRecipesNamesUnpinnedAndDownloadsItsOwnIndex() {
    BaseRecipe recipe = RoleLockTest.resolution(List.of("busybox-static"), RoleLockTest.BUSYBOX, RoleLockTest.LIBC).recipe();
    List<String> command = Mmdebstrap.unpinnedCommand(recipe, Path.of("/cache/early-1/rootfs"), true);
    assertThat(command).startsWith("mmdebstrap", "--mode=root", "--variant=extract");
    assertThat(command).contains("--include=busybox-static").noneMatch(a -> a.contains("="  + "1:") || a.equals("--skip=update"));
    assertThat(command).anyMatch(a -> a.startsWith("--extract-hook=") && a.contains("dpkg-deb --field"));
    // its index is handed to the resolver, so mmdebstrap must leave it in the tree
    assertThat(command).contains("--skip=cleanup/apt/lists");
    assertThat(command).endsWith("bookworm", "/cache/early-1/rootfs", "deb http://deb.debian.org/debian bookworm main");
  }

  @Test
  void removingTheListsLeavesWhatMmdebstrapsOwnCleanupLeaves(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path lists = java.nio.file.Files.createDirectories(dir.resolve("var/lib/apt/lists"));
    java.nio.file.Files.createDirectories(lists.resolve("partial"));
    java.nio.file.Files.createDirectories(lists.resolve("auxfiles"));
    java.nio.file.Files.writeString(lists.resolve("auxfiles/x"), "x");
    java.nio.file.Files.writeString(lists.resolve("lock"), "");
    java.nio.file.Files.writeString(lists.resolve("deb.debian.org_debian_dists_bookworm_InRelease"), "r");
    java.nio.file.Files.writeString(lists.resolve("deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages"), "p");
    Mmdebstrap.removeLists(lists);
    try (java.util.stream.Stream<Path> left = java.nio.file.Files.list(lists)) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("lock", "partial");
    }
    Mmdebstrap.removeLists(dir.resolve("missing")); // nothing to do
  }

  @Test
  void onlyAnExtractTreeIsBuiltEarly() {
    BaseRecipe extract = RoleLockTest.resolution(List.of("busybox-static"), RoleLockTest.BUSYBOX, RoleLockTest.LIBC).recipe();
    BaseRecipe minbase = BaseRecipe.base(new dev.herd.spec.Base.Debian("bookworm", dev.herd.spec.Base.Variant.MINBASE,
        "http://deb.debian.org/debian", List.of("nginx-light"), extract.location()), extract.architecture());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Mmdebstrap(new dev.herd.bake.run.ProcessRunner())
        .startEarly(minbase, Path.of("/nonexistent/rootfs"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("extract");
  }
}
