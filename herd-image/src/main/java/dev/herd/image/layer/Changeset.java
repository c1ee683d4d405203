package dev.herd.image.layer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The difference between two trees (lower → upper) as layer entries: added and changed paths,
 * plus OCI whiteouts for deletions. Two paths are the same when kind, mode, owner, size, content
 * and symlink target agree; mtimes are ignored (they never reach a layer anyway). A directory
 * that lost all (two or more) of its lower children gets one opaque whiteout instead of one per
 * child; a single deletion is a plain whiteout.
 */
public final class Changeset {
  private Changeset() {}

  /** Scans both trees and returns the entries of the layer that turns lower into upper. */
  public static List<LayerEntry> between(Path lower, Path upper, boolean allowDevices) {
    return between(Tree.scan(lower, allowDevices), Tree.scan(upper, allowDevices));
  }

  public static List<LayerEntry> between(Tree lower, Tree upper) {
    SortedSet<String> include = new TreeSet<>(PathOrder.UTF8);
    for (Map.Entry<String, Tree.Node> u : upper.nodes().entrySet()) {
      Tree.Node l = lower.get(u.getKey());
      if (l == null || changed(lower, l, upper, u.getValue())) {
        include.add(u.getKey());
      }
    }

    // Deleted paths, grouped by parent directory. A deleted directory's children go with it.
    Map<String, List<String>> deletedByParent = new HashMap<>();
    for (String p : lower.paths()) {
      if (upper.get(p) != null) {
        continue;
      }
      String parent = LayerEntry.parentOf(p);
      if (!parent.isEmpty()) {
        Tree.Node up = upper.get(parent);
        if (up == null || up.entry().kind() != LayerEntry.Kind.DIRECTORY || !isDir(lower.get(parent))) {
          continue; // the parent itself was deleted or replaced; that covers p
        }
      }
      deletedByParent.computeIfAbsent(parent, k -> new ArrayList<>()).add(p);
    }

    List<LayerEntry> whiteouts = new ArrayList<>();
    for (Map.Entry<String, List<String>> d : deletedByParent.entrySet()) {
      String dir = d.getKey();
      if (!dir.isEmpty() && d.getValue().size() > 1 && allLowerChildrenGone(lower, upper, dir)) {
        whiteouts.add(LayerEntry.opaque(dir));
        include.add(dir);
      } else {
        d.getValue().forEach(p -> whiteouts.add(LayerEntry.whiteout(p)));
      }
    }

    // Parents of everything in the layer come from upper with their real metadata.
    Set<String> withParents = new TreeSet<>(PathOrder.UTF8);
    for (String p : include) {
      addWithParents(p, withParents);
    }
    for (LayerEntry w : whiteouts) {
      String parent = LayerEntry.parentOf(w.path());
      if (!parent.isEmpty()) {
        addWithParents(parent, withParents);
      }
    }
    List<LayerEntry> out = new ArrayList<>(upper.entries(withParents));
    out.addAll(whiteouts);
    return out;
  }

  private static void addWithParents(String p, Set<String> into) {
    for (String q = p; !q.isEmpty() && into.add(q); q = LayerEntry.parentOf(q)) {
      // walk up until a parent is already present
    }
  }

  private static boolean isDir(Tree.Node n) {
    return n != null && n.entry().kind() == LayerEntry.Kind.DIRECTORY;
  }

  /** True when no direct child of lower's {@code dir} survives in upper. */
  private static boolean allLowerChildrenGone(Tree lower, Tree upper, String dir) {
    String prefix = dir + "/";
    for (String p : lower.nodes().tailMap(prefix).keySet()) {
      if (!p.startsWith(prefix)) {
        break;
      }
      if (p.indexOf('/', prefix.length()) < 0 && upper.get(p) != null) {
        return false;
      }
    }
    return true;
  }

  private static boolean changed(Tree lt, Tree.Node l, Tree ut, Tree.Node u) {
    LayerEntry a = l.entry();
    LayerEntry b = u.entry();
    if (a.kind() != b.kind() || a.mode() != b.mode() || a.uid() != b.uid() || a.gid() != b.gid()) {
      return true;
    }
    return switch (a.kind()) {
      // one inode is one content (a staging tree hard-linked to its lower tree): nothing to read
      case FILE, HARDLINK -> a.size() != b.size() || (a.size() > 0 && !l.inode().equals(u.inode())
          && !sameContent(lt.root().resolve(a.path()), ut.root().resolve(b.path())));
      case SYMLINK -> !a.linkTarget().equals(b.linkTarget());
      case CHAR_DEVICE, BLOCK_DEVICE -> a.devMajor() != b.devMajor() || a.devMinor() != b.devMinor();
      case DIRECTORY, FIFO -> false;
    };
  }

  private static boolean sameContent(Path a, Path b) {
    try {
      return Files.mismatch(a, b) == -1L;
    } catch (IOException e) {
      throw new LayerException("cannot compare " + a + " with " + b + ": " + e, e);
    }
  }
}
