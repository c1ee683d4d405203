package dev.herd.engine.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.engine.EngineUnreachable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ownership of herd's podman service without podman: a unix socket the test serves stands for a
 * running service, and a {@code sh} process whose command line names the socket stands for the
 * recorded service process.
 */
class PodmanServiceTest {
  private static final Ping ANSWERS = e -> Optional.empty();
  private static final Ping SILENT = e -> Optional.of("no answer (test)");

  @TempDir Path dir;
  private ServerSocketChannel server;
  private Process fakeService;

  @AfterEach
  void stop() throws IOException {
    if (server != null) {
      server.close();
    }
    if (fakeService != null) {
      fakeService.destroyForcibly();
    }
  }

  @Test
  void aSocketALiveProcessServesIsNeverRemovedNorServedTwice() throws IOException {
    serve();
    Path socket = PodmanService.socketPath(dir);

    assertThatThrownBy(() -> PodmanService.start("/bin/true", dir, Duration.ofSeconds(1), SILENT))
        .isInstanceOf(EngineUnreachable.class).hasMessageContaining("herd leaves it alone");
    assertThat(socket).exists();
    assertThat(PodmanService.accepts(socket)).isTrue();
  }

  @Test
  void aRunningServiceIsSharedByOtherCommandsNeverOwned() throws IOException {
    serve();

    PodmanService.Acquired a = PodmanService.acquire("/bin/true", dir, Duration.ofSeconds(1), ANSWERS, false);

    assertThat(a.owned()).isEmpty();
    assertThat(a.endpoint().uri().getPath()).isEqualTo(PodmanService.socketPath(dir).toString());
    assertThat(a.detail()).isEqualTo("herd's podman service is running (not recorded by herd); used, never stopped");
    assertThat(ServiceRecord.read(dir)).isEmpty();
  }

  @Test
  void theControllerAdoptsALeftoverServiceWhoseHerdIsGoneAndStopsItOnClose() throws Exception {
    serve();
    ProcessHandle leftover = startFakeService();
    // owner: a pid that lives but started at another time, i.e. a reused pid of the dead herd
    new ServiceRecord(leftover.pid(), leftover.info().startInstant().orElseThrow(), "", PodmanService.socketPath(dir),
        leftover.pid(), Instant.EPOCH).write(dir);

    PodmanService.Acquired shared = PodmanService.acquire("/bin/true", dir, Duration.ofSeconds(1), ANSWERS, false);
    assertThat(shared.owned()).as("a command shares it").isEmpty();
    PodmanService.Acquired adopted = PodmanService.acquire("/bin/true", dir, Duration.ofSeconds(1), ANSWERS, true);

    assertThat(adopted.owned()).isPresent();
    assertThat(adopted.owned().get().pid()).isEqualTo(leftover.pid());
    assertThat(ServiceRecord.read(dir)).get().satisfies(r -> {
      assertThat(r.pid()).isEqualTo(leftover.pid());
      assertThat(r.ownerPid()).isEqualTo(ProcessHandle.current().pid());
    });
    assertThat(Files.getPosixFilePermissions(ServiceRecord.file(dir))).isEqualTo(PosixFilePermissions.fromString("rw-------"));

    adopted.owned().get().close();
    assertThat(fakeService.waitFor(15, TimeUnit.SECONDS)).as("the adopted service was stopped").isTrue();
    assertThat(ServiceRecord.read(dir)).isEmpty();
    assertThat(PodmanService.socketPath(dir)).as("served by someone else: left in place").exists();
  }

  @Test
  void aCommandsTemporaryServiceTakenOverByTheControllerIsLeftRunningWhenTheCommandEnds() throws Exception {
    serve();
    ProcessHandle service = startFakeService();
    Instant started = service.info().startInstant().orElseThrow();
    new ServiceRecord(service.pid(), started, "", PodmanService.socketPath(dir), ProcessHandle.current().pid(),
        ProcessHandle.current().info().startInstant().orElseThrow()).write(dir);
    PodmanService command = PodmanService.acquire("/bin/true", dir, Duration.ofSeconds(1), ANSWERS, true).owned().orElseThrow();

    // the controller (here: the fake service process stands in for it as a live owner) takes it over
    new ServiceRecord(service.pid(), started, "", PodmanService.socketPath(dir), service.pid(), started).write(dir);
    command.close();

    assertThat(service.isAlive()).as("not stopped under its new owner").isTrue();
    assertThat(ServiceRecord.read(dir)).get().extracting(ServiceRecord::ownerPid).isEqualTo(service.pid());
  }

