package dev.herd.engine.docker;

import dev.herd.common.files.PrivateFiles;
import dev.herd.engine.EngineUnreachable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code podman system service} herd owns, on a private socket in its state directory, because
 * no engine was running. Containers outlive it (conmon keeps them), so stopping it stops nothing
 * else.
 *
 * <p>Ownership is written down ({@link ServiceRecord}, {@code <state>/podman-service.json}): a
 * herd killed with SIGKILL leaves its service running, and the next {@code herd up} finds it by
 * the record and adopts it instead of starting a second service on the same socket (it also takes
 * over a command's temporary service, which then leaves it running). Other commands
 * ({@code herd drift}, {@code herd doctor}) share a service that answers: used, never stopped. herd never unlinks a socket on which a process accepts
 * connections.
 *
 * <p>While owned, the service is supervised: when it dies herd starts it again (backoff 0.5 s
 * doubling to 30 s), logs one line and tells {@link #onRestart listeners}.
 */
public final class PodmanService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PodmanService.class);
  /** sun_path is 108 bytes; longer paths cannot be bound. */
  private static final int MAX_SOCKET_PATH = 100;
  private static final Duration FIRST_RESTART_BACKOFF = Duration.ofMillis(500);
  private static final Duration MAX_RESTART_BACKOFF = Duration.ofSeconds(30);
  /** Restarts within this window count toward the backoff; a service that stays up longer starts afresh. */
  private static final Duration RESTART_WINDOW = Duration.ofMinutes(5);

  /**
   * What discovery got from herd's own podman service: the endpoint, the service when this
   * process owns it (started or adopted), and a line for {@code herd doctor}.
   */
  public record Acquired(Endpoint endpoint, Optional<PodmanService> owned, String detail) {
    public Acquired {
      Objects.requireNonNull(endpoint, "endpoint");
      Objects.requireNonNull(owned, "owned");
      Objects.requireNonNull(detail, "detail");
    }
  }

  private final String podman;
  private final Path stateDir;
  private final Path socket;
  private final Path logFile;
  private final Duration timeout;
  private final Ping ping;
  private final Endpoint endpoint;
  private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
  private final Deque<Instant> restarts = new ArrayDeque<>();
  private ProcessHandle current;
  private Process child;
  private boolean closed;

  private PodmanService(String podman, Path stateDir, Duration timeout, Ping ping) {
    this.podman = podman;
    this.stateDir = stateDir;
    this.socket = socketPath(stateDir);
    this.logFile = stateDir.resolve("podman-service.log");
    this.timeout = timeout;
    this.ping = ping;
    this.endpoint = endpointFor(socket);
  }

  /** Starts (or adopts a leftover) service this process then owns; fails if another live herd owns the one there. */
  public static PodmanService start(String podman, Path stateDir, Duration timeout, Ping ping) {
    Acquired a = acquire(podman, stateDir, timeout, ping, true);
    return a.owned().orElseThrow(() -> new EngineUnreachable("cannot own the podman service on " + a.endpoint()
        + ": " + a.detail(), null));
  }

  /**
   * herd's podman service for {@code stateDir}: the running one if it answers (adopted when
   * {@code adopt} and its recorded owner is gone, else shared), otherwise a new one. A recorded
   * leftover that does not answer is stopped first; a stale socket file is removed only when no
   * process accepts connections on it.
   */
  public static Acquired acquire(String podman, Path stateDir, Duration timeout, Ping ping, boolean adopt) {
    Path socket = socketPath(stateDir);
    Endpoint endpoint = endpointFor(socket);
    Optional<ServiceRecord> record = ServiceRecord.read(stateDir).filter(r -> r.socket().equals(socket));
    Optional<ProcessHandle> recorded = record.flatMap(ServiceRecord::live);
    if (Files.exists(socket) && ping.failure(endpoint).isEmpty()) {
      if (adopt && recorded.isPresent()) {
        // the controller (one per state directory, under its lock) takes over herd's service:
        // one a killed herd left, or a command's temporary one, which then leaves it running
        boolean ownerGone = !record.get().ownerAlive();
        PodmanService s = new PodmanService(podman, stateDir, timeout, ping);
        record.get().ownedByMe().write(stateDir);
        s.watch(recorded.get(), null);
        String from = ownerGone ? "left running by an earlier herd" : "taken over from herd pid " + record.get().ownerPid();
        log.info("adopted podman system service (pid {}) on {}, {}", recorded.get().pid(), socket, from);
        return new Acquired(endpoint, Optional.of(s),
            "herd adopted the running service (pid " + recorded.get().pid() + ", " + from + ") and stops it on exit");
      }
      String who = recorded.map(h -> "pid " + h.pid() + (record.get().ownerAlive()
          ? ", owned by herd pid " + record.get().ownerPid() : "")).orElse("not recorded by herd");
      return new Acquired(endpoint, Optional.empty(), "herd's podman service is running (" + who + "); used, never stopped");
    }
    if (recorded.isPresent()) {
      if (record.get().ownerAlive()) {
        throw new EngineUnreachable("herd's podman service (pid " + recorded.get().pid() + ", owned by herd pid "
            + record.get().ownerPid() + ") does not answer on " + socket + "; not touching a service another herd owns", null);
      }
      log.info("stopping the podman system service (pid {}) an earlier herd left: it does not answer on {}",
          recorded.get().pid(), socket);
      stop(recorded.get());
    }
    ServiceRecord.delete(stateDir, record.map(ServiceRecord::pid).orElse(-1L));
    PodmanService s = new PodmanService(podman, stateDir, timeout, ping);
    s.launch();
    return new Acquired(endpoint, Optional.of(s), "herd started it and stops it on exit");
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

  private static Endpoint endpointFor(Path socket) {
    return new Endpoint(URI.create("unix://" + socket), PodmanServiceStrategy.NAME);
  }

  public Endpoint endpoint() {
    return endpoint;
  }

  /** The service's current pid (a restart changes it). */
  public synchronized long pid() {
    return current.pid();
  }

  /** Calls {@code listener} with a one-line reason each time herd restarts the service after it died. */
  public AutoCloseable onRestart(Consumer<String> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** Starts a service on the socket, records it and waits until it answers a ping. */
  private void launch() {
    try {
      // not the umask's modes: the state directory and the service's log are herd's alone
      PrivateFiles.directories(socket.getParent());
      PrivateFiles.directories(stateDir);
      if (!PrivateFiles.createFile(logFile)) {
        PrivateFiles.restrict(logFile, PrivateFiles.FILE);
      }
    } catch (IOException e) {
      throw new EngineUnreachable("cannot prepare " + socket.getParent() + " for the podman service: " + e, e);
    }
    removeStaleSocket(socket);
    List<String> cmd = List.of(podman, "system", "service", "--time=0", "unix://" + socket);
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
    } catch (IOException e) {
      throw new EngineUnreachable("cannot run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
    }
    // written before the wait: a herd killed now still leaves a service the next herd can find
    ServiceRecord.of(p.toHandle(), socket).ifPresent(r -> r.write(stateDir));
    log.info("started podman system service (pid {}) on {}", p.pid(), socket);
    Instant deadline = Instant.now().plus(timeout);
    Optional<String> last = Optional.of("not tried");
    try {
      while (Instant.now().isBefore(deadline)) {
        if (!p.isAlive()) {
          throw new EngineUnreachable("podman system service exited with " + p.exitValue()
              + " before answering on " + socket + ": " + tail(logFile), null);
        }
        if (Files.exists(socket)) {
          last = ping.failure(endpoint);
          if (last.isEmpty()) {
            synchronized (this) {
              if (closed) {
                throw new EngineUnreachable("herd stopped while the podman service was starting", null);
              }
              current = p.toHandle();
              child = p;
            }
            watch(p.toHandle(), p);
            return;
          }
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new EngineUnreachable("interrupted while waiting for the podman service", e);
        }
      }
      throw new EngineUnreachable("podman system service did not answer on " + socket + " within "
          + timeout.toSeconds() + "s (" + last.orElse("") + "); see " + logFile, null);
    } catch (EngineUnreachable e) {
      stop(p.toHandle());
      ServiceRecord.delete(stateDir, p.pid());
      throw e;
    }
  }

  private synchronized void watch(ProcessHandle h, Process started) {
    current = h;
    child = started;
    (started != null ? started.onExit().thenApply(Process::toHandle) : h.onExit())
        .thenRun(() -> died(h, started));
  }

  private void died(ProcessHandle h, Process started) {
    synchronized (this) {
      if (closed || current != h) {
        return;
      }
    }
    String exit = started != null ? "exit " + started.exitValue() : "exit status unknown";
    Thread.ofVirtual().name("herd-podman-restart").start(() -> restart(h.pid(), exit));
  }

  /** Starts the service again after it died, with backoff; one line per death, one per failed attempt. */
  private void restart(long deadPid, String exit) {
    Duration wait = backoff();
    for (int attempt = 1; ; attempt++) {
      try {
        Thread.sleep(wait.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      synchronized (this) {
        if (closed) {
          return;
        }
        restarts.addLast(Instant.now());
      }
      try {
        launch();
      } catch (EngineUnreachable e) {
        wait = wait.multipliedBy(2).compareTo(MAX_RESTART_BACKOFF) > 0 ? MAX_RESTART_BACKOFF : wait.multipliedBy(2);
        log.warn("podman system service (pid {}) died ({}); restart attempt {} failed, next in {} s: {}",
            deadPid, exit, attempt, wait.toSeconds(), e.getMessage());
        continue;
      }
      String reason = "engine restarted: podman system service (pid " + deadPid + ") died (" + exit + "); now pid "
          + pid() + " on " + socket;
      if (listeners.isEmpty()) {
        log.warn(reason);
      } else {
        // a listener (the controller) reports it as an event: one line for the operator, not two
        log.debug(reason);
      }
      for (Consumer<String> l : listeners) {
        try {
          l.accept(reason);
        } catch (RuntimeException ex) {
          log.warn("engine restart listener failed: {}", ex.toString());
        }
      }
      return;
    }
  }

  private synchronized Duration backoff() {
    Instant horizon = Instant.now().minus(RESTART_WINDOW);
    while (!restarts.isEmpty() && restarts.peekFirst().isBefore(horizon)) {
      restarts.removeFirst();
    }
    Duration d = FIRST_RESTART_BACKOFF.multipliedBy(1L << Math.min(restarts.size(), 16));
    return d.compareTo(MAX_RESTART_BACKOFF) > 0 ? MAX_RESTART_BACKOFF : d;
  }

  /**
   * Stops the service (it is not restarted), drops the record, and removes the socket unless
   * someone serves on it. A service another live herd took over (the record names it) is left
   * running for it.
   */
  @Override
  public void close() {
    ProcessHandle h;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      h = current;
    }
    long self = ProcessHandle.current().pid();
    Optional<ServiceRecord> now = ServiceRecord.read(stateDir);
    if (h != null && now.filter(r -> r.pid() == h.pid() && r.ownerPid() != self && r.ownerAlive()).isPresent()) {
      log.info("left podman system service (pid {}) running: herd pid {} took it over", h.pid(), now.get().ownerPid());
      return;
    }
    if (h != null && h.isAlive()) {
      stop(h);
      log.info("stopped podman system service (pid {})", h.pid());
    }
    if (h != null) {
      ServiceRecord.delete(stateDir, h.pid());
    }
    try {
      removeStaleSocket(socket);
    } catch (EngineUnreachable servedByOther) {
      log.debug("left {} in place: {}", socket, servedByOther.getMessage());
    }
  }

  /** SIGTERM, then SIGKILL after 5 s (podman exits on SIGTERM at once; a hung one must not hold up shutdown). */
  private static void stop(ProcessHandle h) {
    if (!h.isAlive()) {
      return;
    }
    h.destroy();
    try {
      h.onExit().get(5, TimeUnit.SECONDS);
    } catch (TimeoutException | ExecutionException e) {
      h.destroyForcibly();
      try {
        h.onExit().get(5, TimeUnit.SECONDS);
      } catch (TimeoutException | ExecutionException ignored) {
        log.warn("podman system service (pid {}) survived SIGKILL for 5 s", h.pid());
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      h.destroyForcibly();
    }
  }

  /** Deletes a socket file nobody serves on; a socket that accepts connections belongs to a live process. */
  private static void removeStaleSocket(Path socket) {
    if (!Files.exists(socket)) {
      return;
    }
    if (accepts(socket)) {
      throw new EngineUnreachable("a process herd did not start serves on " + socket + "; herd leaves it alone", null);
    }
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      log.debug("could not delete {}: {}", socket, e.toString());
    }
  }

  static boolean accepts(Path socket) {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
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
