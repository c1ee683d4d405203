package dev.herd.bake.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Podman running on a {@code --rootfs} directory creates mount points in it (/etc/hosts,
 * /etc/hostname, /etc/resolv.conf, /etc/mtab, /proc, /sys, /run/.containerenv). They are the
 * runtime's, not the step's: whatever did not exist before the step is removed afterwards, and
 * the directories they were made in get their times back, so the layer holds only what the
 * step itself changed.
 */
final class RuntimeMounts {
  /** Deepest first, so a directory is examined after what podman put inside it. */
  private static final List<String> CANDIDATES =
      List.of("etc/hosts", "etc/hostname", "etc/resolv.conf", "etc/mtab", "run/.containerenv", "run/secrets", "proc", "sys", "dev", "run");
  private static final List<String> PARENTS = List.of("", "etc", "run");

  private final Path rootfs;
  private final Map<String, Boolean> existed = new HashMap<>();
  private final Map<String, FileTime> parentTimes = new HashMap<>();

  private RuntimeMounts(Path rootfs) {
    this.rootfs = rootfs;
  }

  /** Records what exists before podman touches {@code rootfs}. */
  static RuntimeMounts before(Path rootfs) {
    RuntimeMounts mounts = new RuntimeMounts(rootfs);
    for (String path : CANDIDATES) {
      mounts.existed.put(path, Files.exists(rootfs.resolve(path), LinkOption.NOFOLLOW_LINKS));
    }
    for (String parent : PARENTS) {
      Path dir = rootfs.resolve(parent);
      if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        try {
          mounts.parentTimes.put(parent, Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return mounts;
  }

  /** Removes the mount points podman created; keeps anything a step put there. */
  void cleanUp() {
    try {
      boolean removed = false;
      for (String path : CANDIDATES) {
        Path file = rootfs.resolve(path);
        if (existed.get(path) || !Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
          try (Stream<Path> children = Files.list(file)) {
            if (children.findAny().isPresent()) {
              continue; // the step wrote something here: that is its change to keep
            }
          }
        } else if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Files.size(file) > 0 && !path.equals("run/.containerenv")) {
          continue;
        }
        Files.delete(file);
        removed = true;
      }
      if (removed) {
        for (Map.Entry<String, FileTime> parent : parentTimes.entrySet()) {
          Path dir = rootfs.resolve(parent.getKey());
          if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.setLastModifiedTime(dir, parent.getValue());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove runtime mount points from " + rootfs + ": " + e.getMessage(), e);
    }
  }
}
