package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.herd.image.catalog.Catalog;
import dev.herd.image.catalog.ImageRef;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * herd push / pull / login against Debian's docker-registry (the CNCF distribution server) on
 * loopback, with TLS from a CA this test makes and htpasswd auth; fault cases against a small
 * stand-in server that answers 500, cuts a blob short or sends a manifest that is not its digest.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryIT {
  static final String USER = "herd-ci";
  static final String PASSWORD = "registry-it-password-" + Long.toString(System.nanoTime(), 36);

  @TempDir Path dir;
  Path registryDir;
  int port;
  Process registry;
  Path registryLog;
  final String project = "herdreg" + Long.toString(System.nanoTime() % 1_000_000, 36);

  @BeforeAll
  void startRegistry() throws Exception {
    registryDir = Files.createTempDirectory("herd-registry-it-");
    run(registryDir, null, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=herd registry test CA");
    run(registryDir, null, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
        "-subj", "/CN=127.0.0.1");
    Files.writeString(registryDir.resolve("ext.cnf"), "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n");
    run(registryDir, null, "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf");
    run(registryDir, PASSWORD, "htpasswd", "-B", "-i", "-c", "htpasswd", USER);
    port = 24000 + ThreadLocalRandom.current().nextInt(0, 400);
    Files.writeString(registryDir.resolve("config.yml"), """
        version: 0.1
        log: {level: info, formatter: text}
        storage:
          filesystem: {rootdirectory: %s}
          delete: {enabled: true}
        http:
          addr: 127.0.0.1:%d
          tls: {certificate: %s, key: %s}
        auth:
          htpasswd: {realm: herd-it, path: %s}
        """.formatted(registryDir.resolve("data"), port, registryDir.resolve("server.pem"), registryDir.resolve("server.key"),
        registryDir.resolve("htpasswd")));
    registryLog = registryDir.resolve("registry.log");
    registry = new ProcessBuilder("docker-registry", "serve", registryDir.resolve("config.yml").toString())
        .redirectErrorStream(true).redirectOutput(registryLog.toFile()).start();
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
        .failFast("docker-registry exited", () -> !registry.isAlive())
        .until(() -> {
          try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
          } catch (IOException e) {
            return false;
          }
        });
  }

  @AfterAll
  void stopRegistry() throws Exception {
    if (registry != null) {
      registry.destroy();
      registry.waitFor(10, TimeUnit.SECONDS);
    }
    try (var s = Files.walk(registryDir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  Path project() throws IOException {
    Files.copy(registryDir.resolve("ca.pem"), dir.resolve("lab-ca.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.writeString(dir.resolve("herd.yaml"), """
        project: {name: %s, ports: 24500-24599}
        roles:
          web: {base: {scratch: {}}, command: ["/bin/busybox", "httpd", "-f", "-p", "${PORT}", "-h", "/www"]}
        environments: {dev: {}}
        registries:
          lab: {url: "https://127.0.0.1:%d", ca: lab-ca.pem, credentials: lab-push}
        channels:
          prod: {push: lab/shop}
        """.formatted(project, port));
    UpDownIT.importBusybox(dir.resolve(".herd"));
    return dir.resolve("herd.yaml");
  }

  CliRun login(Path spec, String password, String... more) {
    LoginCommand.stdin = new ByteArrayInputStream((password + "\n").getBytes(StandardCharsets.UTF_8));
    try {
      List<String> args = new ArrayList<>(List.of("login", "lab", "--username", USER, "-f", spec.toString()));
      args.addAll(List.of(more));
      return CliRun.of(args.toArray(String[]::new));
    } finally {
      LoginCommand.stdin = System.in;
    }
  }

  String webDigest() {
    try (Catalog c = Catalog.open(dir.resolve(".herd/herd.db"))) {
      return c.resolve(ImageRef.parse("web:1")).digest().toString();
    }
  }

  long blobUploads() throws IOException {
    return Files.readAllLines(registryLog).stream()
        .filter(l -> l.contains("http.request.method=POST") && l.contains("/blobs/uploads/")).count();
  }

  @Test
  void pushLoginPullAndTheDigestIsHerds() throws Exception {
    Path spec = project();
    String digest = webDigest();

    CliRun noLogin = CliRun.of("push", "web:1", "lab/shop/web:1", "-f", spec.toString());
    assertThat(noLogin.exitCode()).isEqualTo(HerdCli.FAILED);
    assertThat(noLogin.err()).contains("registry lab needs credentials lab-push and none are stored; run `herd login lab`");

    assertThat(login(spec, "wrong-password").exitCode()).isZero();
    CliRun wrong = CliRun.of("push", "web:1", "lab/shop/web:1", "-f", spec.toString());
    assertThat(wrong.exitCode()).isEqualTo(HerdCli.FAILED);
    assertThat(wrong.err()).contains("push 127.0.0.1:" + port + "/shop/web:1: registry 127.0.0.1:" + port + " refused the credentials (HTTP 401)");

    // A channel that pushes does not move when the push fails.
    CliRun promoteFails = CliRun.of("promote", "web:1", "prod", "-f", spec.toString());
    assertThat(promoteFails.exitCode()).isEqualTo(HerdCli.FAILED);
    assertThat(promoteFails.err()).contains("push 127.0.0.1:" + port + "/shop/web:prod: registry 127.0.0.1:" + port + " refused the credentials");
    try (Catalog c = Catalog.open(dir.resolve(".herd/herd.db"))) {
      assertThat(c.channels("web")).isEmpty();
    }

    CliRun ok = login(spec, PASSWORD);
    assertThat(ok.out()).contains("stored credentials lab-push for registry lab").doesNotContain(PASSWORD);
    CliRun push = CliRun.of("push", "web:1", "lab/shop/web:1", "-f", spec.toString());
    assertThat(push.exitCode()).as(push.err()).isZero();
    assertThat(push.out()).contains("pushed web:1 to 127.0.0.1:" + port + "/shop/web:1 (" + digest + ")");

    // Promoting to a channel that pushes publishes the image as the channel's tag and records it.
    CliRun promote = CliRun.of("promote", "web:1", "prod", "-f", spec.toString());
    assertThat(promote.exitCode()).as(promote.err()).isZero();
    assertThat(promote.out()).contains("promoted web:1 to prod (new channel); pushed to 127.0.0.1:" + port + "/shop/web:prod (" + digest + ")");
    CliRun show = CliRun.of("image", "show", "web:1", "-f", spec.toString());
    assertThat(show.out()).contains("127.0.0.1:" + port + "/shop/web:1 ").contains("127.0.0.1:" + port + "/shop/web:prod (channel prod)");

    // Outside herd: skopeo and podman see herd's digest, and the image runs.
    Path auth = authFile();
    String inspected = run(dir, null, "skopeo", "inspect", "--authfile", auth.toString(), "--cert-dir", certDir().toString(),
        "--format", "{{.Digest}}", "docker://127.0.0.1:" + port + "/shop/web:1").strip();
    assertThat(inspected).isEqualTo(digest);
    String image = "127.0.0.1:" + port + "/shop/web:1";
    run(dir, null, "podman", "pull", "-q", "--authfile", auth.toString(), "--cert-dir", certDir().toString(), image);
    try {
      assertThat(run(dir, null, "podman", "image", "inspect", "--format", "{{.Digest}}", image).strip()).isEqualTo(digest);
      assertThat(run(dir, null, "podman", "run", "--rm", "--network", "none", image, "/bin/busybox", "echo", "runs")).contains("runs");
    } finally {
      run(dir, null, "podman", "rmi", "-f", image);
    }

    // A role based on the pushed image: bakes, pins the digest in herd.lock, rebakes bit-identically;
    // --locked refuses the tag once it moved.
    Files.writeString(spec, Files.readString(spec).replace("roles:\n", """
        roles:
          app:
            base: {image: {ref: lab/shop/web:1}}
            resources:
              - file: /www/app.txt
                content: on top of the registry base
        """));
    CliRun bake = CliRun.of("bake", "app", "-f", spec.toString());
    assertThat(bake.exitCode()).as(bake.err()).isZero();
    String appDigest = bake.out().lines().filter(l -> l.startsWith("app:1 ")).findFirst().orElseThrow().split("\\s+")[1];
    assertThat(Files.readString(dir.resolve("herd.lock"))).contains("\"image\" : \"lab/shop/web:1@" + digest + "\"");
    CliRun rebake = CliRun.of("bake", "app", "--locked", "-f", spec.toString());
    assertThat(rebake.exitCode()).as(rebake.err()).isZero();
    assertThat(rebake.out()).contains("app:1 " + appDigest);
    CliRun moveTag = CliRun.of("push", "app:1", "lab/shop/web:1", "-f", spec.toString());
    assertThat(moveTag.exitCode()).as(moveTag.err()).isZero();
    CliRun lockedMoved = CliRun.of("bake", "app", "--locked", "-f", spec.toString());
    assertThat(lockedMoved.exitCode()).isEqualTo(HerdCli.FAILED);
    assertThat(lockedMoved.err()).contains("role app: base lab/shop/web:1 moved: herd.lock pins " + digest + ", the registry now has " + appDigest);
    CliRun moveBack = CliRun.of("push", "web:1", "lab/shop/web:1", "-f", spec.toString());
    assertThat(moveBack.exitCode()).as(moveBack.err()).isZero();

    // Push again: every blob is there, none is uploaded.
    long uploads = blobUploads();
    assertThat(uploads).isPositive();
    CliRun again = CliRun.of("push", "web:1", "lab/shop/web:1", "-f", spec.toString());
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(blobUploads()).isEqualTo(uploads);

    // Pull into an empty state dir (another machine: log in there first): same digest, registered as web:1.
    Path empty = dir.resolve("elsewhere");
    assertThat(login(spec, PASSWORD, "--state", empty.toString()).exitCode()).isZero();
    CliRun pull = CliRun.of("pull", "lab/shop/web:1", "--as", "web", "-f", spec.toString(), "--state", empty.toString());
    assertThat(pull.exitCode()).as(pull.err()).isZero();
    assertThat(pull.out()).contains("pulled 127.0.0.1:" + port + "/shop/web:1 as web:1 (" + digest + ")");
    try (Catalog c = Catalog.open(empty.resolve("herd.db"))) {
      assertThat(c.resolve(ImageRef.parse("web:1")).digest().toString()).isEqualTo(digest);
    }
    CliRun again2 = CliRun.of("pull", "lab/shop/web:1", "--as", "web", "-f", spec.toString(), "--state", empty.toString());
    assertThat(again2.out()).contains("as web:1 (" + digest + "), already in the store");

    // Unknown repository: one line, nothing imported.
    Path other = dir.resolve("other");
    assertThat(login(spec, PASSWORD, "--state", other.toString()).exitCode()).isZero();
    CliRun unknown = CliRun.of("pull", "lab/shop/nope:1", "--as", "web", "-f", spec.toString(), "--state", other.toString());
    assertThat(unknown.exitCode()).isEqualTo(HerdCli.FAILED);
    assertThat(unknown.err()).contains("pull 127.0.0.1:" + port + "/shop/nope:1: no such image in registry 127.0.0.1:" + port);
    assertThat(unknown.err().lines().count()).isEqualTo(1);
    assertThat(imported(other)).isEmpty();

    // A multi-arch index with no linux/amd64 entry.
    Path layout = dir.resolve("arm-only");
    run(dir, null, "skopeo", "copy", "--authfile", auth.toString(), "--src-cert-dir", certDir().toString(),
        "docker://127.0.0.1:" + port + "/shop/web:1", "oci:" + layout + ":x");
    armOnlyIndex(layout);
    run(dir, null, "skopeo", "copy", "--all", "--authfile", auth.toString(), "--dest-cert-dir", certDir().toString(),
        "oci:" + layout + ":x", "docker://127.0.0.1:" + port + "/shop/arm:1");
    CliRun arm = CliRun.of("pull", "lab/shop/arm:1", "--as", "web", "-f", spec.toString(), "--state", other.toString());
    assertThat(arm.exitCode()).isEqualTo(HerdCli.FAILED);
    assertThat(arm.err()).contains("the tag is a multi-arch index with no linux/amd64 image; nothing was imported");
    assertThat(imported(other)).isEmpty();
  }

  @Test
  void faultsGiveOneLineAndImportNothing() throws Exception {
    byte[] blob = "not really a layer, cut short".getBytes(StandardCharsets.UTF_8);
    String blobDigest = dev.herd.image.oci.Digest.of(blob).toString();
    byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}".getBytes(StandardCharsets.UTF_8);
    String configDigest = dev.herd.image.oci.Digest.of(config).toString();
    byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":"
        + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":" + config.length + "},\"layers\":[{"
        + "\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + blobDigest + "\",\"size\":" + (blob.length * 100) + "}]}")
        .getBytes(StandardCharsets.UTF_8);
    String liedDigest = dev.herd.image.oci.Digest.of("something else").toString();
    int fakePort = 24600 + ThreadLocalRandom.current().nextInt(0, 300);
    HttpServer fake = HttpServer.create(new InetSocketAddress("127.0.0.1", fakePort), 0);
    fake.createContext("/", ex -> {
      String path = ex.getRequestURI().getPath();
      byte[] body;
      int status = 200;
      String type = "application/octet-stream";
      if (path.equals("/v2/") || path.equals("/v2")) {
        body = "{}".getBytes(StandardCharsets.UTF_8);
      } else if (path.startsWith("/v2/broken/")) {
        status = 500;
        body = "{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"boom\"}]}".getBytes(StandardCharsets.UTF_8);
      } else if (path.endsWith("/manifests/1") || path.endsWith("/manifests/" + liedDigest)) {
        body = manifest;
        type = "application/vnd.oci.image.manifest.v1+json";
      } else if (path.endsWith("/blobs/" + configDigest)) {
        body = config;
      } else if (path.endsWith("/blobs/" + blobDigest)) {
        // Promise 100x the bytes, send a few, hang up.
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(200, (long) blob.length * 100);
        ex.getResponseBody().write(blob);
        ex.getResponseBody().flush();
        ex.close();
        return;
      } else {
        status = 404;
        body = "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}".getBytes(StandardCharsets.UTF_8);
      }
      ex.getResponseHeaders().set("Content-Type", type);
      ex.getResponseHeaders().set("Docker-Distribution-API-Version", "registry/2.0");
      ex.sendResponseHeaders(status, status == 200 && ex.getRequestMethod().equals("HEAD") ? -1 : body.length);
      try (OutputStream out = ex.getResponseBody()) {
        if (!ex.getRequestMethod().equals("HEAD")) {
          out.write(body);
        }
      }
    });
    fake.start();
    try {
      Path state = dir.resolve("faults");
      String host = "127.0.0.1:" + fakePort;
      Map<String, String> cases = Map.of(
          host + "/broken/web:1", "pull " + host + "/broken/web:1: registry " + host + " answered HTTP 500 (server error); nothing was imported",
          host + "/cut/web:1", "pull " + host + "/cut/web:1: the connection to " + host + " broke during the transfer; nothing was imported",
          host + "/lies/web@" + liedDigest, "pull " + host + "/lies/web@" + liedDigest
              + ": the registry sent content whose digest does not match (manifest or blob); nothing was imported");
      List<String> failures = new ArrayList<>();
      for (Map.Entry<String, String> c : cases.entrySet()) {
        CliRun r = CliRun.of("pull", c.getKey(), "--as", "web", "--state", state.toString());
        if (r.exitCode() != HerdCli.FAILED || !r.err().contains(c.getValue()) || r.err().lines().count() != 1) {
          failures.add(c.getKey() + " -> exit " + r.exitCode() + ": " + r.err());
        }
      }
      assertThat(failures).isEmpty();
      assertThat(imported(state)).isEmpty();
    } finally {
      fake.stop(0);
    }
  }

  @Test
  void anInterruptedPushLeavesNoTagAndRunningItAgainCompletesIt() throws Exception {
    Path spec = project();
    // A fresh image with a 2 MiB random layer, so no earlier push lets the registry mount it.
    byte[] content = new byte[2 << 20];
    ThreadLocalRandom.current().nextBytes(content);
    java.io.ByteArrayOutputStream tarBytes = new java.io.ByteArrayOutputStream();
    try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(tarBytes)) {
      var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("random.bin");
      e.setSize(content.length);
      tar.putArchiveEntry(e);
      tar.write(content);
      tar.closeArchiveEntry();
    }
    String digest;
    try (var images = dev.herd.image.Images.open(dir.resolve(".herd"))) {
      var layer = images.store().putBlob("application/vnd.oci.image.layer.v1.tar", tarBytes.toByteArray());
      var config = dev.herd.image.oci.ImageConfig.builder().build().withDiffIds(List.of(layer.digest()));
      var manifest = images.store().putImage(config, List.of(new dev.herd.image.oci.Descriptor(
          "application/vnd.oci.image.layer.v1.tar", layer.digest(), layer.size())), Map.of());
      images.catalog().register("big", manifest.digest(), manifest.size() + layer.size(), dev.herd.image.catalog.Lineage.UNKNOWN);
      digest = manifest.digest().toString();
    }
    // A TCP proxy in front of the registry that hangs up after 1 MiB from the client: mid-blob.
    int proxyPort = 24700 + ThreadLocalRandom.current().nextInt(0, 200);
    java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
    java.net.ServerSocket proxy = new java.net.ServerSocket(proxyPort, 50, java.net.InetAddress.getLoopbackAddress());
    Thread acceptor = Thread.ofVirtual().start(() -> {
      while (!proxy.isClosed()) {
        try {
          Socket client = proxy.accept();
          if (sent.get() > (1 << 20)) {
            client.close();
            continue;
          }
          Socket upstream = new Socket("127.0.0.1", port);
          Thread.ofVirtual().start(() -> pump(client, upstream, sent));
          Thread.ofVirtual().start(() -> pump(upstream, client, null));
        } catch (IOException e) {
          return;
        }
      }
    });
    try {
      Files.writeString(spec, Files.readString(spec).replace("registries:\n",
          "registries:\n  cut: {url: \"https://127.0.0.1:" + proxyPort + "\", ca: lab-ca.pem, credentials: lab-push}\n"));
      assertThat(login(spec, PASSWORD).exitCode()).isZero();
      LoginCommand.stdin = new ByteArrayInputStream(PASSWORD.getBytes(StandardCharsets.UTF_8));
      assertThat(CliRun.of("login", "cut", "--username", USER, "-f", spec.toString()).exitCode()).isZero();
      LoginCommand.stdin = System.in;

      CliRun cut = CliRun.of("push", "big:1", "cut/cut/big:1", "-f", spec.toString());
      assertThat(cut.exitCode()).isEqualTo(HerdCli.FAILED);
      assertThat(cut.err()).contains("push 127.0.0.1:" + proxyPort + "/cut/big:1: ").contains("nothing was tagged");
      assertThat(cut.err().lines().count()).isEqualTo(1);
      assertThat(sent.get()).isGreaterThan(1 << 20);
      // No tag on the partial image.
      Process inspect = new ProcessBuilder("skopeo", "inspect", "--authfile", authFile().toString(), "--cert-dir", certDir().toString(),
          "docker://127.0.0.1:" + port + "/cut/big:1").redirectErrorStream(true).start();
      String said = new String(inspect.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(inspect.waitFor()).as(said).isNotZero();
      assertThat(said).contains("manifest unknown");

      // Run again (directly): the push completes with herd's digest.
      CliRun again = CliRun.of("push", "big:1", "lab/cut/big:1", "-f", spec.toString());
      assertThat(again.exitCode()).as(again.err()).isZero();
      assertThat(again.out()).contains("(" + digest + ")");
    } finally {
      proxy.close();
      acceptor.join(5000);
    }
  }

  static void pump(Socket from, Socket to, java.util.concurrent.atomic.AtomicLong counter) {
    byte[] buf = new byte[16 << 10];
    try (from; to) {
      var in = from.getInputStream();
      var out = to.getOutputStream();
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        if (counter != null && counter.addAndGet(n) > (1 << 20)) {
          return; // hang up mid-transfer
        }
      }
    } catch (IOException e) {
      // the other side hung up
    }
  }

  @Test
  void aFleetRunsFromAnImagePulledIntoAnEmptyStateDir() throws Exception {
    Path spec = project();
    String digest = webDigest();
    assertThat(login(spec, PASSWORD).exitCode()).isZero();
    CliRun push = CliRun.of("push", "web:1", "lab/fleet/web:1", "-f", spec.toString());
    assertThat(push.exitCode()).as(push.err()).isZero();

    // "Another machine": a fresh state dir that only gets the image through herd pull.
    Path empty = dir.resolve("fresh-state");
    assertThat(login(spec, PASSWORD, "--state", empty.toString()).exitCode()).isZero();
    CliRun pull = CliRun.of("pull", "lab/fleet/web:1", "--as", "web", "-f", spec.toString(), "--state", empty.toString());
    assertThat(pull.exitCode()).as(pull.err()).isZero();
    Files.writeString(spec, Files.readString(spec).replace("environments: {dev: {}}", """
        environments: {dev: {}}
        fleets:
          web: {role: web, environment: dev, count: 1}
        """).replace("command: [\"/bin/busybox\", \"httpd\", \"-f\", \"-p\", \"${PORT}\", \"-h\", \"/www\"]}",
        "command: [\"/bin/busybox\", \"httpd\", \"-f\", \"-p\", \"${PORT}\", \"-h\", \"/www\"], "
            + "health: {http: {path: /}, interval: 1s, timeout: 500ms, start_grace: 5s}}"));
    java.util.concurrent.CompletableFuture<CliRun> up = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> CliRun.of("up", "--no-bake", "-f", spec.toString(), "--state", empty.toString()));
    try {
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
          .failFast("herd up exited", up::isDone).untilAsserted(() ->
              assertThat(CliRun.of("status", "-f", spec.toString(), "--state", empty.toString()).out()).contains("web  web:v1  1/1 healthy"));
      try (Catalog c = Catalog.open(empty.resolve("herd.db"))) {
        assertThat(c.resolve(ImageRef.parse("web:1")).digest().toString()).isEqualTo(digest);
      }
    } finally {
      CliRun down = CliRun.of("down", "-f", spec.toString(), "--state", empty.toString());
      assertThat(down.exitCode()).as(down.err()).isZero();
      up.get(60, TimeUnit.SECONDS);
      List<String> left = UpDownIT.podman("ps", "-aq", "--filter", "label=herd.project=" + project);
      if (!left.isEmpty()) {
        UpDownIT.podman(UpDownIT.concat(List.of("rm", "-f"), left).toArray(String[]::new));
      }
    }
  }

  /** Blobs in a state dir's image store (none, or the store does not exist). */
  static List<Path> imported(Path state) throws IOException {
    List<Path> out = new ArrayList<>();
    for (String d : List.of("images/blobs/sha256", "images/.herd-tmp")) {
      Path p = state.resolve(d);
      if (Files.isDirectory(p)) {
        try (var s = Files.list(p)) {
          s.filter(f -> !f.getFileName().toString().equals("index.lock")).forEach(out::add); // the store's own lock
        }
      }
    }
    if (Files.isRegularFile(state.resolve("herd.db"))) {
      try (Catalog c = Catalog.open(state.resolve("herd.db"))) {
        c.list(null).forEach(i -> out.add(Path.of(i.ref())));
      }
    }
    return out;
  }

  /** Rewrites a one-image OCI layout's index into a multi-arch index whose only entry is linux/arm64. */
  static void armOnlyIndex(Path layout) throws IOException {
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    var index = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(layout.resolve("index.json").toFile());
    var entry = (com.fasterxml.jackson.databind.node.ObjectNode) index.get("manifests").get(0).deepCopy();
    entry.remove("annotations");
    entry.putObject("platform").put("os", "linux").put("architecture", "arm64");
    var inner = json.createObjectNode().put("schemaVersion", 2).put("mediaType", "application/vnd.oci.image.index.v1+json");
    inner.putArray("manifests").add(entry);
    byte[] innerBytes = json.writeValueAsBytes(inner);
    String innerDigest = dev.herd.image.oci.Digest.of(innerBytes).toString();
    Files.write(layout.resolve("blobs/sha256/" + innerDigest.substring(7)), innerBytes);
    var top = json.createObjectNode().put("schemaVersion", 2);
    var e = top.putArray("manifests").addObject();
    e.put("mediaType", "application/vnd.oci.image.index.v1+json").put("digest", innerDigest).put("size", innerBytes.length);
    e.putObject("annotations").put("org.opencontainers.image.ref.name", "x");
    Files.write(layout.resolve("index.json"), json.writeValueAsBytes(top));
  }

  Path authFile() throws IOException {
    Path f = dir.resolve("test-auth.json");
    if (!Files.exists(f)) {
      Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      String auth = java.util.Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
      Files.writeString(f, "{\"auths\":{\"127.0.0.1:" + port + "\":{\"auth\":\"" + auth + "\"}}}");
    }
    return f;
  }

  Path certDir() throws IOException {
    Path d = dir.resolve("test-certs");
    if (!Files.exists(d)) {
      Files.createDirectories(d);
      Files.copy(registryDir.resolve("ca.pem"), d.resolve("ca.crt"));
    }
    return d;
  }

  static String run(Path cwd, String stdin, String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
    if (stdin != null) {
      p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
    }
    return out;
  }
}
