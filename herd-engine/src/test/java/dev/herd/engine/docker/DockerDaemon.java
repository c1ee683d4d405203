package dev.herd.engine.docker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A private Docker Engine for integration tests: {@code dockerd} on its own socket, data root,
 * exec root and pid file under one temporary directory, with {@code --iptables=false
 * --bridge=none} (nodes use host networking), so it never touches a host's own Docker, its
 * iptables or Podman. Started once per test JVM on first use and stopped when the run ends.
 *
 * <p>Skips (with the reason) only when dockerd cannot run here at all: not installed, or not
 * root. An installed dockerd that fails to start fails the test.
 */
public final class DockerDaemon implements BeforeAllCallback {
  /** Ports the Docker tests give nodes (this work's range, apart from other test suites). */
  public static final int PORT_FROM = 23000;
  public static final int PORT_TO = 23999;
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(DockerDaemon.class);
  private static volatile Running running;

  /** The running daemon; call from tests of a class extended with this extension. */
  public static Running running() {
    if (running == null) {
      throw new IllegalStateException("annotate the test class with @ExtendWith(DockerDaemon.class)");
    }
    return running;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    Path dockerd = binary("dockerd");
    Assumptions.assumeTrue(dockerd != null,
        "dockerd is not installed; scripts/install-host-deps --tests installs docker.io (scripts/test does)");
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
        "dockerd needs root (rootless Docker is not set up by herd's tests)");
    running = context.getRoot().getStore(NS)
        .getOrComputeIfAbsent(Running.class, k -> Running.start(dockerd), Running.class);
  }

  static Path binary(String name) {
    for (String dir : List.of("/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin")) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /** One dockerd process and its private directory. */
  public static final class Running implements ExtensionContext.Store.CloseableResource {
    private final Process process;
    private final Path dir;
    private final HostCli cli;
    private final Thread hook;

    private Running(Process process, Path dir) {
      this.process = process;
      this.dir = dir;
      // a test JVM ended by a signal never closes the store: dockerd must not outlive it
      this.hook = new Thread(process::destroy, "herd-dockerd-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      // Debian's docker CLI matches its dockerd; any other docker on PATH may be newer than the API
      Path docker = Files.isExecutable(Path.of("/usr/bin/docker")) ? Path.of("/usr/bin/docker") : Path.of("docker");
      this.cli = new HostCli("docker", List.of(docker.toString(), "-H", host()));
    }

    static Running start(Path dockerd) {
      try {
        // short path: a unix socket path must stay under 108 bytes
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "herd-dockerd-");
        Files.writeString(dir.resolve("daemon.json"), "{}\n");
        Path log = dir.resolve("dockerd.log");
        Process p = new ProcessBuilder(dockerd.toString(),
            "--host", "unix://" + dir.resolve("docker.sock"),
            "--data-root", dir.resolve("data").toString(),
            "--exec-root", dir.resolve("exec").toString(),
            "--pidfile", dir.resolve("docker.pid").toString(),
            "--config-file", dir.resolve("daemon.json").toString(),
            "--iptables=false", "--ip-masq=false", "--bridge=none",
            "--log-level=warn")
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Running r = new Running(p, dir);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Ping.HTTP.failure(r.endpoint()).isPresent()) {
          if (!p.isAlive()) {
            throw new IllegalStateException("dockerd exited with " + p.exitValue() + " before answering; its log:\n"
                + Files.readString(log));
          }
          if (Instant.now().isAfter(deadline)) {
            r.close();
            throw new IllegalStateException("dockerd did not answer a ping within 60 s; its log:\n" + Files.readString(log));
          }
          p.waitFor(100, TimeUnit.MILLISECONDS);
        }
        return r;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    /** Mount points at or below {@code dir}, deepest first. */
    private static List<String> mountsUnder(Path dir) throws IOException {
      String prefix = dir.toString() + "/";
      return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
          .map(l -> l.split(" ")[4])
          .filter(m -> m.startsWith(prefix))
          .sorted(java.util.Comparator.reverseOrder())
          .toList();
    }

    /** {@code unix:///tmp/herd-dockerd-.../docker.sock}, as for DOCKER_HOST. */
    public String host() {
      return "unix://" + dir.resolve("docker.sock");
    }

    public Endpoint endpoint() {
      return new Endpoint(URI.create(host()), "DockerDaemon (tests)");
    }

    public HostCli cli() {
      return cli;
    }

    public Path dir() {
      return dir;
    }

    /** A free host port in the Docker tests' range. */
    public int freePort() {
      return Podman.freePort(PORT_FROM, PORT_TO + 1);
    }

    @Override
    public void close() {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs anyway
      }
      // SIGTERM: dockerd stops its containers and its containerd, and unmounts its layers
      process.destroy();
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        // dockerd 20.10 leaves its default network namespace bind-mounted in the exec root
        for (String mount : mountsUnder(dir)) {
          new ProcessBuilder("umount", mount).inheritIO().start().waitFor();
        }
        if (!mountsUnder(dir).isEmpty()) {
          System.err.println("DockerDaemon: mounts left under " + dir + "; not deleting it");
          return;
        }
        new ProcessBuilder("rm", "-rf", "--one-file-system", dir.toString()).inheritIO().start().waitFor();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
