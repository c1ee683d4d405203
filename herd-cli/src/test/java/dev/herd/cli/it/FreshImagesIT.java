package dev.herd.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.herd.engine.docker.BusyboxImage;
import dev.herd.server.api.Api;
import dev.herd.server.client.ApiClient;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fresh images, offline and real (issue 17's acceptance): the test builds a small Debian-format
 * repository itself ({@code dpkg-deb --build} of a tiny package beside Debian's busybox-static
 * .deb that the other ITs cache, {@code apt-ftparchive} for the indexes and Release files),
 * serves it on 127.0.0.1:25001 and points a role's mirror at it (suite and a
 * {@code bookworm-security} suite). {@code herd up} bakes and runs two nodes; a newer
 * {@code herd-hello} published in the security suite makes {@code herd outdated} report exactly
 * that package (exit 2); the running controller's {@code rebake: {on: [security_updates]}} bakes
 * web:2 on its own schedule and rolls it out; inside each node the new version is installed; then
 * {@code herd outdated} exits 0. With the mirror gone, {@code herd outdated} says so (exit 4) and
 * nothing changes. Ports: mirror 25001, API 25002, nodes 25100-25199; the project name is unique
 * per run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FreshImagesIT {
  private static final int MIRROR_PORT = 25001;
  private static final int API_PORT = 25002;
  private static final int COUNT = 2;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;
  private final String project = "fresh" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 30), 36);
  private Path dir;
  private Path repo;
  private Map<String, String> env;
  private HttpServer mirror;
  private HerdProcess herd;

  @BeforeAll
  void repositoryAndProject() throws IOException, InterruptedException {
    repo = Files.createDirectories(tmp.resolve("mirror/repo"));
    Files.createDirectories(repo.resolve("pool/main"));
    Files.copy(busyboxDeb(), repo.resolve("pool/main/busybox-static.deb"));
    publish("1.0-1", "bookworm");
    index("bookworm-security");
    mirror = serve(tmp.resolve("mirror"));

    dir = Files.createDirectories(tmp.resolve("project"));
    // the apt indexes and base trees of this run stay in the test's directory
    env = Map.of("XDG_CACHE_HOME", Files.createDirectories(tmp.resolve("cache")).toString());
    Files.writeString(dir.resolve("herd.yaml"), """
        project:
          name: %1$s
          ports: 25100-25199
        roles:
          web:
            base:
              debian:
                variant: extract
                mirror: |
                  deb [trusted=yes] http://127.0.0.1:%2$d/repo bookworm main
                  deb [trusted=yes] http://127.0.0.1:%2$d/repo bookworm-security main
                packages: [busybox-static, herd-hello]
            command: ["/bin/busybox", "httpd", "-f", "-p", "${PORT}", "-h", "/usr/share/herd-hello"]
            rebake: {on: [security_updates], every: 5m}
            health:
              http: {path: /version, status: 200}
              interval: 1s
              timeout: 500ms
              start_grace: 5s
        environments:
          dev: {}
        fleets:
          web: {role: web, environment: dev, count: %3$d, drift: {tamper: report}}   # the test execs into nodes; replacing them would race its checks
        """.formatted(project, MIRROR_PORT, COUNT));
  }

  @AfterAll
  void removeEverything() throws InterruptedException {
    try {
      if (herd != null) {
        HerdProcess.run(Duration.ofSeconds(120), env, "down", "-f", file());
        herd.close();
      }
    } finally {
      try {
        Podman.removeAll(project);
      } finally {
        if (mirror != null) {
          mirror.stop(0);
        }
      }
    }
  }

  @Test
  void aSecurityUpdateOnTheMirrorIsReportedRebakedRolledOutAndThenCurrent() throws Exception {
    herd = HerdProcess.up(dir, env, tmp.resolve("herd-up.log"), List.of("--port", Integer.toString(API_PORT)));
    await("herd up serving its API").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
        .ignoreExceptionsMatching(e -> e instanceof ApiClient.NoController || e.getMessage() != null
            && e.getMessage().contains("has not written its api.json"))
        .until(() -> herd.api(Duration.ofSeconds(5)).get("/healthz", Api.Done.class).message().equals("ok"));
    awaitSettledOn("web:v1");
    assertThat(nodeVersions()).containsOnly("1.0-1");
    // the controller's first check finds web:1 current: from here on its next check is 5m away
    await("the first scheduled rebake check").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
        .until(() -> Files.readString(dir.resolve(".herd/herd.log")).contains("rebake of role web: web:1 is current"));

    HerdProcess.Run current = outdated();
    assertThat(current.exitCode()).as(current.output()).isZero();

    publish("1.0-2", "bookworm-security");

    HerdProcess.Run stale = outdated();
    assertThat(stale.exitCode()).as(stale.output()).isEqualTo(2);
    JsonNode report = JSON.readTree(stale.output().substring(stale.output().indexOf('{')));
    List<String> updates = new ArrayList<>();
    for (JsonNode image : report.path("images")) {
      for (JsonNode u : image.path("updates")) {
        updates.add(image.path("image").asText() + " " + u.path("name").asText() + " " + u.path("installed").asText() + " → "
            + u.path("available").asText() + (u.path("security").asBoolean() ? " (security)" : ""));
      }
    }
    assertThat(updates).containsExactly("web:1 herd-hello 1.0-1 → 1.0-2 (security)");

    // the running controller's own schedule (every 5m) bakes web:2 and rolls it out
    await("the scheduled rebake").atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(2))
        .until(() -> rebakeEvents().contains("web:2 baked: herd-hello 1.0-1 → 1.0-2 (security)"));
    awaitSettledOn("web:v2");
    assertThat(nodeVersions()).as("inside every node").containsOnly("1.0-2");
    assertThat(Podman.containers(project)).hasSize(COUNT);

    HerdProcess.Run after = outdated();
    assertThat(after.exitCode()).as(after.output()).isZero();

    HerdProcess.Run diff = HerdProcess.run(Duration.ofMinutes(2), env, "image", "diff", "web:1", "web:2", "-f", file());
    assertThat(diff.output()).contains("~ package herd-hello: 1.0-1 → 1.0-2 (security)");
    HerdProcess.Run status = HerdProcess.run(Duration.ofMinutes(2), env, "status", "-f", file());
    assertThat(status.output()).contains("images: oldest image web:2, the latest");

    // the mirror gone: a clear error, and nothing changes
    List<String> imagesBefore = images();
    mirror.stop(0);
    mirror = null;
    HerdProcess.Run unreachable = outdated();
    assertThat(unreachable.exitCode()).as(unreachable.output()).isEqualTo(4);
    assertThat(unreachable.output()).contains("herd.yaml:").contains("cannot read the package index of")
        .contains("127.0.0.1:" + MIRROR_PORT).contains("nothing was changed").doesNotContain("Exception");
    assertThat(images()).isEqualTo(imagesBefore).hasSize(2);
    assertThat(nodeVersions()).containsOnly("1.0-2");
  }

  // ---- the repository ------------------------------------------------------------------------

  /** Builds herd-hello VERSION (one file saying its version) into SUITE and reindexes that suite. */
  private void publish(String version, String suite) throws IOException, InterruptedException {
    Path src = tmp.resolve("build/herd-hello-" + version);
    Files.createDirectories(src.resolve("DEBIAN"));
    Files.createDirectories(src.resolve("usr/share/herd-hello"));
    Files.writeString(src.resolve("DEBIAN/control"), """
        Package: herd-hello
        Version: %s
        Architecture: all
        Maintainer: herd tests <tests@herd.invalid>
        Description: a tiny package for herd's fresh-images test
        """.formatted(version));
    Files.writeString(src.resolve("usr/share/herd-hello/version"), version + "\n");
    Path pool = Files.createDirectories(repo.resolve(suite.endsWith("-security") ? "pool/security" : "pool/main"));
    exec(List.of("dpkg-deb", "--root-owner-group", "--build", src.toString(), pool.resolve("herd-hello_" + version + "_all.deb").toString()));
    index(suite);
  }

  /** Packages and Release of SUITE: the suite's pool only (bookworm: pool/main, bookworm-security: pool/security). */
  private void index(String suite) throws IOException, InterruptedException {
    Path binary = Files.createDirectories(repo.resolve("dists/" + suite + "/main/binary-amd64"));
    String pool = suite.endsWith("-security") ? "pool/security" : "pool/main";
    Files.createDirectories(repo.resolve(pool));
    Files.writeString(binary.resolve("Packages"), exec(List.of("apt-ftparchive", "packages", pool)));
    String release = exec(List.of("apt-ftparchive", "-o", "APT::FTPArchive::Release::Origin=herd-test",
        "-o", "APT::FTPArchive::Release::Suite=" + suite, "-o", "APT::FTPArchive::Release::Codename=" + suite,
        "-o", "APT::FTPArchive::Release::Components=main", "-o", "APT::FTPArchive::Release::Architectures=amd64",
        "release", "dists/" + suite));
    Files.writeString(repo.resolve("dists/" + suite + "/Release"), release);
  }

  private String exec(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).directory(repo.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " exited with " + p.exitValue());
    }
    return out;
  }

  /** Debian's busybox-static .deb, downloaded once into the tests' cache by the busybox test image. */
  private static Path busyboxDeb() throws IOException {
    BusyboxImage.get();
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path cache = (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache")).resolve("herd/test");
    try (Stream<Path> files = Files.list(cache)) {
      return files.filter(f -> f.getFileName().toString().startsWith("busybox-static_") && f.toString().endsWith(".deb"))
          .findFirst().orElseThrow(() -> new IllegalStateException("no busybox-static .deb in " + cache));
    }
  }

  /** A static file server for DIR on 127.0.0.1 only. */
  private static HttpServer serve(Path root) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", MIRROR_PORT), 16);
    server.createContext("/", exchange -> {
      try (exchange) {
        Path file = root.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
        if (!file.startsWith(root) || !Files.isRegularFile(file)) {
          exchange.sendResponseHeaders(404, -1);
          return;
        }
        byte[] body = Files.readAllBytes(file);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(200, head ? -1 : body.length);
        if (!head) {
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        }
      }
    });
    server.start();
    return server;
  }

  // ---- the fleet -----------------------------------------------------------------------------

  private String file() {
    return dir.resolve("herd.yaml").toString();
  }

  /** IMAGE and DIGEST of each row of {@code herd images} (the AGE column moves on). */
  private List<String> images() {
    HerdProcess.Run r = HerdProcess.run(Duration.ofMinutes(2), env, "images", "-f", file());
    assertThat(r.exitCode()).as(r.output()).isZero();
    return r.output().lines().filter(l -> l.startsWith("web:")).map(l -> String.join(" ", List.of(l.split("\\s+")).subList(0, 2))).toList();
  }

  private HerdProcess.Run outdated() {
    return HerdProcess.run(Duration.ofMinutes(3), env, "outdated", "--json", "-f", file());
  }

  private void awaitSettledOn(String release) {
    await("fleet settled on " + release).atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
        .ignoreExceptionsMatching(e -> e instanceof ApiClient.NoController)
        .until(this::fleet, f -> f.isPresent() && f.get().release().equals(release) && f.get().rollout() == null
            && f.get().nodes().size() == COUNT
            && f.get().nodes().stream().allMatch(n -> n.state().equals("healthy") && n.release().equals(release)));
  }

  private Optional<Api.FleetView> fleet() {
    Api.Status s = herd.api(Duration.ofSeconds(10)).get("/v1/status", Api.Status.class);
    return s.fleets().stream().filter(f -> f.name().equals("web")).findFirst();
  }

  private List<String> rebakeEvents() {
    return herd.api(Duration.ofSeconds(10)).get("/v1/events?after=0&limit=10000", Api.Events.class).events().stream()
        .filter(e -> e.kind().equals("rebake")).map(Api.EventView::reason).toList();
  }

  /** What herd-hello's file says inside each running node, read with podman exec. */
  private List<String> nodeVersions() {
    List<String> out = new ArrayList<>();
    for (Podman.Container c : Podman.containers(project)) {
      if (c.running()) {
        try {
          out.add(String.join("", Podman.run("exec", c.name(), "/bin/busybox", "cat", "/usr/share/herd-hello/version")).strip());
        } catch (RuntimeException e) {
          throw new UncheckedIOException(new IOException("cannot read the version inside " + c.name() + ": " + e.getMessage(), e));
        }
      }
    }
    return out;
  }
}
