package dev.herd.bake.tree;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.herd.spec.SourcePaths;

/**
 * Files of the project (beside herd.yaml) that resources and templates read, confined by the
 * spec's {@link SourcePaths} rule: relative, inside the project directory after symlinks, never
 * in herd's state directory. A template or a {@code source:} can never pull a host file such as
 * ~/.ssh/id_rsa, or herd's own keyset, into an image.
 */
public final class ProjectFiles {
  /** Sources larger than this are refused: a role's files are config, not data sets. */
  public static final int MAX_SOURCE_BYTES = 256 << 20;

  private final SourcePaths paths;

  public ProjectFiles(Path projectDir) {
    this(projectDir, null);
  }

  /** @param stateDir herd's state directory (--state), refused like the default .herd */
  public ProjectFiles(Path projectDir, Path stateDir) {
    if (!Files.isDirectory(projectDir)) {
      throw new UncheckedIOException(new IOException("project directory " + projectDir + " is not accessible"));
    }
    this.paths = new SourcePaths(projectDir, stateDir);
  }

  public Path dir() {
    return paths.projectDir();
  }

  /** The host path of a project-relative file, confined to the project directory. */
  public Path locate(String relative, Origin origin) {
    try {
      return paths.locate(relative, false);
    } catch (SourcePaths.Refused e) {
      throw new TreeException(origin, e.getMessage());
    }
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
