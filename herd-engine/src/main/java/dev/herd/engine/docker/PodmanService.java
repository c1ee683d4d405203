package dev.herd.engine.docker;

import dev.herd.engine.EngineUnreachable;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code podman system service} herd started on a private socket because no engine was
 * running. Containers outlive it (conmon keeps them), so stopping it stops nothing else.
 */
public final class PodmanService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PodmanService.class);
  /** sun_path is 108 bytes; longer paths cannot be bound. */
  private static final int MAX_SOCKET_PATH = 100;

  private final Process process;
  private final Path socket;
  private final Endpoint endpoint;

  private PodmanService(Process process, Path socket) {
    this.process = process;
    this.socket = socket;
    this.endpoint = new Endpoint(URI.create("unix://" + socket), PodmanServiceStrategy.NAME);
  }

  /** Starts the service and waits until it answers a ping. */
  public static PodmanService start(String podman, Path stateDir, Duration timeout, Ping ping) {
    Path socket = socketPath(stateDir);
    Path logFile = stateDir.resolve("podman-service.log");
    try {
      for (Path d : List.of(stateDir, socket.getParent())) {
        if (!Files.isDirectory(d)) {
          Files.createDirectories(d);
          Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------")); // not the umask's mode
        }
      }
      Files.deleteIfExists(socket);
      if (!Files.exists(logFile)) {
        Files.createFile(logFile);
      }
      Files.setPosixFilePermissions(logFile, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      throw new EngineUnreachable("cannot prepare " + socket.getParent() + " for the podman service: " + e, e);
    }
    List<String> cmd = List.of(podman, "system", "service", "--time=0", "unix://" + socket);
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
    } catch (IOException e) {
      throw new EngineUnreachable("cannot run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
    }
    PodmanService service = new PodmanService(p, socket);
    log.info("started podman system service (pid {}) on {}", p.pid(), socket);
    Instant deadline = Instant.now().plus(timeout);
    Optional<String> last = Optional.of("not tried");
    while (Instant.now().isBefore(deadline)) {
      if (!p.isAlive()) {
        service.close();
        throw new EngineUnreachable("podman system service exited with " + p.exitValue()
            + " before answering on " + socket + ": " + tail(logFile), null);
      }
      if (Files.exists(socket)) {
        last = ping.failure(service.endpoint);
        if (last.isEmpty()) {
          return service;
        }
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        service.close();
        throw new EngineUnreachable("interrupted while waiting for the podman service", e);
      }
    }
    service.close();
    throw new EngineUnreachable("podman system service did not answer on " + socket + " within "
        + timeout.toSeconds() + "s (" + last.orElse("") + "); see " + logFile, null);
  }

  /** {@code <stateDir>/podman.sock}, or a short path under /tmp when that is too long for a socket. */
  static Path socketPath(Path stateDir) {
    Path preferred = stateDir.toAbsolutePath().resolve("podman.sock");
    if (preferred.toString().length() <= MAX_SOCKET_PATH) {
      return preferred;
    }
    String hash = Integer.toHexString(preferred.toString().hashCode());
    return Path.of(System.getProperty("java.io.tmpdir"), "herd-podman-" + hash, "podman.sock");
  }

  public Endpoint endpoint() {
    return endpoint;
  }

  public long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
      log.info("stopped podman system service (pid {})", process.pid());
    }
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      log.debug("could not delete {}: {}", socket, e.toString());
    }
  }

  private static String tail(Path logFile) {
    try {
      String s = Files.readString(logFile, StandardCharsets.UTF_8).strip();
      return s.length() > 500 ? s.substring(s.length() - 500) : s;
    } catch (IOException e) {
      return "(no log)";
    }
  }

}
