package dev.herd.bake.tree;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Files of the project (beside herd.yaml) that resources and templates read. A path must be
 * relative and, after following symlinks, still inside the project directory: a template or a
 * {@code source:} can never pull a host file such as ~/.ssh/id_rsa into an image.
 */
public final class ProjectFiles {
  /** Sources larger than this are refused: a role's files are config, not data sets. */
  public static final int MAX_SOURCE_BYTES = 256 << 20;

  private final Path dir;

  public ProjectFiles(Path projectDir) {
    try {
      this.dir = projectDir.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException("project directory " + projectDir + " is not accessible", e);
    }
  }

  public Path dir() {
    return dir;
  }

  /** The host path of a project-relative file, confined to the project directory. */
  public Path locate(String relative, Origin origin) {
    if (relative == null || relative.isBlank()) {
      throw new TreeException(origin, "source path is empty");
    }
    if (relative.indexOf('\0') >= 0) {
      throw new TreeException(origin, "source path contains a NUL byte");
    }
    Path rel = Path.of(relative);
    if (rel.isAbsolute() || relative.startsWith("~")) {
      throw new TreeException(origin, "source \"" + relative + "\" must be relative to the project directory");
    }
    Path candidate = dir.resolve(rel).normalize();
    if (!candidate.startsWith(dir)) {
      throw new TreeException(origin, "source \"" + relative + "\" is outside the project directory");
    }
    Path real;
    try {
      real = candidate.toRealPath();
    } catch (NoSuchFileException e) {
      throw new TreeException(origin, "source \"" + relative + "\" does not exist in " + dir);
    } catch (IOException e) {
      throw new TreeException(origin, "source \"" + relative + "\" cannot be read: " + e.getMessage(), e);
    }
    if (!real.startsWith(dir)) {
      throw new TreeException(origin, "source \"" + relative + "\" resolves (through a symlink) outside the project directory");
    }
    if (!Files.isRegularFile(real)) {
      throw new TreeException(origin, "source \"" + relative + "\" is not a regular file");
    }
    return real;
  }

  public byte[] read(String relative, Origin origin) {
    Path p = locate(relative, origin);
    try (InputStream in = Files.newInputStream(p)) {
      byte[] data = in.readNBytes(MAX_SOURCE_BYTES + 1);
      if (data.length > MAX_SOURCE_BYTES) {
        throw new TreeException(origin, "source \"" + relative + "\" is larger than " + (MAX_SOURCE_BYTES >> 20) + " MiB");
      }
      return data;
    } catch (IOException e) {
      throw new TreeException(origin, "source \"" + relative + "\" cannot be read: " + e.getMessage(), e);
    }
  }
}
