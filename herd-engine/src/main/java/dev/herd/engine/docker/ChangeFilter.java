package dev.herd.engine.docker;

import dev.herd.engine.FsChange;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Drops the changes the engine makes itself (mount points for /etc/herd, /run/secrets,
 * tmpfs, /etc/hosts ...), and directories marked modified only because something beneath them
 * changed, so what remains is what someone did to the node.
 */
final class ChangeFilter {
  /** Mount points Podman and Docker create in every container. */
  static final Set<String> ENGINE_MOUNTS = Set.of(
      "/dev", "/dev/shm", "/proc", "/sys", "/run", "/tmp", "/var/tmp", "/run/.containerenv",
      "/etc/hosts", "/etc/hostname", "/etc/resolv.conf");

  private ChangeFilter() {}

  static List<FsChange> filter(List<FsChange> changes, Collection<String> nodeMounts) {
    Set<String> mounts = new TreeSet<>(ENGINE_MOUNTS);
    mounts.addAll(nodeMounts);
    List<FsChange> kept = new ArrayList<>();
    for (FsChange c : changes) {
      if (c.kind() != FsChange.Kind.DELETED && isMountOrAncestor(c.path(), mounts)) {
        continue;
      }
      kept.add(c);
    }
    List<FsChange> out = new ArrayList<>();
    for (FsChange c : kept) {
      boolean parentOnly = c.kind() == FsChange.Kind.MODIFIED
          && kept.stream().anyMatch(o -> o != c && o.path().startsWith(c.path().equals("/") ? "/" : c.path() + "/"));
      if (!parentOnly) {
        out.add(c);
      }
    }
    out.sort(java.util.Comparator.comparing(FsChange::path));
    return out;
  }

  private static boolean isMountOrAncestor(String path, Set<String> mounts) {
    String prefix = path.equals("/") ? "/" : path + "/";
    for (String m : mounts) {
      if (m.equals(path) || m.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }
}
