package dev.herd.engine.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What herd writes down about a {@code podman system service} it started
 * ({@code <state>/podman-service.json}, mode 0600): the service's pid, start time and command
 * line (so a reused pid is never mistaken for it), its socket, and the herd process that owns it
 * now. A later herd finds the service again instead of starting a second one on the same socket.
 */
record ServiceRecord(long pid, Instant started, String command, Path socket, long ownerPid, Instant ownerStarted) {
  static final String FILE_NAME = "podman-service.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  ServiceRecord {
    if (pid <= 0 || ownerPid <= 0) {
      throw new IllegalArgumentException("pids must be positive: service " + pid + ", owner " + ownerPid);
    }
    Objects.requireNonNull(started, "started");
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(socket, "socket");
    Objects.requireNonNull(ownerStarted, "ownerStarted");
  }

  /** The record for {@code service} on {@code socket}, owned by this process; empty when the OS does not tell start times. */
  static Optional<ServiceRecord> of(ProcessHandle service, Path socket) {
    ProcessHandle self = ProcessHandle.current();
    Optional<Instant> started = service.info().startInstant();
    Optional<Instant> selfStarted = self.info().startInstant();
    if (started.isEmpty() || selfStarted.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new ServiceRecord(service.pid(), started.get(), service.info().commandLine().orElse(""), socket,
        self.pid(), selfStarted.get()));
  }

  /** The same service, now owned by this process. */
  ServiceRecord ownedByMe() {
    ProcessHandle self = ProcessHandle.current();
    return new ServiceRecord(pid, started, command, socket, self.pid(), self.info().startInstant().orElse(ownerStarted));
  }

  /** The recorded service if that very process still runs (same pid and start time, a podman service on our socket). */
  Optional<ProcessHandle> live() {
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
        .filter(h -> h.info().startInstant().map(started::equals).orElse(false))
        .filter(h -> h.info().commandLine().map(c -> c.contains("system service") && c.contains(socket.toString()))
            .orElse(false));
  }

  /** True while the herd process that owns the service runs (a command's temporary service, or a controller). */
  boolean ownerAlive() {
    if (ownerPid == ProcessHandle.current().pid()) {
      return true;
    }
    return ProcessHandle.of(ownerPid).filter(ProcessHandle::isAlive)
        .filter(h -> h.info().startInstant().map(ownerStarted::equals).orElse(false)).isPresent();
  }

  static Path file(Path stateDir) {
    return stateDir.resolve(FILE_NAME);
  }

  /** The record in {@code stateDir}; empty when there is none or it cannot be read (a torn write is no service). */
  static Optional<ServiceRecord> read(Path stateDir) {
    Path f = file(stateDir);
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    try {
      JsonNode j = JSON.readTree(f.toFile());
      return Optional.of(new ServiceRecord(j.path("pid").asLong(), Instant.parse(j.path("started").asText()),
          j.path("command").asText(), Path.of(j.path("socket").asText()), j.path("owner_pid").asLong(),
          Instant.parse(j.path("owner_started").asText())));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Writes the record atomically, readable by its owner only. */
  void write(Path stateDir) {
    ObjectNode j = JSON.createObjectNode();
    j.put("pid", pid).put("started", started.toString()).put("command", command).put("socket", socket.toString())
        .put("owner_pid", ownerPid).put("owner_started", ownerStarted.toString());
    Path target = file(stateDir);
    try {
      Files.createDirectories(stateDir);
      Path tmp = Files.createTempFile(stateDir, FILE_NAME, ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(j));
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
  }

  /** Deletes the record if it still names service {@code pid} (a successor's record is left alone). */
  static void delete(Path stateDir, long pid) {
    if (read(stateDir).map(r -> r.pid() == pid).orElse(true)) {
      try {
        Files.deleteIfExists(file(stateDir));
      } catch (IOException ignored) {
        // a stale record is harmless: its pid no longer matches a live service
      }
    }
  }
}
