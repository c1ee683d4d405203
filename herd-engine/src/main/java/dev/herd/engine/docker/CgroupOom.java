package dev.herd.engine.docker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A container's count of OOM kills, read from its memory cgroup on this host. Engines report an
 * {@code oom} event at best when the container's main process dies of it (Podman 4.3 reports none
 * at all when a helper process such as a writer filling a tmpfs is killed and the main process
 * keeps running), but the kernel counts every kill in the cgroup: {@code oom_kill} in
 * {@code memory.events} (cgroup v2) or {@code memory.oom_control} (cgroup v1). The cgroup is found
 * through the container's main process ({@code /proc/<pid>/cgroup}); a remote engine has no such
 * files and is simply not watched this way.
 */
final class CgroupOom {
  private final Path proc;
  private final Path cgroupRoot;

  CgroupOom(Path proc, Path cgroupRoot) {
    this.proc = proc;
    this.cgroupRoot = cgroupRoot;
  }

  static CgroupOom host() {
    return new CgroupOom(Path.of("/proc"), Path.of("/sys/fs/cgroup"));
  }

  /** The file holding the kill counter of the container whose main process is {@code pid}. */
  Optional<Path> counterFile(long pid) {
    String cgroups;
    try {
      cgroups = Files.readString(proc.resolve(Long.toString(pid)).resolve("cgroup"));
    } catch (IOException e) {
      return Optional.empty();
    }
    String v1 = null;
    String v2 = null;
    for (String line : cgroups.split("\n")) {
      String[] f = line.split(":", 3);
      if (f.length < 3) {
        continue;
      }
      if (f[0].equals("0") && f[1].isEmpty()) {
        v2 = f[2];
      } else if (java.util.Arrays.asList(f[1].split(",")).contains("memory")) {
        v1 = f[2];
      }
    }
    if (v1 != null) {
      Path p = cgroupRoot.resolve("memory").resolve(relative(v1)).resolve("memory.oom_control");
      if (Files.isReadable(p)) {
        return Optional.of(p);
      }
    }
    if (v2 != null) {
      Path p = cgroupRoot.resolve(relative(v2)).resolve("memory.events");
      if (Files.isReadable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** The {@code oom_kill} value in a counter file, empty when it cannot be read. */
  static OptionalLong read(Path counterFile) {
    try {
      return parse(Files.readString(counterFile));
    } catch (IOException e) {
      return OptionalLong.empty();
    }
  }

  static OptionalLong parse(String text) {
    for (String line : text.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 2 && f[0].equals("oom_kill")) {
        try {
          return OptionalLong.of(Long.parseLong(f[1]));
        } catch (NumberFormatException e) {
          return OptionalLong.empty();
        }
      }
    }
    return OptionalLong.empty();
  }

  private static String relative(String cgroupPath) {
    String p = cgroupPath.strip();
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    return p;
  }
}
