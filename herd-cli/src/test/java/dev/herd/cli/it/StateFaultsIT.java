package dev.herd.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herd.engine.docker.Ping;
import dev.herd.engine.docker.PodmanService;
import dev.herd.server.api.Api;
import dev.herd.server.client.ApiClient;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * herd's own state under faults, on real Podman with the hello-web example: a {@code launch:}
 * change rolls out as a new release, then {@code herd up} refuses a damaged and an emptied
 * herd.db. Steps run in order on one project (unique name, ports 22500-22599).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StateFaultsIT {
  private static final Path EXAMPLE = Path.of("..", "examples", "hello-web").toAbsolutePath().normalize();
  private static final int COUNT = 2;

  @TempDir static Path tmp;
  private final String project = "dbf" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
  private Path dir;
  private PodmanService engine;
  private HerdProcess herd;
  private int starts;

  @BeforeAll
  void upOnTheExample() throws IOException {
    dir = tmp.resolve("hello-web");
    copy(EXAMPLE, dir);
    edit(dir.resolve("herd.yaml"), Map.of(
        "  name: hello-web\n", "  name: " + project + "\n",
        "ports: 18080-18179", "ports: 22500-22599",
        "    expose: {port: 8080}", "", // no front door here: port 8080 is the example's
        "count: 3\n", "count: " + COUNT + "\n",
        "interval: 5s\n      timeout: 2s\n      start_grace: 10s",
        "interval: 1s\n      timeout: 800ms\n      start_grace: 3s",
        "max_unavailable: 0\n", "max_unavailable: 0\n      min_healthy_time: 2s\n      progress_deadline: 30s\n"));
    engine = PodmanService.start("podman", tmp.resolve("engine"), Duration.ofSeconds(30), Ping.HTTP);
    herd = start();
  }

  @AfterAll
  void removeEverything() throws InterruptedException {
    try {
      if (herd != null) {
        System.out.println("last lines of herd up:\n" + herd.logTail());
        herd.close();
      }
    } finally {
      try {
        Podman.removeAll(project);
      } finally {
        if (engine != null) {
          engine.close();
        }
      }
    }
  }

  @Test
  @Order(1)
  void aLaunchChangeIsANewReleaseRolledOutToEveryNode() throws IOException {
    awaitSettled("web:v1", Duration.ofSeconds(300));
    edit(dir.resolve("herd.yaml"), Map.of("    limits: {memory: 64Mi, cpus: 0.5}\n",
        "    limits: {memory: 64Mi, cpus: 0.5}\n    launch:\n      HEAP_MB: \"{{ node.memory_mb // 2 }}\"\n"));

    Api.Changes changes = herd.api(Duration.ofMinutes(3)).post("/v1/apply", null, Api.Changes.class);

    assertThat(changes.fleets()).singleElement().satisfies(c -> {
      assertThat(c.kind()).isEqualTo("released");
      assertThat(c.release()).isEqualTo("web:v2");
    });
    awaitSettled("web:v2", Duration.ofSeconds(120));
    List<Podman.Container> containers = Podman.containers(project);
    assertThat(containers).hasSize(COUNT).allMatch(c -> c.release().equals("web:v2"));
    for (Podman.Container c : containers) {
      assertThat(Podman.run("inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", c.name()))
          .as("env of %s", c.name()).contains("HEAP_MB=32");
    }
  }

  @Test
  @Order(2)
  void herdUpRefusesADamagedHerdDb() throws Exception {
    down();
    Path db = dir.resolve(".herd/herd.db");
    long size = Files.size(db);
    try (RandomAccessFile raf = new RandomAccessFile(db.toFile(), "rw")) {
      byte[] garbage = "not a b-tree page ".repeat(4096 / 18 + 1).getBytes();
      for (long page = 2; page < size / 4096; page += 2) {
        raf.seek(page * 4096);
        raf.write(garbage, 0, 4096);
      }
    }

    HerdProcess up = HerdProcess.up(dir, Map.of("DOCKER_HOST", engine.endpoint().uri().toString()), tmp.resolve("damaged.log"));

    assertThat(up.waitFor(Duration.ofSeconds(60))).as("herd up exits").isTrue();
    assertThat(up.exitValue()).isEqualTo(1);
    assertThat(up.logTail()).contains(db + " is damaged", "backup copy", ".recover").doesNotContain("unexpected error");
    assertThat(Podman.containers(project)).isEmpty();
  }

  @Test
  @Order(3)
  void herdUpRefusesAnEmptiedHerdDbAndLeavesItAlone() throws Exception {
    Path db = dir.resolve(".herd/herd.db");
    Files.write(db, new byte[0]);
    Files.deleteIfExists(dir.resolve(".herd/herd.db-wal"));
    Files.deleteIfExists(dir.resolve(".herd/herd.db-shm"));

    HerdProcess up = HerdProcess.up(dir, Map.of("DOCKER_HOST", engine.endpoint().uri().toString()), tmp.resolve("empty.log"));

    assertThat(up.waitFor(Duration.ofSeconds(60))).as("herd up exits").isTrue();
    assertThat(up.exitValue()).isEqualTo(1);
    assertThat(up.logTail()).contains(db + " is empty (0 bytes)", "herd up --fresh-state").doesNotContain("unexpected error");
    assertThat(Files.size(db)).isZero();
    assertThat(Podman.containers(project)).isEmpty();
  }

  // ---- helpers -------------------------------------------------------------------------------

  private HerdProcess start() {
    starts++;
    HerdProcess p = HerdProcess.up(dir, Map.of("DOCKER_HOST", engine.endpoint().uri().toString()),
        tmp.resolve("herd-up-" + starts + ".log"));
    await("herd up serving its API").atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(250))
        .ignoreExceptionsMatching(e -> e instanceof ApiClient.NoController || e.getMessage() != null
            && e.getMessage().contains("has not written its api.json"))
        .until(() -> p.api(Duration.ofSeconds(5)).get("/healthz", Api.Done.class).message().equals("ok"));
    return p;
  }

  private void down() throws InterruptedException {
    herd.api(Duration.ofSeconds(60)).post("/v1/down", null, Api.Done.class);
    assertThat(herd.waitFor(Duration.ofSeconds(60))).as("herd down stops herd up").isTrue();
    await("nodes removed").atMost(Duration.ofSeconds(30)).until(() -> Podman.containers(project).isEmpty());
  }

  private Api.FleetView fleetOrNull() {
    Api.Status s = herd.api(Duration.ofSeconds(10)).get("/v1/status", Api.Status.class);
    return s.fleets().stream().filter(f -> f.name().equals("web")).findFirst().orElse(null);
  }

  private void awaitSettled(String release, Duration atMost) {
    await("fleet settled on " + release).atMost(atMost).pollInterval(Duration.ofMillis(250))
        .ignoreExceptionsMatching(e -> e instanceof ApiClient.NoController)
        .until(this::fleetOrNull, f -> f != null && f.release().equals(release) && f.rollout() == null && f.nodes().size() == COUNT
            && f.nodes().stream().allMatch(n -> n.release().equals(release) && n.state().equals("healthy")));
  }

  private static void edit(Path file, Map<String, String> replacements) throws IOException {
    String text = Files.readString(file);
    for (Map.Entry<String, String> r : replacements.entrySet()) {
      if (!text.contains(r.getKey())) {
        throw new IllegalStateException(file + " no longer contains " + r.getKey().strip() + "; update StateFaultsIT");
      }
      text = text.replace(r.getKey(), r.getValue());
    }
    Files.writeString(file, text);
  }

  private static void copy(Path from, Path to) throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.walk(from)) {
      s.filter(p -> !from.relativize(p).startsWith(".herd") && !p.getFileName().toString().endsWith(".lock")).forEach(files::add);
    }
    for (Path p : files) {
      Path target = to.resolve(from.relativize(p).toString());
      if (Files.isDirectory(p)) {
        Files.createDirectories(target);
      } else {
        Files.createDirectories(target.getParent());
        Files.copy(p, target);
      }
    }
  }
}
