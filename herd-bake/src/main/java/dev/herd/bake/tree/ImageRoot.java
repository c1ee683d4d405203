package dev.herd.bake.tree;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A staging directory that stands for {@code /} of the image. Image paths are resolved by
 * {@link PathResolver} (chroot semantics, escapes refused); host paths are then built only from
 * resolved names, so nothing this class does can touch a file outside {@link #hostDir()}.
 */
public final class ImageRoot implements StagingTree {
  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
  private final Path hostDir;
  /** The tree is hard-linked to a cached tree: a file changed in place gets its own inode first ({@link OwnInode}). */
  private final boolean linked;

  private ImageRoot(Path hostDir, boolean linked) {
    this.hostDir = hostDir;
    this.linked = linked;
  }

  /** The tree rooted at an existing directory. */
  public static ImageRoot at(Path dir) {
    return at(dir, false);
  }

  /**
   * The tree at {@code dir}; {@code linked}: its files are hard links into a tree that must not
   * change (the cached packages tree), so a mode changed in place is changed on a copy.
   */
  public static ImageRoot at(Path dir, boolean linked) {
    try {
      Path real = dir.toRealPath();
      if (!Files.isDirectory(real)) {
        throw new IllegalArgumentException("image root " + dir + " is not a directory");
      }
      return new ImageRoot(real, linked);
    } catch (IOException e) {
      throw new UncheckedIOException("image root " + dir + " is not accessible", e);
    }
  }

  public Path hostDir() {
    return hostDir;
  }

  /** The host path of an already resolved image path. */
  public Path hostPath(ImagePath path) {
    Path p = hostDir;
    for (String name : path.names()) {
      p = p.resolve(name);
    }
    return p;
  }

  /** Resolves {@code imagePath} (confined, chroot semantics) to a host path under the root. */
  public Path hostPath(String imagePath, PathResolver.Follow follow, Origin origin) {
    return hostPath(resolve(imagePath, follow, origin));
  }

  @Override
  public Optional<Node> lstat(ImagePath path) {
    Path p = hostPath(path);
    try {
      // one lstat: unix:mode carries the file type and setuid/setgid/sticky (which
      // PosixFilePermission cannot express)
      java.util.Map<String, Object> a = Files.readAttributes(p, "unix:mode,size", NOFOLLOW);
      int raw = (Integer) a.get("mode");
      Node.Type type = switch (raw & 0170000) {
        case 0120000 -> Node.Type.SYMLINK;
        case 0040000 -> Node.Type.DIRECTORY;
        case 0100000 -> Node.Type.FILE;
        default -> Node.Type.OTHER;
      };
      return Optional.of(new Node(type, raw & 07777, (Long) a.get("size")));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot inspect " + path + " in the image", e);
    }
  }

  @Override
  public String readLink(ImagePath path) {
    try {
      return Files.readSymbolicLink(hostPath(path)).toString();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read symlink " + path + " in the image", e);
    }
  }

  @Override
  public byte[] read(ImagePath path, int maxBytes) {
    // Open with NOFOLLOW so a symlink swapped in after resolution is not followed.
    try (InputStream in = Files.newInputStream(hostPath(path), NOFOLLOW)) {
      return in.readNBytes(maxBytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path + " in the image", e);
    }
  }

  @Override
  public List<String> list(ImagePath path) {
    try (Stream<Path> s = Files.list(hostPath(path))) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + path + " in the image", e);
    }
  }

  @Override
  public void writeFile(ImagePath path, byte[] content, int diskMode) {
    Path target = hostPath(path);
    Path tmp = null;
    try {
      // Write beside the target and rename over it: an existing hard link or symlink at the
      // target is replaced as a directory entry, never written through.
      tmp = Files.createTempFile(target.getParent(), ".herd-", ".tmp");
      Files.write(tmp, content);
      Files.setPosixFilePermissions(tmp, permissions(diskMode));
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path + " in the image", e);
    } finally {
      deleteQuietly(tmp);
    }
  }

  @Override
  public void createDirectory(ImagePath path, int diskMode) {
    try {
      Files.createDirectory(hostPath(path));
      Files.setPosixFilePermissions(hostPath(path), permissions(diskMode));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create directory " + path + " in the image", e);
    }
  }

  @Override
  public void setDiskMode(ImagePath path, int diskMode) {
    try {
      if (linked) {
        if (Files.isSymbolicLink(hostPath(path))) {
          return; // a symlink has no mode of its own; chmod would change its target, maybe a cached inode
        }
        OwnInode.own(hostPath(path));
      }
      Files.setPosixFilePermissions(hostPath(path), permissions(diskMode));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot change mode of " + path + " in the image", e);
    }
  }

  @Override
  public void createSymlink(ImagePath path, String target) {
    try {
      Files.createSymbolicLink(hostPath(path), Path.of(target));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create symlink " + path + " in the image", e);
    }
  }

  @Override
  public void remove(ImagePath path) {
    if (path.isRoot()) {
      throw new IllegalArgumentException("refusing to remove the image root");
    }
    Path start = hostPath(path);
    try {
      // walkFileTree does not follow symlinks unless asked: links are removed, not their targets.
      Files.walkFileTree(start, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
          // A read-only directory from the base (0555) must become writable to empty it.
          Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, NOFOLLOW);
          perms.addAll(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE));
          Files.setPosixFilePermissions(dir, perms);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.delete(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
          if (exc != null) {
            throw exc;
          }
          Files.delete(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (NoSuchFileException e) {
      // already gone
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + path + " from the image", e);
    }
  }

  static Set<PosixFilePermission> permissions(int mode) {
    return PosixFilePermissions.fromString(Modes.rwx(mode & 0777));
  }

  private static void deleteQuietly(Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException ignored) {
        // best effort: the temp file was already renamed in the normal case
      }
    }
  }
}
