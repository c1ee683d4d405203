package dev.herd.bake.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external tool (mmdebstrap, apt-get, podman) with a deadline. Output goes to temporary
 * files rather than pipes so a chatty tool can never block on a full pipe buffer.
 */
public final class ProcessRunner {
  /** Output beyond this is cut from the front: errors quote the end, where tools print them. */
  static final int MAX_KEPT_CHARS = 1 << 20;

  private final Map<String, String> baseEnvironment;

  public ProcessRunner() {
    this(Map.of());
  }

  /** @param baseEnvironment variables set for every command this runner starts */
  public ProcessRunner(Map<String, String> baseEnvironment) {
    this.baseEnvironment = Map.copyOf(baseEnvironment);
  }

  /**
   * Runs {@code command}; on timeout kills the process and its descendants and returns a result
   * with {@code timedOut} set. Throws only when the command cannot be started at all.
   */
  public ProcessResult run(List<String> command, Map<String, String> environment, Duration timeout) {
    Path out = null;
    Path err = null;
    long started = System.nanoTime();
    try {
      out = Files.createTempFile("herd-cmd-", ".out");
      err = Files.createTempFile("herd-cmd-", ".err");
      ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
      builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      builder.environment().putAll(baseEnvironment);
      builder.environment().putAll(environment);
      Process process = builder.start();
      boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!finished) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      return new ProcessResult(command, finished ? process.exitValue() : -1, read(out), read(err), !finished, took);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command.getFirst() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command.getFirst(), e);
    } finally {
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  private static String read(Path file) throws IOException {
    // tools may print bytes that are not UTF-8; replace them rather than fail the bake
    String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    return text.length() > MAX_KEPT_CHARS ? text.substring(text.length() - MAX_KEPT_CHARS) : text;
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a leftover temp file is harmless and must not hide the command's own outcome
      }
    }
  }
}
