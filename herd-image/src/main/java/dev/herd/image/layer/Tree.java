package dev.herd.image.layer;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A snapshot of a directory tree's metadata (a staged rootfs): kind, mode, owner, size, link
 * target and inode of every path, in byte order. File contents stay on disk and are streamed when
 * a layer is written. Hard links are detected by inode; in a layer the first path of a group (in
 * byte order) carries the content and the others link to it.
 */
public final class Tree {
  private static final Logger log = LoggerFactory.getLogger(Tree.class);

  /** One path in the tree. {@code inode} identifies hard-link groups ({@code dev:ino}). */
  public record Node(LayerEntry entry, String inode, int nlink) {}

  private final Path root;
  private final SortedMap<String, Node> nodes;

  private Tree(Path root, SortedMap<String, Node> nodes) {
    this.root = root;
    this.nodes = nodes;
  }

  /**
   * Scans {@code root} without following symlinks. Device nodes and fifos are refused unless
   * {@code allowDevices}; sockets are skipped (tar cannot hold them; they are runtime artefacts).
   */
  public static Tree scan(Path root, boolean allowDevices) {
    Path r = root.toAbsolutePath().normalize();
    if (!Files.isDirectory(r, LinkOption.NOFOLLOW_LINKS)) {
      throw new LayerException("cannot scan " + r + ": not a directory");
    }
    SortedMap<String, Node> nodes = new TreeMap<>(PathOrder.UTF8);
    try {
      walk(r, r, "", allowDevices, nodes);
    } catch (IOException e) {
      throw new LayerException("cannot scan " + r + ": " + e, e);
    }
    return new Tree(r, nodes);
  }

  private static void walk(Path root, Path dir, String prefix, boolean allowDevices, SortedMap<String, Node> out)
      throws IOException {
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      ds.forEach(children::add);
    }
    for (Path child : children) {
      String rel = prefix.isEmpty() ? child.getFileName().toString() : prefix + "/" + child.getFileName();
      Node node = node(root, child, rel, allowDevices);
      if (node == null) {
        continue;
      }
      out.put(rel, node);
      if (node.entry().kind() == LayerEntry.Kind.DIRECTORY) {
        walk(root, child, rel, allowDevices, out);
      }
    }
  }

  private static Node node(Path root, Path p, String rel, boolean allowDevices) throws IOException {
    Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,ino,dev,nlink,rdev,size", LinkOption.NOFOLLOW_LINKS);
    int rawMode = (Integer) a.get("mode");
    int perm = rawMode & 07777;
    long uid = ((Number) a.get("uid")).longValue();
    long gid = ((Number) a.get("gid")).longValue();
    int nlink = ((Number) a.get("nlink")).intValue();
    String inode = a.get("dev") + ":" + a.get("ino");
    LayerEntry e;
    switch (rawMode & 0170000) {
      case 0100000 -> e = LayerEntry.file(rel, p, (Long) a.get("size"), perm, uid, gid);
      case 0040000 -> e = LayerEntry.directory(rel, perm, uid, gid);
      case 0120000 -> e = LayerEntry.symlink(rel, Files.readSymbolicLink(p).toString(), uid, gid);
      case 0020000, 0060000, 0010000 -> {
        LayerEntry.Kind kind = switch (rawMode & 0170000) {
          case 0020000 -> LayerEntry.Kind.CHAR_DEVICE;
          case 0060000 -> LayerEntry.Kind.BLOCK_DEVICE;
          default -> LayerEntry.Kind.FIFO;
        };
        long rdev = ((Number) a.get("rdev")).longValue();
        int major = (int) (((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL));
        int minor = (int) ((rdev & 0xff) | ((rdev >>> 12) & ~0xffL));
        if (!allowDevices) {
          throw new LayerException(rel + " in " + root + " is a " + kind.name().toLowerCase().replace('_', ' ')
              + (kind == LayerEntry.Kind.FIFO ? "" : " (" + major + "," + minor + ")")
              + "; device nodes and fifos are refused unless devices are allowed for this image");
        }
        e = LayerEntry.device(rel, kind, perm, uid, gid, major, minor);
      }
      default -> {
        log.warn("skipping socket {} in {}: tar layers cannot hold sockets", rel, root);
        return null;
      }
    }
    return new Node(e, inode, nlink);
  }

  public Path root() {
    return root;
  }

  /** All nodes by path, in byte order. */
  public SortedMap<String, Node> nodes() {
    return java.util.Collections.unmodifiableSortedMap(nodes);
  }

  public Node get(String path) {
    return nodes.get(path);
  }

  /** Every path of the tree as layer entries (hard links resolved). */
  public List<LayerEntry> entries() {
    return entries(nodes.keySet());
  }

  /**
   * The given paths as layer entries. A regular file linked to others (nlink &gt; 1) brings its
   * whole hard-link group along, so every link's target is in the same layer.
   */
  public List<LayerEntry> entries(Collection<String> paths) {
    Map<String, List<String>> groups = new HashMap<>();
    for (Map.Entry<String, Node> n : nodes.entrySet()) {
      if (n.getValue().entry().kind() == LayerEntry.Kind.FILE && n.getValue().nlink() > 1) {
        groups.computeIfAbsent(n.getValue().inode(), k -> new ArrayList<>()).add(n.getKey());
      }
    }
    SortedMap<String, Node> wanted = new TreeMap<>(PathOrder.UTF8);
    for (String p : paths) {
      Node n = nodes.get(p);
      if (n == null) {
        throw new LayerException("no path " + p + " in " + root);
      }
      wanted.put(p, n);
      List<String> group = groups.get(n.inode());
      if (group != null && n.entry().kind() == LayerEntry.Kind.FILE) {
        group.forEach(g -> wanted.put(g, nodes.get(g)));
      }
    }
    Map<String, String> firstOfGroup = new HashMap<>();
    List<LayerEntry> out = new ArrayList<>(wanted.size());
    for (Map.Entry<String, Node> w : wanted.entrySet()) {
      LayerEntry e = w.getValue().entry();
      if (groups.containsKey(w.getValue().inode()) && e.kind() == LayerEntry.Kind.FILE) {
        String first = firstOfGroup.putIfAbsent(w.getValue().inode(), w.getKey());
        if (first != null) {
          e = LayerEntry.hardlink(w.getKey(), first, e.mode(), e.uid(), e.gid());
        }
      }
      out.add(e);
    }
    return out;
  }

  /** Paths of the tree, in byte order. */
  public Set<String> paths() {
    return nodes.keySet();
  }
}
