package dev.herd.bake.tree;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * Copy on first change for a staging tree made of hard links to a cached tree: before a path's
 * mode or owner changes in place, a non-directory that shares its inode gets one of its own (a
 * copy beside it, renamed over it), so the cached tree never changes. Directories are never
 * shared (the staging tree has its own), and content is always written through a new file.
 */
public final class OwnInode {
  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

  private OwnInode() {}

  /** Gives {@code p} an inode of its own when it shares one; true when it did. */
  public static boolean own(Path p) throws IOException {
    if (!Files.exists(p, NOFOLLOW) || Files.isDirectory(p, NOFOLLOW)) {
      return false;
    }
    Map<String, Object> a = Files.readAttributes(p, "unix:nlink,uid,gid", NOFOLLOW);
    if (((Number) a.get("nlink")).intValue() <= 1) {
      return false;
    }
    Path tmp = p.resolveSibling(".herd-own-" + Long.toUnsignedString(System.nanoTime(), 36) + "-" + p.getFileName());
    if (Files.isSymbolicLink(p)) {
      Files.createSymbolicLink(tmp, Files.readSymbolicLink(p));
    } else if (Files.isRegularFile(p, NOFOLLOW)) {
      Files.copy(p, tmp, StandardCopyOption.COPY_ATTRIBUTES, NOFOLLOW);
    } else {
      // a device node or fifo: only a Debian or image base with allowDevices has them, and
      // such roles stage on a full copy
      throw new IOException("cannot give " + p + " an inode of its own (not a file or symlink)");
    }
    try {
      if ("root".equals(System.getProperty("user.name"))) {
        Files.setAttribute(tmp, "unix:uid", a.get("uid"), NOFOLLOW);
        Files.setAttribute(tmp, "unix:gid", a.get("gid"), NOFOLLOW);
      }
      Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return true;
  }
}
