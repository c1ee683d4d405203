package dev.herd.bake.base;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.stream.Stream;

/** File-tree chores for root filesystems (which hold device nodes, dangling links, 0000 dirs). */
public final class Trees {
  private Trees() {}

  /** Deletes {@code root} and everything below it, never following symbolic links. */
  public static void deleteRecursively(Path root) {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.delete(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
          if (failure != null) {
            throw failure;
          }
          Files.delete(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root + ": " + e.getMessage(), e);
    }
  }

  /** Deletes every entry inside {@code dir}, keeping {@code dir} itself. */
  static void emptyDirectory(Path dir) {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> children = Files.list(dir)) {
      children.forEach(Trees::deleteRecursively);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Sets every modification time later than {@code epoch} to {@code epoch}, the
   * SOURCE_DATE_EPOCH "clamp": files written while building carry the build's wall clock
   * otherwise.
   */
  static void clampTimes(Path root, Instant epoch) {
    FileTime limit = FileTime.from(epoch);
    try (Stream<Path> all = Files.walk(root)) {
      for (Path path : (Iterable<Path>) all::iterator) {
        BasicFileAttributeView view = Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view.readAttributes().lastModifiedTime().compareTo(limit) > 0) {
          view.setTimes(limit, null, null);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot set times in " + root + ": " + e.getMessage(), e);
    }
  }

  /** Removes {@code dir} and its subdirectories if they hold no files at all. */
  static void pruneEmptyDirectories(Path dir) {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> children = Files.list(dir)) {
      for (Path child : children.toList()) {
        pruneEmptyDirectories(child);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (Stream<Path> rest = Files.list(dir)) {
      if (rest.findAny().isEmpty()) {
        Files.delete(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
