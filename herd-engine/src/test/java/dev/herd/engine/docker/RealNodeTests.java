package dev.herd.engine.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herd.engine.LogLine;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.NodeSpec;
import dev.herd.engine.Subscription;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user sees of a node on a real engine: HTTP on its port, read-only everything, secrets
 * only as files. Subclasses connect to Podman or Docker Engine and name its CLI.
 */
abstract class RealNodeTests {
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir Path configDir;
  String project = "it" + Long.toHexString(ThreadLocalRandom.current().nextLong(1L << 32, 1L << 36));
  DockerApiEngine engine;
  Path secretsRoot;

  /** The engine for the whole class (the busybox image ensured). */
  protected abstract DockerApiEngine engine();

  protected abstract Path secretsRoot();

  protected abstract HostCli cli();

  protected abstract int freePort();

  /** What names the node's root filesystem mount in the host's mount table while it runs. */
  protected abstract String rootfsMount(NodeInfo n);

  @BeforeEach
  void bind() {
    engine = engine();
    secretsRoot = secretsRoot();
  }

  @AfterEach
  void removeNodes() {
    engine.listNodes(project).forEach(n -> engine.removeNode(n.ref()));
  }

  NodeSpec.Builder serving(String node) {
    return NodeSpec.builder().project(project).fleet("web").node(node).releaseId("r1")
        .imageDigest(BusyboxImage.get().digest()).port(freePort()).writablePath("/scratch")
        .command(RealEngineContract.serveCommand());
  }

  static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  Podman.Result exec(NodeInfo n, String script) {
    return cli().run("exec", n.ref().containerName(), "/bin/busybox", "sh", "-c", script);
  }

  static boolean serving(int port) {
    try {
      return get(port, "/").statusCode() == 200;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  static void awaitHttp(int port) {
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> get(port, "/").statusCode() == 200);
  }

  @Test
  void aNodeServesHttpOnItsPortWithAReadOnlyRootAndReadOnlyConfig() throws Exception {
    Files.writeString(configDir.resolve("app.conf"), "color=blue\n");
    NodeInfo n = engine.startNode(serving("web-1").configDir(configDir).memoryBytes(64L << 20).cpus(0.5).build());
    awaitHttp(n.port());

    HttpResponse<String> r = get(n.port(), "/index.html");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(BusyboxImage.INDEX_HTML);
    assertThat(exec(n, "echo x > /www/index.html").exitCode()).as("root is read-only").isNotZero();
    assertThat(exec(n, "echo x > /bin/evil").exitCode()).isNotZero();
    assertThat(exec(n, "echo x > /scratch/ok").exitCode()).as("tmpfs is writable").isZero();
    assertThat(exec(n, "/bin/busybox cat /etc/herd/app.conf").out()).isEqualTo("color=blue\n");
    assertThat(exec(n, "echo x > /etc/herd/app.conf").exitCode()).as("/etc/herd is read-only").isNotZero();
    assertThat(Files.readString(configDir.resolve("app.conf"))).isEqualTo("color=blue\n");
    assertThat(exec(n, "/bin/busybox grep ' /scratch ' /proc/mounts").out()).startsWith("tmpfs");

    String limits = cli().ok("inspect", "--format", "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.NetworkMode}}",
        n.ref().containerName()).out().strip();
    assertThat(limits).isEqualTo((64L << 20) + " 500000000 host");
  }

  @Test
  void secretsAreFilesUnderRunSecretsAndNowhereElse() throws Exception {
    String value = "s3cr3t-" + project;
    NodeInfo n = engine.startNode(serving("web-1").secret("api_key", value.getBytes(StandardCharsets.UTF_8))
        .env("MODE", "prod").build());
    awaitHttp(n.port());

    assertThat(exec(n, "/bin/busybox cat /run/secrets/api_key").out()).isEqualTo(value);
    assertThat(exec(n, "echo x > /run/secrets/api_key").exitCode()).as("secrets are read-only").isNotZero();
    assertThat(cli().ok("inspect", n.ref().containerName()).out()).doesNotContain(value);
    assertThat(exec(n, "/bin/busybox cat /proc/1/environ /proc/1/cmdline").out()).doesNotContain(value).contains("MODE=prod");
    assertThat(engine.logs(n.ref(), null)).noneMatch(l -> l.text().contains(value));

    Path dir = secretsRoot.resolve(n.ref().containerName());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("api_key")))).isEqualTo("r--------");
    assertThat(Files.getFileStore(dir).type()).isEqualTo("tmpfs");
  }

  @Test
  void logsStreamWhatTheNodeWritesWhileItServes() throws Exception {
    NodeInfo n = engine.startNode(serving("web-1").build());
    awaitHttp(n.port());
    List<LogLine> lines = new CopyOnWriteArrayList<>();
    try (Subscription s = engine.followLogs(n.ref(), null, lines::add)) {
      assertThat(get(n.port(), "/no-such-page").statusCode()).isEqualTo(404);
      await().atMost(Duration.ofSeconds(20)).until(() -> lines.stream().anyMatch(
          l -> l.text().contains("response:404") && l.stream() == LogLine.Stream.STDERR && l.time() != null));
    }
  }

  @Test
  void followingTheLogsOfMoreNodesThanAConnectionPoolHoldsLeavesRoomForEveryOtherCall() {
    NodeInfo n = engine.startNode(serving("web-1").build());
    List<Subscription> follows = new ArrayList<>();
    try {
      // one follower per node is what the controller holds: 70 stand for a fleet of 70
      for (int i = 0; i < 70; i++) {
        follows.add(engine.followLogs(n.ref(), null, l -> {}));
      }
      // before the followers had a pool of their own, these waited forever for a connection
      org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
        engine.ensureImage(BusyboxImage.get().source());
        assertThat(engine.stats(n.ref())).isNotNull();
        NodeInfo second = engine.startNode(serving("web-2").build());
        assertThat(second.running()).isTrue();
      });
    } finally {
      follows.forEach(Subscription::close);
    }
  }

  @Test
  void removeLeavesNoContainerNoSecretsAndNoMounts() throws Exception {
    NodeInfo n = engine.startNode(serving("web-1").configDir(configDir)
        .secret("token", "tok-123456".getBytes(StandardCharsets.UTF_8)).build());
    awaitHttp(n.port());
    Path dir = secretsRoot.resolve(n.ref().containerName());
    String rootfs = rootfsMount(n);
    assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).contains(rootfs);

    engine.stopNode(n.ref(), Duration.ofSeconds(5));
    engine.removeNode(n.ref());

    assertThat(cli().ok("ps", "-a", "-q", "--filter", "label=herd.project=" + project).out()).isBlank();
    assertThat(cli().containerExists(n.id())).isFalse();
    assertThat(dir).doesNotExist();
    String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
    assertThat(mounts).doesNotContain(rootfs).doesNotContain(dir.toString());
    assertThat(serving(n.port())).as("nothing answers on the node's port").isFalse();
  }
}
