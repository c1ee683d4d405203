package dev.herd.bake.tree;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Check mode: reads fall through to a real tree, writes are recorded in memory only, so a
 * later resource sees what an earlier one would have done (a directory that would be created,
 * an /etc/passwd that would gain a user) while nothing on disk changes.
 */
public final class SimulatedTree implements StagingTree {
  private sealed interface Entry {}

  private record FileEntry(byte[] content, int mode) implements Entry {}

  /** A directory created in the overlay: it hides whatever the base tree had below it. */
  private record DirEntry(int mode) implements Entry {}

  private record LinkEntry(String target) implements Entry {}

  private record Deleted() implements Entry {}

  private final StagingTree base;
  private final TreeMap<ImagePath, Entry> overlay = new TreeMap<>();
  private final Map<ImagePath, Integer> modeOverrides = new HashMap<>();

  public SimulatedTree(StagingTree base) {
    this.base = base;
  }

  /** Whether a write has been recorded (the report says so too; this is for tests). */
  public boolean hasPendingWrites() {
    return !overlay.isEmpty() || !modeOverrides.isEmpty();
  }

  /** Empty: ask the base tree. Present(empty): absent in the simulation. */
  private Optional<Optional<Node>> overlayLookup(ImagePath path) {
    Entry self = overlay.get(path);
    if (self != null) {
      return Optional.of(toNode(self));
    }
    ImagePath p = path;
    while (!p.isRoot()) {
      p = p.parent();
      if (overlay.containsKey(p)) {
        // An overlay ancestor is new (directory), deleted, or not a directory: nothing of the
        // base tree shows below it, and overlay children were found above if they exist.
        return Optional.of(Optional.empty());
      }
    }
    return Optional.empty();
  }

  private static Optional<Node> toNode(Entry e) {
    return switch (e) {
      case FileEntry f -> Optional.of(new Node(Node.Type.FILE, f.mode(), f.content().length));
      case DirEntry d -> Optional.of(new Node(Node.Type.DIRECTORY, d.mode(), 0));
      case LinkEntry l -> Optional.of(new Node(Node.Type.SYMLINK, 0777, l.target().length()));
      case Deleted x -> Optional.empty();
    };
  }

  @Override
  public Optional<Node> lstat(ImagePath path) {
    Optional<Optional<Node>> o = overlayLookup(path);
    if (o.isPresent()) {
      return o.get();
    }
    Optional<Node> n = base.lstat(path);
    Integer m = modeOverrides.get(path);
    return m == null ? n : n.map(x -> new Node(x.type(), m, x.size()));
  }

  @Override
  public String readLink(ImagePath path) {
    return overlay.get(path) instanceof LinkEntry l ? l.target() : base.readLink(path);
  }

  @Override
  public byte[] read(ImagePath path, int maxBytes) {
    Entry e = overlay.get(path);
    if (e instanceof FileEntry f) {
      return Arrays.copyOf(f.content(), Math.min(maxBytes, f.content().length));
    }
    return base.read(path, maxBytes);
  }

  @Override
  public List<String> list(ImagePath path) {
    TreeSet<String> names = new TreeSet<>();
    boolean fresh = overlay.get(path) instanceof DirEntry;
    if (!fresh) {
      names.addAll(base.list(path));
    }
    for (Map.Entry<ImagePath, Entry> e : overlay.tailMap(path, false).entrySet()) {
      ImagePath p = e.getKey();
      // No early exit: string order puts "/a-b" between "/a" and "/a/b".
      if (p.startsWith(path) && p.names().size() == path.names().size() + 1) {
        if (e.getValue() instanceof Deleted) {
          names.remove(p.fileName());
        } else {
          names.add(p.fileName());
        }
      }
    }
    return List.copyOf(names);
  }

  @Override
  public void writeFile(ImagePath path, byte[] content, int diskMode) {
    overlay.put(path, new FileEntry(content.clone(), diskMode));
  }

  @Override
  public void createDirectory(ImagePath path, int diskMode) {
    overlay.put(path, new DirEntry(diskMode));
  }

  @Override
  public void setDiskMode(ImagePath path, int diskMode) {
    Entry e = overlay.get(path);
    switch (e) {
      case FileEntry f -> overlay.put(path, new FileEntry(f.content(), diskMode));
      case DirEntry d -> overlay.put(path, new DirEntry(diskMode));
      case null, default -> modeOverrides.put(path, diskMode);
    }
  }

  @Override
  public void createSymlink(ImagePath path, String target) {
    overlay.put(path, new LinkEntry(target));
  }

  @Override
  public void remove(ImagePath path) {
    overlay.keySet().removeIf(p -> p.startsWith(path));
    modeOverrides.keySet().removeIf(p -> p.startsWith(path));
    overlay.put(path, new Deleted());
  }
}