  @Test
  void aLeftoverThatDoesNotAnswerIsStoppedAndAStaleSocketRemovedBeforeANewStart() throws Exception {
    ProcessHandle leftover = startFakeService();
    new ServiceRecord(leftover.pid(), leftover.info().startInstant().orElseThrow(), "", PodmanService.socketPath(dir),
        leftover.pid(), Instant.EPOCH).write(dir);
    Files.writeString(PodmanService.socketPath(dir), "a socket file nobody serves");

    assertThatThrownBy(() -> PodmanService.acquire("/bin/true", dir, Duration.ofSeconds(2), SILENT, true))
        .isInstanceOf(EngineUnreachable.class).hasMessageContaining("podman system service exited with 0");
    assertThat(fakeService.waitFor(15, TimeUnit.SECONDS)).as("the silent leftover was stopped").isTrue();
    assertThat(PodmanService.socketPath(dir)).doesNotExist();
    assertThat(ServiceRecord.read(dir)).isEmpty();
  }

  @Test
  void aServiceHerdOwnsIsRestartedWhenItDiesAndListenersHearItOnce() throws Exception {
    // a stand-in for podman: "serves" by creating the socket file, then runs until killed
    Path fakePodman = dir.resolve("podman");
    Files.writeString(fakePodman, "#!/bin/sh\n: > \"${4#unix://}\"\nwhile :; do sleep 1; done\n");
    Files.setPosixFilePermissions(fakePodman, PosixFilePermissions.fromString("rwx------"));
    Ping socketExists = e -> Files.exists(Path.of(e.uri().getPath())) ? Optional.empty() : Optional.of("no socket");
    java.util.List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();

    try (PodmanService service = PodmanService.start(fakePodman.toString(), dir, Duration.ofSeconds(10), socketExists)) {
      service.onRestart(heard::add);
      long first = service.pid();
      ProcessHandle.of(first).orElseThrow().destroyForcibly();

      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !heard.isEmpty());
      assertThat(heard).singleElement().asString()
          .startsWith("engine restarted: podman system service (pid " + first + ") died (exit 137); now pid ");
      assertThat(service.pid()).isNotEqualTo(first);
      assertThat(ProcessHandle.of(service.pid())).get().matches(ProcessHandle::isAlive);
      assertThat(ServiceRecord.read(dir)).get().extracting(ServiceRecord::pid).isEqualTo(service.pid());
    }
    assertThat(ServiceRecord.read(dir)).as("closed: no restart, no record").isEmpty();
    assertThat(heard).hasSize(1);
  }

  @Test
  void aRecordMatchesOnlyTheVeryProcessItNames() throws Exception {
    ProcessHandle p = startFakeService();
    Instant started = p.info().startInstant().orElseThrow();
    Path socket = PodmanService.socketPath(dir);
    record Case(String what, ServiceRecord record, boolean live) {}
    for (Case c : new Case[] {
        new Case("the same process", new ServiceRecord(p.pid(), started, "", socket, p.pid(), started), true),
        new Case("a reused pid (other start time)", new ServiceRecord(p.pid(), started.minusSeconds(60), "", socket, p.pid(), started), false),
        new Case("another socket", new ServiceRecord(p.pid(), started, "", dir.resolve("other.sock"), p.pid(), started), false),
    }) {
      assertThat(c.record().live().isPresent()).as(c.what()).isEqualTo(c.live());
    }
    fakeService.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    assertThat(new ServiceRecord(p.pid(), started, "", socket, p.pid(), started).live()).as("a dead process").isEmpty();
  }

  private void serve() throws IOException {
    Path socket = PodmanService.socketPath(dir);
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
  }

  /** A process whose command line reads like herd's podman service on this directory's socket. */
  private ProcessHandle startFakeService() throws IOException {
    fakeService = new ProcessBuilder("/bin/sh", "-c", "sleep 60; true", "system", "service",
        "unix://" + PodmanService.socketPath(dir)).start();
    return fakeService.toHandle();
  }
}
