package dev.herd.spec;

import dev.herd.common.Refusal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one rule for files a spec reads from the project ({@code source:}, templates, their
 * includes, image bases): a path is relative to herd.yaml's directory and, after symlinks are
 * resolved, still inside it and outside herd's state directory ({@code .herd/} or
 * {@code --state}), so no template can pull a host file ({@code ~/.ssh/id_rsa}) or herd's own
 * keys, database or images into an image. Used by the spec loader and by the bake.
 */
public final class SourcePaths {
  /** The default state directory beside herd.yaml; always off limits, whatever --state says. */
  public static final String DEFAULT_STATE_DIR = ".herd";

  /** A path that may not be read; the message says why, without a location (callers add theirs). */
  public static final class Refused extends RuntimeException implements Refusal {
    public Refused(String message) {
      super(message, null, false, false);
    }
  }

  private final Path dir;
  private final Path realDir;
  private final List<Path> stateDirs = new ArrayList<>();

  /**
   * @param projectDir the directory of herd.yaml
   * @param stateDir herd's state directory when it is not the default (may be null)
   */
  public SourcePaths(Path projectDir, Path stateDir) {
    this.dir = projectDir.toAbsolutePath().normalize();
    Path real;
    try {
      real = dir.toRealPath();
    } catch (IOException e) {
      real = dir;
    }
    this.realDir = real;
    addStateDir(dir.resolve(DEFAULT_STATE_DIR));
    if (stateDir != null) {
      addStateDir(stateDir.toAbsolutePath().normalize());
    }
  }

  private void addStateDir(Path p) {
    stateDirs.add(p);
    try {
      stateDirs.add(p.toRealPath());
    } catch (IOException e) {
      // not there (yet): the lexical path is enough
    }
  }

  public Path projectDir() {
    return realDir;
  }

  /**
   * The real path of the project file {@code relative}.
   *
   * @param directoryAllowed whether a directory is acceptable (an OCI layout base) or only a file
   * @throws Refused when the path is empty, absolute, outside the project, in the state
   *     directory (directly or through a symlink), missing, or of the wrong type
   */
  public Path locate(String relative, boolean directoryAllowed) {
    if (relative == null || relative.isBlank()) {
      throw new Refused("source path is empty");
    }
    if (relative.indexOf('\0') >= 0) {
      throw new Refused("source path contains a NUL byte");
    }
    if (relative.startsWith("/") || relative.startsWith("~")) {
      throw new Refused("source \"" + relative + "\" must be relative to the project directory (herd.yaml's directory)");
    }
    Path candidate = dir.resolve(relative).normalize();
    if (!candidate.startsWith(dir)) {
      throw new Refused("source \"" + relative + "\" is outside the project directory");
    }
    stateDirOf(candidate).ifPresent(s -> {
      throw new Refused("source \"" + relative + "\" is in herd's state directory (" + shown(s) + "); templates and sources may not read"
          + " herd's own keys, database or images");
    });
    Path real;
    try {
      real = candidate.toRealPath();
    } catch (NoSuchFileException e) {
      throw new Refused("no such file: " + relative + " (paths are relative to herd.yaml's directory)");
    } catch (IOException e) {
      throw new Refused("cannot read " + relative + ": " + e.getMessage());
    }
    if (!real.startsWith(realDir)) {
      throw new Refused("source \"" + relative + "\" resolves (through a symlink) outside the project directory");
    }
    stateDirOf(real).ifPresent(s -> {
      throw new Refused("source \"" + relative + "\" resolves (through a symlink) into herd's state directory (" + shown(s) + ")");
    });
    if (Files.isDirectory(real)) {
      if (!directoryAllowed) {
        throw new Refused(relative + " is a directory, expected a file");
      }
    } else if (!Files.isRegularFile(real)) {
      throw new Refused("source \"" + relative + "\" is not a regular file");
    }
    return real;
  }

  private Optional<Path> stateDirOf(Path p) {
    return stateDirs.stream().filter(p::startsWith).findFirst();
  }

  private String shown(Path stateDir) {
    return stateDir.startsWith(dir) ? dir.relativize(stateDir).toString()
        : stateDir.startsWith(realDir) ? realDir.relativize(stateDir).toString() : stateDir.toString();
  }
}
