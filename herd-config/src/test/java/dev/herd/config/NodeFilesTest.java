package dev.herd.config;

import dev.herd.common.files.PrivateFiles;
import java.nio.file.attribute.PosixFilePermissions;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeFilesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Scope SCOPE = new Scope("prod", "web");

  @TempDir Path dir;

  private static NodeFiles.Content content(long revision, Map<String, String> values) {
    Map<String, ConfigValue> v = new HashMap<>();
    values.forEach((k, x) -> v.put(k, new ConfigValue(k, x, ConfigValue.Source.STORED, revision)));
    FlagSet flags = new FlagSet("prod", revision, Map.of("beta", Flag.bool("beta", 100)));
    Discovery discovery = new Discovery(revision, List.of(new Endpoint("api", "api-1", "127.0.0.1", 18080)),
        Map.of("api", "http://127.0.0.1:8080"));
    return new NodeFiles.Content("web", "web-1", new EffectiveConfig(SCOPE, revision, v), flags, discovery);
  }

  /** Every value says which revision it belongs to, and the file is big enough that a torn write would show. */
  private static Map<String, String> valuesFor(long revision) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < 4; i++) {
      m.put("K" + i, ("r" + revision + " ").repeat(2_000));
    }
    return m;
  }

  @Test
  void aNodesFilesAreOwnerOnlyAndBelongToTheUserItsProcessRunsAs() throws IOException {
    NodeFiles files = new NodeFiles(dir.resolve("nodes"));
    PrivateFiles.Owner www = new PrivateFiles.Owner(4101, 4102);
    Path d = files.render(content(1, Map.of("GREETING", "hi")), www).dir();
    boolean root = ((Integer) Files.getAttribute(dir, "unix:uid")) == 0;
    for (Path p : List.of(dir.resolve("nodes"), dir.resolve("nodes/web"), d, d.resolve("v1"))) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as(p.toString()).isEqualTo("rwx------");
    }
    for (String f : NodeFiles.FILES) {
      Path p = d.resolve("v1").resolve(f);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as(f).isEqualTo("rw-------");
      if (root) {
        assertThat(Files.getAttribute(p, "unix:uid")).as(f).isEqualTo(4101);
        assertThat(Files.getAttribute(p, "unix:gid")).as(f).isEqualTo(4102);
      }
    }
    if (root) {
      assertThat(Files.getAttribute(d, "unix:uid")).isEqualTo(4101);
      // a re-render without an owner (a node adopted after a restart) keeps giving files to the same user
      Path v2 = files.render(content(2, Map.of("GREETING", "hey"))).dir().resolve("v2");
      assertThat(Files.getAttribute(v2.resolve("config.json"), "unix:uid")).isEqualTo(4101);
      assertThat(Files.getAttribute(v2, "unix:uid")).isEqualTo(4101);
    }
  }

  @Test
  void layoutAndContent() throws IOException {
    NodeFiles files = new NodeFiles(dir.resolve("nodes"));
    NodeFiles.Rendered r = files.render(content(42, Map.of("GREETING", "hi")));
    Path d = r.dir();
    assertThat(d).isEqualTo(dir.resolve("nodes/web/web-1"));
    assertThat(Files.readSymbolicLink(d.resolve("current"))).isEqualTo(Path.of("v1"));
    assertThat(Files.readSymbolicLink(d.resolve("config.json"))).isEqualTo(Path.of("current/config.json"));
    JsonNode config = JSON.readTree(d.resolve("config.json").toFile());
    assertThat(config.get("revision").asLong()).isEqualTo(42);
    assertThat(config.get("values").get("GREETING").asText()).isEqualTo("hi");
    JsonNode flags = JSON.readTree(d.resolve("flags.json").toFile());
    assertThat(flags.get("flags").get("beta").get("value").asText()).isEqualTo("true");
    assertThat(flags.get("revision").asLong()).isEqualTo(42);
    JsonNode disc = JSON.readTree(d.resolve("discovery.json").toFile());
    assertThat(disc.get("fleets").get("api").get(0).get("port").asInt()).isEqualTo(18080);
    assertThat(disc.get("front_doors").get("api").get("url").asText()).isEqualTo("http://127.0.0.1:8080");
    assertThat(disc.get("front_doors").get("api").get("address").asText()).isEqualTo("127.0.0.1:8080");
    assertThat(Files.readString(d.resolve("config.env"))).contains("HERD_CONFIG_REVISION='42'\n", "GREETING='hi'\n");

    // same content: no new version
    assertThat(files.render(content(42, Map.of("GREETING", "hi"))).changed()).isFalse();
    // versions younger than the grace period stay readable, however many switches come
    for (int i = 0; i < 6; i++) {
      files.render(content(43 + i, Map.of("GREETING", "hi" + i)));
    }
    try (Stream<Path> s = Files.list(d)) {
      assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("v"))).hasSize(7);
    }
    // once they are older than the grace period, all but the newest few are pruned
    java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.from(
        java.time.Instant.now().minus(NodeFiles.GRACE).minusSeconds(60));
    try (Stream<Path> s = Files.list(d)) {
      for (Path v : s.filter(p -> p.getFileName().toString().startsWith("v")).toList()) {
        Files.setLastModifiedTime(v, old);
      }
    }
    files.render(content(49, Map.of("GREETING", "last")));
    try (Stream<Path> s = Files.list(d)) {
      assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("v")).sorted())
          .containsExactly("v6", "v7", "v8");
    }
    files.remove("web", "web-1");
    assertThat(d).doesNotExist();
  }

  @Test
  void readersNeverSeeAPartialOrMixedVersionWhileWriterSwaps() throws Exception {
    NodeFiles files = new NodeFiles(dir);
    Path d = files.render(content(0, valuesFor(0))).dir();
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger reads = new AtomicInteger();
    AtomicReference<String> problem = new AtomicReference<>();
    Thread reader = Thread.ofPlatform().start(() -> {
      long last = -1;
      while (!done.get() && problem.get() == null) {
        try {
          // 1. the path an app opens: /etc/herd/config.json
          JsonNode cfg = JSON.readTree(Files.readAllBytes(d.resolve("config.json")));
          long rev = cfg.get("revision").asLong();
          cfg.get("values").fields().forEachRemaining(e -> {
            if (!e.getValue().asText().equals(("r" + rev + " ").repeat(2_000))) {
              problem.compareAndSet(null, "config.json of revision " + rev + " has a value of another revision");
            }
          });
          if (rev < last) {
            problem.compareAndSet(null, "went back from " + last + " to " + rev);
          }
          last = rev;
          // 2. several files of one version: resolve current once
          Path version = d.resolve(Files.readSymbolicLink(d.resolve("current")));
          String env = Files.readString(version.resolve("config.env"));
          long jsonRev = JSON.readTree(Files.readAllBytes(version.resolve("config.json"))).get("revision").asLong();
          if (!env.contains("HERD_CONFIG_REVISION='" + jsonRev + "'") || !env.endsWith("'\n")) {
            problem.compareAndSet(null, "config.env and config.json of " + version + " disagree");
          }
          reads.incrementAndGet();
        } catch (NoSuchFileException e) {
          // a reader several versions behind: not expected, versions stay for NodeFiles.GRACE
          problem.compareAndSet(null, "file vanished: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
          problem.compareAndSet(null, "read failed: " + e);
        }
      }
    });
    List<Long> versions = new ArrayList<>();
    for (int i = 1; i <= 200; i++) {
      versions.add(files.render(content(i, valuesFor(i))).version());
    }
    done.set(true);
    reader.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(problem.get()).isNull();
    assertThat(reads.get()).isGreaterThan(10);
    assertThat(versions).doesNotHaveDuplicates().hasSize(200);
    assertThat(JSON.readTree(d.resolve("config.json").toFile()).get("revision").asLong()).isEqualTo(200);
  }

  @Test
  void configEnvIsShellSafe() throws Exception {
    Map<String, String> tricky = new java.util.TreeMap<>(Map.of(
        "QUOTE", "it's \"quoted\"",
        "DOLLAR", "$HOME `id` $(id) \\n",
        "NEWLINE", "line1\nline2",
        "SPACES", "  a  b  ",
        "EMPTY", "",
        "GLOB", "* ? [a]",
        "SEMI", "a; rm -rf /tmp/nothing-here && echo pwned"));
    NodeFiles files = new NodeFiles(dir);
    Path d = files.render(content(7, tricky)).dir();
    for (Map.Entry<String, String> e : tricky.entrySet()) {
      Process p = new ProcessBuilder("sh", "-c", "set -a; . \"$1\"; set +a; printf '%s' \"$" + e.getKey() + "\"", "sh",
          d.resolve("config.env").toString()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(out).as(e.getKey()).isEqualTo(e.getValue());
    }
    Process p = new ProcessBuilder("sh", "-c", ". \"$1\"; printf '%s' \"$HERD_CONFIG_REVISION\"", "sh", d.resolve("config.env").toString()).start();
    assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("7");
  }
}
