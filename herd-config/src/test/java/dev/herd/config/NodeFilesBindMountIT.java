package dev.herd.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node directory seen through a real read-only bind mount (what the engine does with
 * {@code -v <dir>:/etc/herd:ro}): a switch of {@code current} on the host is visible through the
 * mount, the files read whole, and the mount cannot be written. Uses unshare(1) for a private
 * mount namespace, so it needs no container engine.
 */
class NodeFilesBindMountIT {
  @TempDir Path dir;

  private static NodeFiles.Content content(long revision, String greeting) {
    EffectiveConfig cfg = new EffectiveConfig(new Scope("prod", "web"), revision,
        Map.of("GREETING", new ConfigValue("GREETING", greeting, ConfigValue.Source.STORED, revision)));
    return new NodeFiles.Content("web", "web-1", cfg, new FlagSet("prod", 0, Map.of()), Discovery.EMPTY);
  }

  @Test
  void switchIsVisibleThroughAReadOnlyBindMount() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/unshare")), "unshare(1) is needed");
    NodeFiles files = new NodeFiles(dir.resolve("nodes"));
    Path src = files.render(content(1, "first")).dir();
    Path mnt = Files.createDirectories(dir.resolve("etc-herd"));
    String script = String.join("\n",
        "set -e",
        "mount --bind \"$1\" \"$2\"",
        "mount -o remount,ro,bind \"$2\"",
        "cat \"$2/config.json\"; echo '---'",
        "read go",
        "cat \"$2/config.json\"; echo '---'",
        "cat \"$2/current/config.env\"; echo '---'",
        "if touch \"$2/x\" 2>/dev/null; then echo WRITABLE; else echo READONLY; fi");
    Process p = new ProcessBuilder("unshare", "--mount", "--map-root-user", "sh", "-c", script, "sh", src.toString(), mnt.toString())
        .redirectErrorStream(true).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String before = section(out);
      assumeTrue(!before.contains("Operation not permitted") && !before.contains("unshare failed"),
          "user namespaces with mounts are not allowed here: " + before);
      assertThat(before).contains("\"revision\" : 1", "\"GREETING\" : \"first\"");

      files.render(content(2, "second"));
      try (OutputStream in = p.getOutputStream()) {
        in.write("go\n".getBytes(StandardCharsets.UTF_8));
      }
      assertThat(section(out)).contains("\"revision\" : 2", "\"GREETING\" : \"second\"");
      assertThat(section(out)).contains("GREETING='second'");
      assertThat(out.readLine()).isEqualTo("READONLY");
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isZero();
    } finally {
      p.destroyForcibly();
    }
  }

  /** Why the docs say to mount the directory: a file mount pins the version it pointed to at mount time. */
  @Test
  void aFileMountWouldPinTheOldVersion() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/unshare")), "unshare(1) is needed");
    NodeFiles files = new NodeFiles(dir.resolve("nodes"));
    Path src = files.render(content(1, "first")).dir();
    Path target = Files.createFile(dir.resolve("config.json"));
    String script = "mount --bind \"$1/config.json\" \"$2\" && echo mounted && read go && cat \"$2\"";
    Process p = new ProcessBuilder("unshare", "--mount", "--map-root-user", "sh", "-c", script, "sh", src.toString(), target.toString())
        .redirectErrorStream(true).start();
    try {
      BufferedReader out0 = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String first = out0.readLine();
      assumeTrue("mounted".equals(first), "mounts not allowed here: " + first);
      files.render(content(2, "second"));
      try (OutputStream in = p.getOutputStream()) {
        in.write("go\n".getBytes(StandardCharsets.UTF_8));
      }
      String out = String.join("\n", out0.lines().toList());
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(out).contains("\"GREETING\" : \"first\"").doesNotContain("second");
    } finally {
      p.destroyForcibly();
    }
  }

  private static String section(BufferedReader r) throws java.io.IOException {
    List<String> lines = new ArrayList<>();
    for (String l = r.readLine(); l != null && !l.equals("---"); l = r.readLine()) {
      lines.add(l);
    }
    return String.join("\n", lines);
  }
}
