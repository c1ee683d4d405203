package dev.herd.server.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herd.common.files.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The two files through which CLI clients find a running controller, both in the state
 * directory: {@code api.json} (URL, pid) and {@code api-token} (the bearer token, mode 0600).
 */
public final class ApiFiles {
  public static final String INFO = "api.json";
  public static final String TOKEN = "api-token";

  private ApiFiles() {}

  /** What api.json holds. */
  public record Info(String url, long pid, String project, Instant startedAt) {
    public Info {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(project, "project");
      Objects.requireNonNull(startedAt, "startedAt");
      if (pid <= 0) {
        throw new IllegalArgumentException("pid must be > 0, got " + pid);
      }
    }

    /** Whether the process that wrote the file still runs (false: the file is stale). */
    public boolean alive() {
      return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
  }

  public static Path info(Path stateDir) {
    return stateDir.resolve(INFO);
  }

  public static Path token(Path stateDir) {
    return stateDir.resolve(TOKEN);
  }

  /** api.json, or empty when there is none. Unreadable or garbled files are an error. */
  public static Optional<Info> readInfo(Path stateDir) {
    Path file = info(stateDir);
    try {
      return Optional.of(Json.mapper().readValue(Files.readAllBytes(file), Info.class));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  public static String readToken(Path stateDir) {
    Path file = token(stateDir);
    try {
      return Files.readString(file, StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the API token " + file, e);
    }
  }

  /** Writes api.json atomically (a reader never sees half a file). */
  public static void writeInfo(Path stateDir, Info info) {
    ObjectMapper json = Json.mapper();
    try {
      writePrivate(info(stateDir), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(info));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + info(stateDir), e);
    }
  }

  /**
   * Writes {@code bytes} to {@code file} through a temp file that is created with mode 0600, so
   * the content is never readable by others, not even for an instant, then moved into place.
   */
  public static void writePrivate(Path file, byte[] bytes) throws IOException {
    PrivateFiles.openStateDir(file.toAbsolutePath().getParent());
    PrivateFiles.replace(file, bytes);
  }
}
