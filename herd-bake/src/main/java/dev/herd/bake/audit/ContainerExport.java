package dev.herd.bake.audit;

import dev.herd.bake.tree.ImagePath;
import dev.herd.bake.tree.TreeMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A container's filesystem unpacked into a directory for an audit: {@code podman export} (a
 * read-only operation on the container) streamed through herd's own tar reader. Owners and
 * modes come from the tar headers into a {@link TreeMetadata}, because the files on disk
 * belong to whoever ran the audit. Entries that would leave the directory, or pass through a
 * symlink, are skipped; devices and fifos are not needed for an audit and are skipped too.
 */
public final class ContainerExport {
  private ContainerExport() {}

  /** The unpacked tree and the owners the container had. */
  public record Unpacked(Path dir, TreeMetadata owners, long entries) {}

  /** Runs {@code <podman> export <container>} and unpacks it into the empty directory {@code into}. */
  public static Unpacked export(String podman, String container, Path into) {
    Process p;
    try {
      p = new ProcessBuilder(podman, "export", container).redirectError(ProcessBuilder.Redirect.PIPE).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + podman + " export " + container, e);
    }
    Unpacked out;
    try (InputStream in = p.getInputStream()) {
      out = unpack(in, into);
    } catch (IOException e) {
      p.destroyForcibly();
      throw new UncheckedIOException("cannot read the export of container " + container, e);
    }
    try {
      String err = new String(p.getErrorStream().readAllBytes()).strip();
      if (p.waitFor() != 0) {
        throw new IllegalArgumentException("podman export " + container + " failed: " + (err.isEmpty() ? "exit " + p.exitValue() : err));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while exporting " + container, e);
    }
    return out;
  }

  /** Unpacks a tar stream (public for tests and for archives saved with {@code podman export -o}). */
  public static Unpacked unpack(InputStream tar, Path into) throws IOException {
    TreeMetadata owners = new TreeMetadata();
    List<String[]> hardlinks = new ArrayList<>();
    long count = 0;
    TarArchiveInputStream in = new TarArchiveInputStream(tar);
    for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
      ImagePath ip = entryPath(e.getName());
      if (ip == null || ip.isRoot()) {
        continue;
      }
      Path target = into;
      for (String n : ip.names()) {
        target = target.resolve(n);
      }
      if (!target.normalize().startsWith(into) || !parentsAreDirectories(into, target)) {
        continue;
      }
      count++;
      owners.put(ip, new TreeMetadata.Attributes((int) e.getLongUserId(), (int) e.getLongGroupId(), e.getMode() & 07777));
      if (e.isDirectory()) {
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectory(target);
        }
        Files.setPosixFilePermissions(target, perms(e.getMode() | 0700));
      } else if (e.isSymbolicLink()) {
        Files.deleteIfExists(target);
        Files.createSymbolicLink(target, Path.of(e.getLinkName()));
      } else if (e.isLink()) {
        hardlinks.add(new String[] {e.getLinkName(), target.toString()});
      } else if (e.isFile()) {
        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(target, perms(e.getMode() | 0600));
      }
    }
    for (String[] link : hardlinks) {
      Path from = into;
      ImagePath linked = entryPath(link[0]);
      if (linked == null) {
        continue;
      }
      for (String n : linked.names()) {
        from = from.resolve(n);
      }
      Path to = Path.of(link[1]);
      if (Files.isRegularFile(from, LinkOption.NOFOLLOW_LINKS) && parentsAreDirectories(into, from)) {
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return new Unpacked(into, owners, count);
  }

  /** The entry's path, or null when it names a parent ({@code ..}) or is not a path at all. */
  private static ImagePath entryPath(String name) {
    List<String> names = new ArrayList<>();
    for (String n : name.split("/")) {
      if (n.equals("..")) {
        return null;
      }
      if (!n.isEmpty() && !n.equals(".")) {
        names.add(n);
      }
    }
    try {
      return new ImagePath(names);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static boolean parentsAreDirectories(Path root, Path target) {
    for (Path q = target.getParent(); q != null && !q.equals(root); q = q.getParent()) {
      if (Files.isSymbolicLink(q) || !Files.isDirectory(q, LinkOption.NOFOLLOW_LINKS)) {
        return false;
      }
    }
    return true;
  }

  private static Set<PosixFilePermission> perms(int mode) {
    Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] all = PosixFilePermission.values(); // OWNER_READ … OTHERS_EXECUTE
    for (int i = 0; i < 9; i++) {
      if ((mode & (1 << (8 - i))) != 0) {
        s.add(all[i]);
      }
    }
    return s;
  }
}
