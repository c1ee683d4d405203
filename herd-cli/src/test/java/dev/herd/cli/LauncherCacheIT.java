package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The ./herd launcher's start-up cache (AOT cache on JDK 25+, AppCDS archive before): built on
 * the first run after a build, rebuilt when the jar is newer, and a cache the JVM cannot use is
 * skipped without a word on stdout.
 */
class LauncherCacheIT {
  final Path home = Path.of("").toAbsolutePath().getParent();
  final Path jar = home.resolve("herd-cli/target/herd.jar");
  final int major = Runtime.version().feature();
  final Path cache = home.resolve("herd-cli/target/herd-jdk" + major + (major >= 25 ? ".aot" : ".jsa"));

  record Run(int code, String out, String err) {}

  Run herd(String... args) throws IOException, InterruptedException {
    return herd(java.util.Map.of(), args);
  }

  Run herd(java.util.Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of(home.resolve("herd").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(Files.createTempDirectory("herd-launcher").toFile());
    pb.environment().put("JAVA_HOME", Path.of(System.getProperty("java.home")).toString());
    pb.environment().remove("HERD_STARTUP_CACHE");
    pb.environment().putAll(env);
    Path out = Files.createTempFile("herd-launcher", ".out");
    Path err = Files.createTempFile("herd-launcher", ".err");
    try {
      Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("herd %s finished", List.of(args)).isTrue();
      return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  @Test
  void buildsTheCacheAfterABuildAndSkipsAnUnusableOneSilently() throws Exception {
    assertThat(jar).exists();
    Files.deleteIfExists(cache);
    Run first = herd("--version");
    assertThat(first.code()).isZero();
    assertThat(first.out()).startsWith("herd ").doesNotContain("warning", "error");
    assertThat(cache).exists();
    assertThat(Files.getLastModifiedTime(cache).compareTo(Files.getLastModifiedTime(jar))).isPositive();

    // a rebuilt jar (newer than the cache): the next run rebuilds the cache
    Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis() + 2_000));
    Files.setLastModifiedTime(cache, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
    Run second = herd("--version");
    assertThat(second.code()).isZero();
    assertThat(Files.getLastModifiedTime(cache).compareTo(Files.getLastModifiedTime(jar))).isPositive();

    // a cache the JVM refuses (another JDK build wrote it, or it is damaged): plain output, exit 0
    Run before = herd("validate", "--help");
    Files.writeString(cache, "not a cache", StandardCharsets.US_ASCII);
    Files.setLastModifiedTime(cache, FileTime.fromMillis(System.currentTimeMillis() + 10_000));
    Run refused = herd("validate", "--help");
    assertThat(refused.code()).isZero();
    assertThat(refused.out()).isEqualTo(before.out()).startsWith("Usage: herd validate");
    assertThat(refused.err()).isEmpty();
    Files.deleteIfExists(cache);
    assertThat(herd("--version").code()).isZero();
    assertThat(cache).exists();
  }

  /**
   * The quick path prints the answers the training wrote, which are the full CLI's own, and hands
   * whatever it does not answer to the full CLI (here: status with no controller running).
   */
  @Test
  void theQuickPathAnswersAsTheFullCliDoesAndHandsOverTheRest() throws Exception {
    java.util.Map<String, String> full = java.util.Map.of("HERD_STARTUP_CACHE", "0");
    for (String option : List.of("--help", "-h", "--version", "-V")) {
      Run quick = herd(option);
      Run slow = herd(full, option);
      assertThat(quick.code()).isZero();
      assertThat(quick.out()).as(option).isEqualTo(slow.out()).isNotEmpty();
      assertThat(quick.err()).isEmpty();
    }
    assertThat(home.resolve("herd-cli/target/herd-help.txt")).exists();
    Run noController = herd("status");
    assertThat(noController.code()).isEqualTo(HerdCli.ENVIRONMENT);
    assertThat(noController.out()).isEmpty();
    assertThat(noController.err()).contains("no herd controller is running", "start one with `herd up`");
    Run json = herd("status", "--json");
    assertThat(json.code()).isEqualTo(HerdCli.ENVIRONMENT);
    assertThat(json.err()).contains("no herd controller is running");
  }
}
