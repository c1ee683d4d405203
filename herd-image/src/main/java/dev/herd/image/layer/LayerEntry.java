package dev.herd.image.layer;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One entry of a layer: a path relative to the image root ({@code etc/hosts}, no leading slash),
 * its kind, permission bits (including setuid/setgid/sticky) and numeric owner. Regular files
 * name a {@code source} file whose bytes are streamed when the layer is written. There is no
 * mtime: every entry gets the layer's epoch.
 */
public record LayerEntry(
    String path,
    Kind kind,
    int mode,
    long uid,
    long gid,
    long size,
    Path source,
    String linkTarget,
    int devMajor,
    int devMinor) {

  /** The kinds of entry a layer holds; tar type bits come from here, not from the mode. */
  public enum Kind {
    FILE(0100000),
    DIRECTORY(0040000),
    SYMLINK(0120000),
    HARDLINK(0100000),
    CHAR_DEVICE(0020000),
    BLOCK_DEVICE(0060000),
    FIFO(0010000);

    final int typeBits;

    Kind(int typeBits) {
      this.typeBits = typeBits;
    }
  }

  /** OCI whiteout prefix: {@code dir/.wh.name} deletes {@code dir/name} from lower layers. */
  public static final String WHITEOUT_PREFIX = ".wh.";
  /** OCI opaque marker: {@code dir/.wh..wh..opq} hides everything lower layers put in dir. */
  public static final String OPAQUE = ".wh..wh..opq";

  public LayerEntry {
    checkPath(path);
    Objects.requireNonNull(kind, "kind");
    if ((mode & ~07777) != 0) {
      throw new IllegalArgumentException(path + ": mode " + Integer.toOctalString(mode) + " has bits beyond 07777");
    }
    if (uid < 0 || gid < 0) {
      throw new IllegalArgumentException(path + ": negative uid/gid");
    }
    if (kind == Kind.FILE) {
      if (size < 0) {
        throw new IllegalArgumentException(path + ": negative size");
      }
      if (size > 0 && source == null) {
        throw new IllegalArgumentException(path + ": a non-empty file needs a source");
      }
    } else if (size != 0 || source != null) {
      throw new IllegalArgumentException(path + ": only regular files have content");
    }
    boolean link = kind == Kind.SYMLINK || kind == Kind.HARDLINK;
    if (link == (linkTarget == null || linkTarget.isEmpty())) {
      throw new IllegalArgumentException(path + (link ? ": a link needs a target" : ": only links have a target"));
    }
    if (kind == Kind.HARDLINK) {
      checkPath(linkTarget);
    }
    if (kind == Kind.SYMLINK) {
      mode = 0777; // symlink permissions mean nothing on Linux; fixed so they never differ
    }
  }

  public static LayerEntry file(String path, Path source, long size, int mode, long uid, long gid) {
    return new LayerEntry(path, Kind.FILE, mode, uid, gid, size, size == 0 ? null : source, null, 0, 0);
  }

  public static LayerEntry directory(String path, int mode, long uid, long gid) {
    return new LayerEntry(path, Kind.DIRECTORY, mode, uid, gid, 0, null, null, 0, 0);
  }

  public static LayerEntry symlink(String path, String target, long uid, long gid) {
    return new LayerEntry(path, Kind.SYMLINK, 0777, uid, gid, 0, null, target, 0, 0);
  }

  /** A hard link to {@code target}, which must be a regular file earlier in the same layer. */
  public static LayerEntry hardlink(String path, String target, int mode, long uid, long gid) {
    return new LayerEntry(path, Kind.HARDLINK, mode, uid, gid, 0, null, target, 0, 0);
  }

  public static LayerEntry device(String path, Kind kind, int mode, long uid, long gid, int major, int minor) {
    if (kind != Kind.CHAR_DEVICE && kind != Kind.BLOCK_DEVICE && kind != Kind.FIFO) {
      throw new IllegalArgumentException(path + ": " + kind + " is not a device kind");
    }
    return new LayerEntry(path, kind, mode, uid, gid, 0, null, null, major, minor);
  }

  /** The whiteout that deletes {@code path} (a file or whole directory) from lower layers. */
  public static LayerEntry whiteout(String path) {
    String parent = parentOf(path);
    String name = WHITEOUT_PREFIX + path.substring(path.lastIndexOf('/') + 1);
    return file(parent.isEmpty() ? name : parent + "/" + name, null, 0, 0, 0, 0);
  }

  /** The opaque marker that hides everything lower layers put in directory {@code dir}. */
  public static LayerEntry opaque(String dir) {
    return file(dir + "/" + OPAQUE, null, 0, 0, 0, 0);
  }

  public String name() {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  public boolean isWhiteout() {
    return name().startsWith(WHITEOUT_PREFIX);
  }

  /** The parent path, or "" for entries at the root. */
  public static String parentOf(String path) {
    int i = path.lastIndexOf('/');
    return i < 0 ? "" : path.substring(0, i);
  }

  /**
   * Turns {@code /etc/hosts}, {@code ./etc/hosts} or {@code etc//hosts/} into {@code etc/hosts};
   * {@code ..} components are refused.
   */
  public static String cleanPath(String p) {
    StringBuilder out = new StringBuilder();
    for (String part : p.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        throw new IllegalArgumentException("path '" + p + "' has a '..' component");
      }
      if (!out.isEmpty()) {
        out.append('/');
      }
      out.append(part);
    }
    return out.toString();
  }

  private static void checkPath(String p) {
    if (p == null || p.isEmpty()) {
      throw new IllegalArgumentException("layer entry path is empty");
    }
    if (p.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("layer entry path contains NUL: " + p.replace('\0', '?'));
    }
    if (!cleanPath(p).equals(p)) {
      throw new IllegalArgumentException("layer entry path '" + p + "' is not clean (relative, no '.', '..' or empty parts)");
    }
  }
}
