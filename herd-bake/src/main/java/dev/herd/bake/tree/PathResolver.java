package dev.herd.bake.tree;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * Resolves an image path inside a tree the way the kernel would inside a chroot, but refuses
 * instead of clamping: a {@code ..} above {@code /} (written or reached through a symlink) is
 * an error, absolute symlink targets restart at the image root (never the host root), and
 * every component is inspected with lstat semantics so no host symlink is ever followed.
 */
public final class PathResolver {
  /** Linux's limit (MAXSYMLINKS) on symlinks followed in one lookup. */
  static final int MAX_LINKS = 40;

  public enum Follow {
    /** Follow a symlink in the last component too (reading or writing a file's content). */
    ALL,
    /** Leave a symlink in the last component alone (creating/removing the link itself). */
    PARENTS_ONLY
  }

  private final StagingTree tree;

  public PathResolver(StagingTree tree) {
    this.tree = tree;
  }

  public ImagePath resolve(String imagePath, Follow follow, Origin origin) {
    if (imagePath == null || imagePath.isEmpty()) {
      throw new TreeException(origin, "path is empty");
    }
    if (imagePath.indexOf('\0') >= 0) {
      throw new TreeException(origin, "path \"" + printable(imagePath) + "\" contains a NUL byte");
    }
    if (!imagePath.startsWith("/")) {
      throw new TreeException(origin, "path \"" + imagePath + "\" must be absolute inside the image (start with /)");
    }
    Deque<String> todo = new ArrayDeque<>(split(imagePath));
    List<String> done = new ArrayList<>();
    int links = 0;
    String via = null; // the last symlink expanded, for the error message
    while (!todo.isEmpty()) {
      String name = todo.pollFirst();
      if (name.equals("..")) {
        if (done.isEmpty()) {
          throw new TreeException(origin, "path \"" + imagePath + "\" escapes the image root" + (via == null ? "" : " through symlink " + via));
        }
        done.removeLast();
        continue;
      }
      List<String> candidateNames = new ArrayList<>(done);
      candidateNames.add(name);
      ImagePath candidate = new ImagePath(candidateNames);
      boolean last = todo.isEmpty();
      Optional<Node> node = tree.lstat(candidate);
      if (node.isPresent() && node.get().isSymlink() && (!last || follow == Follow.ALL)) {
        if (++links > MAX_LINKS) {
          throw new TreeException(origin, "path \"" + imagePath + "\": too many levels of symbolic links (a loop at " + candidate + "?)");
        }
        String target = tree.readLink(candidate);
        if (target.isEmpty()) {
          throw new TreeException(origin, "path \"" + imagePath + "\": symlink " + candidate + " has an empty target");
        }
        via = candidate + " -> " + target;
        List<String> parts = split(target);
        for (int i = parts.size() - 1; i >= 0; i--) {
          todo.addFirst(parts.get(i));
        }
        if (target.startsWith("/")) {
          done.clear(); // chroot semantics: absolute targets start at the image root
        }
        continue;
      }
      if (node.isPresent() && !last && !node.get().isDirectory()) {
        throw new TreeException(origin, "path \"" + imagePath + "\": " + candidate + " is not a directory");
      }
      done.add(name);
    }
    return new ImagePath(done);
  }

  /** Splits a path into names, dropping empty names and {@code .} (keeps {@code ..}). */
  static List<String> split(String path) {
    List<String> names = new ArrayList<>();
    for (String n : path.split("/")) {
      if (!n.isEmpty() && !n.equals(".")) {
        names.add(n);
      }
    }
    return names;
  }

  private static String printable(String s) {
    return s.replace("\0", "\\0");
  }
}
