package dev.herd.bake.base;

import dev.herd.spec.Base;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Makes an mmdebstrap tree image-shaped and host-independent. mmdebstrap's own reproducibility
 * clean-up (logs, apt lists, caches) runs first; this removes what it deliberately leaves:
 * the host's resolv.conf and hostname, device nodes (the container runtime provides /dev), and
 * for the extract variant the apt/dpkg skeleton mmdebstrap made to download with (owned by the
 * host's _apt uid) and the placeholder fstab.
 */
final class RootfsCleanup {
  /** Where the extract hook leaves each .deb's control data for {@link #writeExtractStatus}. */
  static final String CONTROL_DROP = ".herd-control";

  private static final String MMDEBSTRAP_FSTAB = "# UNCONFIGURED FSTAB FOR BASE SYSTEM\n";

  private RootfsCleanup() {}

  /** The --extract-hook that saves control data before mmdebstrap deletes the .deb files. */
  static String extractHook() {
    return "mkdir -p \"$1/" + CONTROL_DROP + "\" && for deb in \"$1\"/var/cache/apt/archives/*.deb; do "
        + "dpkg-deb --field \"$deb\" > \"$1/" + CONTROL_DROP + "/$(basename \"$deb\").control\" || exit 1; done";
  }

  static void apply(Path rootfs, Base.Variant variant) {
    try {
      Files.deleteIfExists(rootfs.resolve("etc/resolv.conf"));
      Files.deleteIfExists(rootfs.resolve("etc/hostname"));
      Trees.emptyDirectory(rootfs.resolve("dev"));
      // "-old" copies are dpkg/debconf backups of the previous state: noise in an image
      for (String dir : List.of("var/lib/dpkg", "var/cache/debconf")) {
        deleteMatching(rootfs.resolve(dir), name -> name.endsWith("-old"));
      }
      if (variant == Base.Variant.EXTRACT) {
        writeExtractStatus(rootfs);
        Path fstab = rootfs.resolve("etc/fstab");
        if (Files.isRegularFile(fstab, LinkOption.NOFOLLOW_LINKS)
            && new String(Files.readAllBytes(fstab), StandardCharsets.UTF_8).equals(MMDEBSTRAP_FSTAB)) {
          Files.delete(fstab);
        }
        Files.deleteIfExists(rootfs.resolve("etc/apt/sources.list"));
        Files.deleteIfExists(rootfs.resolve("var/cache/apt/archives/lock"));
        Files.deleteIfExists(rootfs.resolve("var/lib/apt/lists/lock"));
        Files.deleteIfExists(rootfs.resolve("var/lib/dpkg/arch"));
        for (String dir : List.of("etc/apt", "etc/dpkg", "var/cache/apt", "var/lib/apt", "var/log/apt", "var/lib/dpkg/updates",
            "var/lib/dpkg/triggers", "var/lib/dpkg/alternatives", "var/lib/dpkg/info")) {
          Trees.pruneEmptyDirectories(rootfs.resolve(dir));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clean " + rootfs + ": " + e.getMessage(), e);
    }
  }

  /** Replaces the empty dpkg status of an extract tree with one listing the unpacked packages. */
  private static void writeExtractStatus(Path rootfs) throws IOException {
    Path drop = rootfs.resolve(CONTROL_DROP);
    if (!Files.isDirectory(drop)) {
      throw new BaseBuildException("the extract hook left no package control data in " + drop);
    }
    List<String> controls = new ArrayList<>();
    try (Stream<Path> files = Files.list(drop)) {
      for (Path file : files.sorted().toList()) {
        controls.add(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
      }
    }
    Path status = rootfs.resolve(DpkgDatabase.STATUS_PATH);
    Files.createDirectories(status.getParent());
    Files.writeString(status, DpkgDatabase.fromControlFiles(controls));
    Trees.deleteRecursively(drop);
  }

  private static void deleteMatching(Path dir, java.util.function.Predicate<String> name) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> name.test(f.getFileName().toString())).toList()) {
        Files.delete(file);
      }
    }
  }
}
