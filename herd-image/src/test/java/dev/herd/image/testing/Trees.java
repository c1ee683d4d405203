package dev.herd.image.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

/** Small helpers to build directory trees in tests. */
public final class Trees {
  private Trees() {}

  public static Path file(Path root, String rel, String content) {
    return file(root, rel, content, 0644);
  }

  public static Path file(Path root, String rel, String content, int mode) {
    try {
      Path p = root.resolve(rel);
      Files.createDirectories(p.getParent());
      Files.writeString(p, content, StandardCharsets.UTF_8);
      Files.setAttribute(p, "unix:mode", mode);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Path dir(Path root, String rel, int mode) {
    try {
      Path p = Files.createDirectories(root.resolve(rel));
      Files.setAttribute(p, "unix:mode", mode);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Path symlink(Path root, String rel, String target) {
    try {
      Path p = root.resolve(rel);
      Files.createDirectories(p.getParent());
      return Files.createSymbolicLink(p, Path.of(target));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void touchAll(Path root, Instant t) {
    try (var s = Files.walk(root)) {
      s.forEach(p -> {
        try {
          if (!Files.isSymbolicLink(p)) {
            Files.setLastModifiedTime(p, FileTime.from(t));
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
