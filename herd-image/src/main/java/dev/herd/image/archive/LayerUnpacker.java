package dev.herd.image.archive;

import dev.herd.image.oci.ImageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Applies layer tars, in order, to a root directory, with OCI whiteouts. Nothing is ever written
 * outside the root: entry names with {@code ..} or a leading {@code /} are refused, no write goes
 * through a symlink (an entry whose parent path contains a symlink is refused; an existing
 * symlink at an entry's own path is replaced, never followed), hard links must name a regular file
 * already inside the root, and a relative symlink whose target climbs above the root is refused.
 * Absolute symlink targets ({@code /usr/bin/python3}) are allowed: inside an image they resolve
 * against the image root, and herd never follows them on the host.
 */
final class LayerUnpacker {
  private static final String WH = ".wh.";
  private static final String OPAQUE = ".wh..wh..opq";

  private final Path root;
  private final boolean allowDevices;
  private final ImportLimits limits;
  private final boolean canChown;
  private long entries;
  private long bytes;

  LayerUnpacker(Path root, boolean allowDevices, ImportLimits limits) {
    this.root = root.toAbsolutePath().normalize();
    this.allowDevices = allowDevices;
    this.limits = limits;
    this.canChown = "root".equals(System.getProperty("user.name"));
  }

  long entries() {
    return entries;
  }

  long bytes() {
    return bytes;
  }

  /** Applies one uncompressed layer tar; {@code where} names archive and layer for errors. */
  void apply(InputStream tarStream, String where) throws IOException {
    Set<String> createdHere = new HashSet<>();
    List<Runnable> dirModes = new ArrayList<>();
    TarArchiveInputStream tar = new TarArchiveInputStream(tarStream, "UTF-8");
    TarArchiveEntry e;
    while ((e = tar.getNextEntry()) != null) {
      String raw = e.getName();
      if (++entries > limits.maxEntries()) {
        throw refuse(where, raw, "the image has more than " + limits.maxEntries() + " entries (import limit)");
      }
      String name = cleanName(raw, where);
      if (name.isEmpty()) {
        continue; // the root directory itself
      }
      if (e.isFile() && e.getSize() > 0) {
        bytes += e.getSize();
        if (bytes > limits.maxBytes()) {
          throw refuse(where, raw, "the image is larger than " + limits.maxBytes() + " bytes uncompressed (import limit)");
        }
      }
      String base = name.substring(name.lastIndexOf('/') + 1);
      String parent = name.contains("/") ? name.substring(0, name.lastIndexOf('/')) : "";
      Path parentDir = safeParentDir(parent, where, raw);
      if (base.equals(OPAQUE)) {
        clearDir(parentDir, parent, createdHere);
        continue;
      }
      if (base.startsWith(WH)) {
        String victim = (parent.isEmpty() ? "" : parent + "/") + base.substring(WH.length());
        if (!createdHere.contains(victim)) {
          deleteTree(parentDir.resolve(base.substring(WH.length())));
        }
        continue;
      }
      Path target = parentDir.resolve(base);
      BasicFileAttributes existing = attrs(target);
      if (existing != null && !(existing.isDirectory() && e.isDirectory())) {
        deleteTree(target);
      }
      if (e.isDirectory()) {
        if (existing == null || !existing.isDirectory()) {
          Files.createDirectory(target);
        }
        TarArchiveEntry dirEntry = e;
        dirModes.add(() -> metadata(target, dirEntry, where));
      } else if (e.isSymbolicLink()) {
        checkSymlinkTarget(name, e.getLinkName(), where, raw);
        Files.createSymbolicLink(target, Path.of(e.getLinkName()));
        chown(target, e);
      } else if (e.isLink()) {
        Path linked = hardlinkTarget(e.getLinkName(), where, raw);
        Files.createLink(target, linked);
      } else if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
        if (!allowDevices) {
          String what = e.isFIFO() ? "fifo" : (e.isCharacterDevice() ? "character device" : "block device")
              + " (" + e.getDevMajor() + "," + e.getDevMinor() + ")";
          throw refuse(where, raw, "is a " + what + "; device nodes are refused unless allowDevices is set for this base");
        }
        mknod(target, e, where, raw); // sets mode and owner too: opening a fifo to chmod it would block
      } else if (e.isFile()) {
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
          long copied = tar.transferTo(out);
          if (copied != e.getSize()) {
            throw refuse(where, raw, "is truncated: " + copied + " of " + e.getSize() + " bytes");
          }
        } catch (FileAlreadyExistsException x) {
          throw refuse(where, raw, "appeared twice while being written");
        }
        metadata(target, e, where);
      } else {
        throw refuse(where, raw, "has unsupported tar type '" + (char) typeFlag(e) + "'");
      }
      // The entry and its parents now belong to this layer (an opaque marker must spare them).
      for (String n = name; !n.isEmpty() && createdHere.add(n); n = n.contains("/") ? n.substring(0, n.lastIndexOf('/')) : "") {
        // walk up
      }
    }
    // Directory modes last: a read-only directory must not stop its own children being written.
    for (int i = dirModes.size() - 1; i >= 0; i--) {
      dirModes.get(i).run();
    }
  }

  private static byte typeFlag(TarArchiveEntry e) {
    return e.isGNUSparse() ? (byte) 'S' : (byte) '?';
  }

  private UnsafeArchiveException refuse(String where, String entry, String why) {
    return new UnsafeArchiveException(where + ": entry '" + entry + "' " + why);
  }

  private String cleanName(String raw, String where) {
    if (raw.indexOf('\0') >= 0) {
      throw refuse(where, raw.replace('\0', '?'), "contains a NUL byte");
    }
    if (raw.startsWith("/")) {
      throw refuse(where, raw, "is an absolute path");
    }
    StringBuilder out = new StringBuilder();
    for (String part : raw.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        throw refuse(where, raw, "has a '..' component");
      }
      if (!out.isEmpty()) {
        out.append('/');
      }
      out.append(part);
    }
    return out.toString();
  }

  /**
   * The directory for {@code parent}, created as needed, every component a real directory under
   * the root. A symlink or a file on the way means the entry would land elsewhere: refused.
   */
  private Path safeParentDir(String parent, String where, String raw) throws IOException {
    Path dir = root;
    if (parent.isEmpty()) {
      return dir;
    }
    for (String part : parent.split("/")) {
      dir = dir.resolve(part);
      BasicFileAttributes a = attrs(dir);
      if (a == null) {
        Files.createDirectory(dir);
      } else if (a.isSymbolicLink()) {
        throw refuse(where, raw, "would be written through symlink " + root.relativize(dir) + " -> " + Files.readSymbolicLink(dir));
      } else if (!a.isDirectory()) {
        throw refuse(where, raw, "needs " + root.relativize(dir) + " to be a directory, but it is a file");
      }
    }
    return dir;
  }

  private void checkSymlinkTarget(String name, String target, String where, String raw) {
    if (target.isEmpty()) {
      throw refuse(where, raw, "is a symlink with an empty target");
    }
    if (target.indexOf('\0') >= 0) {
      throw refuse(where, raw, "is a symlink whose target contains a NUL byte");
    }
    if (target.startsWith("/")) {
      return; // resolved against the image root at run time; herd never follows it on the host
    }
    Deque<String> stack = new ArrayDeque<>();
    String parent = name.contains("/") ? name.substring(0, name.lastIndexOf('/')) : "";
    for (String p : parent.split("/")) {
      if (!p.isEmpty()) {
        stack.addLast(p);
      }
    }
    for (String p : target.split("/")) {
      if (p.isEmpty() || p.equals(".")) {
        continue;
      }
      if (p.equals("..")) {
        if (stack.isEmpty()) {
          throw refuse(where, raw, "is a symlink to '" + target + "', which resolves outside the image root");
        }
        stack.removeLast();
      } else {
        stack.addLast(p);
      }
    }
  }

  private Path hardlinkTarget(String linkName, String where, String raw) throws IOException {
    if (linkName.startsWith("/")) {
      throw refuse(where, raw, "is a hard link to absolute path '" + linkName + "'");
    }
    String clean;
    try {
      clean = cleanName(linkName, where);
    } catch (UnsafeArchiveException x) {
      throw refuse(where, raw, "is a hard link to '" + linkName + "', outside the image root");
    }
    if (clean.isEmpty()) {
      throw refuse(where, raw, "is a hard link to the image root");
    }
    String parent = clean.contains("/") ? clean.substring(0, clean.lastIndexOf('/')) : "";
    Path dir = safeParentDir(parent, where, raw);
    Path linked = dir.resolve(clean.substring(clean.lastIndexOf('/') + 1));
    BasicFileAttributes a = attrs(linked);
    if (a == null || !a.isRegularFile()) {
      throw refuse(where, raw, "is a hard link to '" + linkName + "', which is not a regular file already in the image");
    }
    return linked;
  }

  private void mknod(Path target, TarArchiveEntry e, String where, String raw) throws IOException {
    String mode = Integer.toOctalString(e.getMode() & 07777);
    run(e.isFIFO()
        ? List.of("mkfifo", "-m", mode, "--", target.toString())
        : List.of("mknod", "-m", mode, "--", target.toString(), e.isCharacterDevice() ? "c" : "b",
            String.valueOf(e.getDevMajor()), String.valueOf(e.getDevMinor())), where, raw);
    if (canChown) {
      run(List.of("chown", "-h", e.getLongUserId() + ":" + e.getLongGroupId(), "--", target.toString()), where, raw);
    }
  }

  private void run(List<String> cmd, String where, String raw) throws IOException {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      if (p.waitFor() != 0) {
        throw refuse(where, raw, "could not be created (" + cmd.get(0) + ": " + out + ")");
      }
    } catch (InterruptedException x) {
      Thread.currentThread().interrupt();
      throw new ImageException("interrupted while creating " + raw, x);
    }
  }

  private void chown(Path p, TarArchiveEntry e) {
    if (!canChown) {
      return;
    }
    try {
      Files.setAttribute(p, "unix:uid", (int) e.getLongUserId(), LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(p, "unix:gid", (int) e.getLongGroupId(), LinkOption.NOFOLLOW_LINKS);
    } catch (IOException x) {
      throw new ImageException("cannot set owner of " + p + ": " + x, x);
    }
  }

  /** Owner first (chown clears setuid), then mode with setuid/setgid/sticky, then mtime. */
  private void metadata(Path p, TarArchiveEntry e, String where) {
    chown(p, e);
    try {
      Files.setAttribute(p, "unix:mode", e.getMode() & 07777, LinkOption.NOFOLLOW_LINKS);
      Files.setLastModifiedTime(p, FileTime.from(e.getLastModifiedTime().toInstant()));
    } catch (IOException x) {
      throw new ImageException(where + ": cannot set mode/mtime of " + root.relativize(p) + ": " + x, x);
    }
  }

  /** Opaque whiteout: removes what lower layers put in {@code dir}, keeps this layer's entries. */
  private void clearDir(Path dir, String rel, Set<String> createdHere) throws IOException {
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      ds.forEach(children::add);
    }
    for (Path c : children) {
      String name = (rel.isEmpty() ? "" : rel + "/") + c.getFileName();
      if (!createdHere.contains(name)) {
        deleteTree(c);
      }
    }
  }

  private static BasicFileAttributes attrs(Path p) throws IOException {
    try {
      return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /** Deletes a path and, for a real directory, its contents; symlinks are removed, not followed. */
  static void deleteTree(Path p) throws IOException {
    BasicFileAttributes a = attrs(p);
    if (a == null) {
      return;
    }
    if (a.isDirectory()) {
      List<Path> children = new ArrayList<>();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
        ds.forEach(children::add);
      }
      for (Path c : children) {
        deleteTree(c);
      }
    }
    Files.delete(p);
  }
}
