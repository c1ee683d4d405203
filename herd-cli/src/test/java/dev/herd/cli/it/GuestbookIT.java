package dev.herd.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herd.engine.docker.Ping;
import dev.herd.engine.docker.PodmanService;
import dev.herd.server.api.Api;
import dev.herd.server.client.ApiClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 * examples/guestbook on real Podman, as a user runs it: PostgreSQL (data on a volume), Redis
 * (sessions) and the Python web tier behind the front door, brought up by {@code herd up} in
 * dependency order, then an entry posted through the front door survives a rolling update of the
 * web tier under load, a killed database node, and a backup, {@code herd down}, deleted volumes and
 * a restore. The project name is unique per run (containers and volumes carry it); ports are
 * 24700-24799 and the front door 24590 (this test's range).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GuestbookIT {
  private static final Path EXAMPLE = Path.of("..", "examples", "guestbook").toAbsolutePath().normalize();
  private static final int DOOR = 24590;
  private static final String ENTRY = "hello from GuestbookIT";

  @TempDir static Path tmp;
  private final String project = "gbit" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  private Path dir;
  private PodmanService engine;
  private HerdProcess herd;
  private int starts;
  /** The session cookie (name=value) set through the front door in step 1. */
  private String session;
  private long entryId;

  @BeforeAll
  void upOnTheExample() throws IOException {
    dir = tmp.resolve("guestbook");
    copy(EXAMPLE, dir);
    edit(dir.resolve("herd.yaml"), Map.of(
        "  name: guestbook\n", "  name: " + project + "\n",
        "ports: 24600-24699", "ports: 24700-24799",
        "expose: {port: 24580}", "expose: {port: " + DOOR + "}"));
    Path password = tmp.resolve("db-password");
    Files.writeString(password, "it-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
    for (String scope : List.of("dev/postgres/db-password", "dev/guestbook/db-password")) {
      HerdProcess.Run r = HerdProcess.run(Duration.ofMinutes(1), "secret", "set", scope, "--value-file", password.toString(),
          "-f", dir.toString());
      assertThat(r.exitCode()).as(r.output()).isZero();
    }
    engine = PodmanService.start("podman", tmp.resolve("engine"), Duration.ofSeconds(30), Ping.HTTP);
    herd = start();
  }

  @AfterAll
  void removeEverything() throws InterruptedException {
    try {
      if (herd != null) {
        if (herd.alive()) {
          try {
            herd.api(Duration.ofSeconds(60)).post("/v1/down", null, Api.Done.class);
            herd.waitFor(Duration.ofSeconds(30));
          } catch (RuntimeException e) {
            System.out.println("herd down failed during cleanup: " + e);
          }
        }
        System.out.println("last lines of herd up:\n" + herd.logTail());
        herd.close();
      }
    } finally {
      try {
        Podman.removeAll(project);
        removeVolumes();
      } finally {
        if (engine != null) {
          engine.close();
        }
      }
    }
  }

  @Test
  @Order(1)
  void theThreeTiersComeUpInOrderAndAnEntryPostedThroughTheFrontDoorIsListed() throws Exception {
    awaitHealthy(Duration.ofMinutes(8));
    List<Api.EventView> events = events(0);
    Instant dbHealthy = healthySince("db");
    Instant cacheHealthy = healthySince("cache");
    List<Api.EventView> webCreated = events.stream().filter(e -> e.kind().equals("node_created") && e.fleet().equals("web")).toList();
    assertThat(webCreated).hasSizeGreaterThanOrEqualTo(2).allSatisfy(e -> {
      assertThat(e.time()).isAfterOrEqualTo(dbHealthy.minusSeconds(1)).isAfterOrEqualTo(cacheHealthy.minusSeconds(1));
      assertThat(e.reason()).endsWith("new fleet; db, cache are healthy");
    });
    assertThat(events).anySatisfy(e -> {
      assertThat(e.kind()).isEqualTo("fleet_waiting");
      assertThat(e.reason()).startsWith("web waits for db");
    });
    assertThat(Files.readString(herd.log())).contains("herd: fleets start in order: db, cache → web");

    HttpResponse<String> posted = send("POST", "/entries", "author=ann&body=" + ENTRY.replace(' ', '+'), null);
    assertThat(posted.statusCode()).as(posted.body()).isEqualTo(201);
    entryId = Long.parseLong(posted.body().replaceAll("(?s).*\"id\": (\\d+).*", "$1"));
    session = posted.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
    assertThat(entries()).contains(ENTRY);
    HttpResponse<String> s = send("GET", "/session", null, session);
    assertThat(s.body()).contains("\"name\": \"ann\"");
  }

  @Test
  @Order(2)
  void aRollingUpdateOfTheWebTierUnderLoadFailsNoRequestAndKeepsEntriesAndSessions() throws Exception {
    Map<String, Long> before = generations("web");
    try (FrontDoorLoad load = new FrontDoorLoad().start()) {
      await("load going").atMost(Duration.ofSeconds(30)).until(() -> load.ok.get() >= 20);
      // a new web release: the app's source changes, so the guestbook role is baked again
      Path app = dir.resolve("app/guestbook.py");
      Files.writeString(app, Files.readString(app).replace("server_version = \"guestbook\"", "server_version = \"guestbook/2\""));
      Api.Changes changes = herd.api(Duration.ofMinutes(5)).post("/v1/apply", null, Api.Changes.class);
      assertThat(changes.fleets()).filteredOn(c -> c.fleet().equals("web")).singleElement()
          .satisfies(c -> assertThat(c.kind()).isEqualTo("released"));
      assertThat(changes.fleets()).filteredOn(c -> !c.fleet().equals("web")).allMatch(c -> c.kind().equals("unchanged"));
      await("web rolled out").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500)).until(() -> {
        Api.FleetView web = fleet("web");
        return web.rollout() == null && !web.release().equals("web:v1") && web.healthy() == 2
            && web.nodes().stream().allMatch(n -> n.state().equals("healthy") && n.generation() > before.get(n.name()));
      });
      int after = load.ok.get();
      await("load after the rollout").atMost(Duration.ofSeconds(30)).until(() -> load.ok.get() >= after + 20);
      load.stop();
      System.out.println("rolling update through the front door: " + load.summary());
      assertThat(load.failures).as(load.summary()).isEmpty();
      assertThat(load.ok.get()).isGreaterThan(100);
    }
    assertThat(entries()).contains(ENTRY);
    // every web node that served the session is gone: it lives in Redis
    assertThat(send("GET", "/session", null, session).body()).contains("\"name\": \"ann\"");
    assertThat(send("GET", "/", null, null).headers().firstValue("Server").orElse("")).startsWith("guestbook/2");
  }

  @Test
  @Order(3)
  void aKilledDatabaseNodeIsReplacedOnItsVolumeAndTheWebTierRecoversWithoutARestart() throws Exception {
    Map<String, Long> web = generations("web");
    Api.NodeView db = fleet("db").nodes().getFirst();
    String container = project + "-db-1-g" + db.generation();
    List<String> volumesBefore = volumes();
    assertThat(volumesBefore).as("the database's data volume").anyMatch(v -> v.contains("-db-1-"));
    Podman.kill(container);

    await("db-1 replaced and healthy").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
        .until(() -> fleet("db").nodes().stream().anyMatch(n -> n.generation() > db.generation() && n.state().equals("healthy")));
    assertThat(volumes()).as("same volume, no new one").isEqualTo(volumesBefore);
    await("the web tier answers again").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .ignoreExceptions().until(() -> entries().contains(ENTRY));
    assertThat(generations("web")).as("no web node was restarted or replaced").isEqualTo(web);
    HttpResponse<String> posted = send("POST", "/entries", "author=bob&body=after+the+kill", session);
    assertThat(posted.statusCode()).as(posted.body()).isEqualTo(201);
  }

  @Test
  @Order(4)
  void aBackupRestoredIntoFreshVolumesBringsTheEntryBack() throws Exception {
    HerdProcess.Run backup = HerdProcess.run(Duration.ofMinutes(3), "backup", "db", "-f", dir.toString());
    assertThat(backup.exitCode()).as(backup.output()).isZero();
    HerdProcess.Run list = HerdProcess.run(Duration.ofMinutes(1), "backups", "db", "-f", dir.toString());
    assertThat(list.exitCode()).as(list.output()).isZero();
    // BACKUP FLEET NODE ...: the newest first, under the header
    String id = list.output().lines().filter(l -> !l.startsWith("WARNING")).skip(1).findFirst().orElseThrow().split("\\s+")[0];

    herd.api(Duration.ofSeconds(60)).post("/v1/down", null, Api.Done.class);
    assertThat(herd.waitFor(Duration.ofSeconds(60))).isTrue();
    removeVolumes();
    assertThat(volumes()).isEmpty();

    herd = start();
    awaitHealthy(Duration.ofMinutes(4));
    assertThat(entries()).doesNotContain(ENTRY);
    HerdProcess.Run restore = HerdProcess.run(Duration.ofMinutes(3), "restore", "db", id, "-f", dir.toString());
    assertThat(restore.exitCode()).as(restore.output()).isZero();
    await("the entry is back").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
        .until(() -> entries().contains(ENTRY));
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** GETs through the front door, one at a time, until stopped (bounded: 20,000 requests, 6 minutes). */
  private final class FrontDoorLoad implements AutoCloseable {
    final AtomicInteger ok = new AtomicInteger();
    final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    final Map<String, Integer> byNode = Collections.synchronizedMap(new LinkedHashMap<>());
    private final AtomicBoolean stop = new AtomicBoolean();
    private Thread thread;

    FrontDoorLoad start() {
      thread = Thread.ofVirtual().name("front-door-load").start(() -> {
        Instant end = Instant.now().plus(Duration.ofMinutes(6));
        for (int i = 0; i < 20_000 && !stop.get() && Instant.now().isBefore(end); i++) {
          try {
            HttpResponse<String> r = send("GET", i % 2 == 0 ? "/entries" : "/session", null, session);
            boolean good = r.statusCode() == 200 && (i % 2 == 0 ? r.body().contains(ENTRY) : r.body().contains("\"name\": \"ann\""));
            if (good) {
              ok.incrementAndGet();
              byNode.merge(r.headers().firstValue("X-Node").orElse("?"), 1, Integer::sum);
            } else {
              failures.add("HTTP " + r.statusCode() + ": " + r.body().strip());
            }
            Thread.sleep(10);
          } catch (IOException e) {
            failures.add(e.toString());
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      return this;
    }

    void stop() throws InterruptedException {
      stop.set(true);
      thread.join(Duration.ofSeconds(30));
    }

    String summary() {
      return ok.get() + " ok, " + failures.size() + " failed " + failures.stream().limit(5).toList() + ", by node " + byNode;
    }

    @Override
    public void close() throws InterruptedException {
      stop();
    }
  }

  private HttpResponse<String> send(String method, String path, String form, String cookie) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + DOOR + path)).timeout(Duration.ofSeconds(10));
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    if (form != null) {
      b.header("Content-Type", "application/x-www-form-urlencoded").method(method, HttpRequest.BodyPublishers.ofString(form));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String entries() throws IOException, InterruptedException {
    HttpResponse<String> r = send("GET", "/entries", null, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }

  private HerdProcess start() {
    starts++;
    HerdProcess p = HerdProcess.up(dir, Map.of("DOCKER_HOST", engine.endpoint().uri().toString()),
        tmp.resolve("herd-up-" + starts + ".log"));
    await("herd up serving its API").atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofMillis(250))
        .ignoreExceptionsMatching(e -> e instanceof ApiClient.NoController || e.getMessage() != null
            && e.getMessage().contains("has not written its api.json"))
        .until(() -> p.api(Duration.ofSeconds(5)).get("/healthz", Api.Done.class).message().equals("ok"));
    return p;
  }

  private void awaitHealthy(Duration atMost) {
    await("db, cache and web healthy").atMost(atMost).pollInterval(Duration.ofMillis(500))
        .ignoreExceptionsMatching(e -> e instanceof ApiClient.NoController || e instanceof AssertionError)
        .until(() -> Stream.of("db", "cache", "web").allMatch(f -> {
          Api.FleetView v = fleet(f);
          // in service, not only healthy: the front door takes a node a moment after its check
          // passes, and a request sent in between would find no server
          return v.rollout() == null && v.healthy() == v.count() && v.nodes().size() == v.count()
              && v.nodes().stream().allMatch(Api.NodeView::inService);
        }));
  }

  private Api.FleetView fleet(String name) {
    Api.Status s = herd.api(Duration.ofSeconds(10)).get("/v1/status", Api.Status.class);
    return s.fleets().stream().filter(f -> f.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("herd runs no fleet " + name + " (yet)"));
  }

  private Instant healthySince(String fleet) {
    return fleet(fleet).nodes().stream().map(Api.NodeView::healthySince).min(Instant::compareTo).orElseThrow();
  }

  private Map<String, Long> generations(String fleet) {
    Map<String, Long> out = new LinkedHashMap<>();
    fleet(fleet).nodes().forEach(n -> out.put(n.name(), n.generation()));
    return out;
  }

  private List<Api.EventView> events(long after) {
    return herd.api(Duration.ofSeconds(10)).get("/v1/events?after=" + after + "&limit=10000", Api.Events.class).events();
  }

  /** The engine volumes of this test's project (their names start with it). */
  private List<String> volumes() {
    return Podman.run("volume", "ls", "--format", "{{.Name}}").stream().filter(v -> v.startsWith(project + "-")).sorted().toList();
  }

  private void removeVolumes() {
    for (String v : volumes()) {
      Podman.run("volume", "rm", "-f", v);
    }
  }

  private static void edit(Path file, Map<String, String> replacements) throws IOException {
    String text = Files.readString(file);
    for (Map.Entry<String, String> r : replacements.entrySet()) {
      if (!text.contains(r.getKey())) {
        throw new IllegalStateException(file + " no longer contains " + r.getKey().strip() + "; update GuestbookIT");
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
        Files.copy(p, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
  }
}
