package dev.herd.cli.it;

import dev.herd.server.api.ApiFiles;
import dev.herd.server.client.ApiClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code herd up DIR} as a user runs it: the shaded jar in its own JVM, so a test can SIGKILL the
 * controller at any instant and start it again on the same state directory.
 */
final class HerdProcess implements AutoCloseable {
  /** Built by the package phase, which runs before failsafe's integration-test phase. */
  static final Path JAR = Path.of("target", "herd.jar").toAbsolutePath();

  private final Process process;
  private final Path log;
  private final Path stateDir;

  private HerdProcess(Process process, Path log, Path stateDir) {
    this.process = process;
    this.log = log;
    this.stateDir = stateDir;
  }

  /** Starts {@code herd up projectDir} with {@code env} added to the environment; output goes to {@code log}. */
  static HerdProcess up(Path projectDir, Map<String, String> env, Path log) {
    return up(projectDir, env, log, List.of());
  }

  /** As {@link #up(Path, Map, Path)} with options for {@code herd up} (e.g. --no-bake). */
  static HerdProcess up(Path projectDir, Map<String, String> env, Path log, List<String> options) {
    List<String> cmd = command("up");
    cmd.addAll(options);
    cmd.add(projectDir.toString());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    try {
      return new HerdProcess(pb.start(), log, projectDir.resolve(".herd"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + String.join(" ", cmd), e);
    }
  }

  /** {@code java -jar herd.jar ARGS…} as a command line. */
  static List<String> command(String... args) {
    if (!Files.isRegularFile(JAR)) {
      throw new IllegalStateException(JAR + " is missing: run the package phase first (./mvnw -pl herd-cli -am verify)");
    }
    String java = ProcessHandle.current().info().command().orElseThrow(() -> new IllegalStateException("cannot tell which java runs the tests"));
    List<String> cmd = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "--enable-native-access=ALL-UNNAMED", "-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** What a one-shot command printed (stdout and stderr together) and its exit code. */
  record Run(int exitCode, String output, Duration took) {}

  /** Runs a one-shot herd command (drift, doctor, down …) in its own JVM, as a user would, and waits for it. */
  static Run run(Duration atMost, String... args) {
    return run(atMost, Map.of(), args);
  }

  /** As {@link #run(Duration, String...)} with {@code env} added to the environment (e.g. DOCKER_HOST). */
  static Run run(Duration atMost, Map<String, String> env, String... args) {
    List<String> cmd = command(args);
    long t0 = System.nanoTime();
    try {
      Path output = Files.createTempFile("herd-run", ".out");
      try {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          throw new AssertionError("herd " + String.join(" ", args) + " did not finish within " + atMost + ":\n"
              + Files.readString(output));
        }
        return new Run(p.exitValue(), Files.readString(output), Duration.ofNanos(System.nanoTime() - t0));
      } finally {
        Files.deleteIfExists(output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", cmd), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + String.join(" ", cmd), e);
    }
  }

  /** Where herd up's console output goes. */
  Path log() {
    return log;
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** An API client for this controller; throws until herd up has written api.json for this pid. */
  ApiClient api(Duration timeout) {
    if (!process.isAlive()) {
      throw new IllegalStateException("herd up (pid " + pid() + ") exited with " + process.exitValue() + "; log:\n" + logTail());
    }
    // After a SIGKILL the old api.json stays behind until the new controller replaces it.
    long servedBy = ApiFiles.readInfo(stateDir).map(ApiFiles.Info::pid).orElse(-1L);
    if (servedBy != pid()) {
      throw new IllegalStateException("herd up (pid " + pid() + ") has not written its api.json yet");
    }
    return ApiClient.forStateDir(stateDir, timeout);
  }

  /** SIGKILL: no shutdown hook, no api.json cleanup, nothing flushed. Waits until the process is gone. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("herd up (pid " + pid() + ") survived SIGKILL for 30s");
    }
  }

  boolean waitFor(Duration d) throws InterruptedException {
    return process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
  }

  int exitValue() {
    return process.exitValue();
  }

  /** The last lines herd printed, for failure messages. */
  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
          .filter(l -> !l.startsWith("WARNING: ")).toList();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  /** Ends the process if a test left it running (SIGTERM: its shutdown hook leaves nodes running). */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
