package dev.herd.common.files;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;

/**
 * The one way herd creates files in its state directory: directories 0700, files 0600, set
 * explicitly on creation (never taken from the umask, which may be 000 or 022) and repaired
 * on the state directory itself when it is opened. Java cannot change the process umask, so
 * every creation here asks for the mode and then sets it exactly (the umask can only remove
 * bits from what {@code open}/{@code mkdir} ask for, and a umask like 0277 removes too many).
 */
public final class PrivateFiles {
  public static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
  public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> GROUP_OR_OTHER = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private PrivateFiles() {}

  /**
   * The user a file is for when it is not herd's own: a node's files (its /etc/herd, its
   * secrets) belong to the uid/gid its process runs as, still with owner-only modes.
   */
  public record Owner(int uid, int gid) {
    public Owner {
      if (uid < 0 || gid < 0) {
        throw new IllegalArgumentException("uid and gid must be >= 0, got " + uid + ":" + gid);
      }
    }
  }

  /**
   * Gives {@code p} (a file herd just created, not a symlink) to {@code owner}. Only root can
   * give files away: a herd running as another user keeps them (its nodes then read them only
   * as root in the container, or as that same user). Returns whether the owner was set.
   */
  public static boolean chown(Path p, Owner owner) throws IOException {
    if (owner == null || !p.getFileSystem().supportedFileAttributeViews().contains("unix")) {
      return false;
    }
    int me = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    if (me != 0) {
      return false;
    }
    Files.setAttribute(p, "unix:uid", owner.uid(), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(p, "unix:gid", owner.gid(), LinkOption.NOFOLLOW_LINKS);
    return true;
  }

  /** What {@link #openStateDir} did, so the caller can log a repair. */
  public record StateDir(Path dir, boolean created, String repairedFrom) {
    public boolean repaired() {
      return repairedFrom != null;
    }
  }

  /**
   * Creates the state directory 0700 (its parents as the user's own, e.g. the project
   * directory) or, when it exists with group or other bits, sets it back to 0700: whatever is
   * inside is then out of reach of other users even if some file in it is not 0600.
   */
  public static StateDir openStateDir(Path dir) {
    try {
      if (!Files.isDirectory(dir)) {
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        boolean created = createDir(dir);
        return new StateDir(dir, created, null);
      }
      if (!posix(dir)) {
        return new StateDir(dir, false, null);
      }
      Set<PosixFilePermission> now = Files.getPosixFilePermissions(dir);
      if (now.equals(DIR)) {
        return new StateDir(dir, false, null);
      }
      Files.setPosixFilePermissions(dir, DIR);
      return new StateDir(dir, false, PosixFilePermissions.toString(now));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create or secure the state directory " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Like {@link Files#createDirectories}, every directory it creates 0700; existing ones are left as they are. */
  public static Path directories(Path dir) throws IOException {
    Path abs = dir.toAbsolutePath();
    if (Files.isDirectory(abs)) {
      return dir;
    }
    Path parent = abs.getParent();
    if (parent != null) {
      directories(parent);
    }
    createDir(abs);
    return dir;
  }

  /** Creates one directory 0700; false when it already existed (as a directory). */
  public static boolean createDir(Path dir) throws IOException {
    try {
      Files.createDirectory(dir, attribute(DIR, dir));
    } catch (FileAlreadyExistsException e) {
      if (Files.isDirectory(dir)) {
        return false;
      }
      throw e;
    }
    restrict(dir, DIR);
    return true;
  }

  /** Creates (or truncates) {@code file} 0600 and opens it for writing. */
  public static OutputStream newOutputStream(Path file, OpenOption... extra) throws IOException {
    return Channels.newOutputStream(newChannel(file, extra));
  }

  /**
   * Opens {@code file} for writing with {@code options} (none: create or truncate), created
   * 0600; an existing file opened this way is set to 0600 too.
   */
  public static FileChannel newChannel(Path file, OpenOption... extra) throws IOException {
    Set<OpenOption> options = new java.util.HashSet<>(java.util.List.of(extra));
    if (options.isEmpty()) {
      options.add(StandardOpenOption.CREATE);
      options.add(StandardOpenOption.TRUNCATE_EXISTING);
    }
    options.add(StandardOpenOption.WRITE);
    FileChannel ch = FileChannel.open(file, options, attribute(FILE, file));
    try {
      restrict(file, FILE);
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    return ch;
  }

  /** Writes {@code bytes} to {@code file} (created or truncated, 0600). */
  public static void write(Path file, byte[] bytes) throws IOException {
    try (OutputStream out = newOutputStream(file)) {
      out.write(bytes);
    }
  }

  /** Creates an empty 0600 file; false when it already existed. */
  public static boolean createFile(Path file) throws IOException {
    try {
      Files.createFile(file, attribute(FILE, file));
    } catch (FileAlreadyExistsException e) {
      return false;
    }
    restrict(file, FILE);
    return true;
  }

  /**
   * Replaces {@code file} atomically with {@code bytes}: written to a 0600 temporary file in the
   * same directory, forced to disk, then moved over it, so readers see the old or the new content.
   */
  public static void replace(Path file, byte[] bytes) throws IOException {
    Path tmp = file.resolveSibling("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (FileChannel ch = newChannel(tmp, StandardOpenOption.CREATE_NEW)) {
        ch.write(java.nio.ByteBuffer.wrap(bytes));
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Sets exactly {@code perms} (on POSIX file systems; elsewhere a no-op). */
  public static void restrict(Path p, Set<PosixFilePermission> perms) throws IOException {
    if (posix(p)) {
      Files.setPosixFilePermissions(p, perms);
    }
  }

  /** True when {@code p} (which must exist) can be read or written by anyone but its owner. */
  public static boolean exposed(Path p) throws IOException {
    if (!posix(p)) {
      return false;
    }
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
    perms.retainAll(GROUP_OR_OTHER);
    return !perms.isEmpty();
  }

  private static FileAttribute<?>[] attribute(Set<PosixFilePermission> perms, Path p) {
    return posixFs(p) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(perms)} : new FileAttribute<?>[0];
  }

  private static boolean posix(Path p) {
    return posixFs(p);
  }

  private static boolean posixFs(Path p) {
    return p.getFileSystem().supportedFileAttributeViews().contains("posix");
  }
}
