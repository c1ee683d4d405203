package dev.herd.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herd.control.health.ProbeResult;
import dev.herd.engine.EnsuredImage;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.VolumeInfo;
import dev.herd.engine.docker.BusyboxImage;
import dev.herd.engine.docker.DockerApiEngine;
import dev.herd.engine.docker.Podman;
import dev.herd.spec.PortRange;
import dev.herd.spec.Spec;
import dev.herd.spec.SpecLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Podman: a backup.command archive goes back in through backup.restore, into the running
 * node (no restart), with the archive as the command's stdin; a damaged one is refused first.
 */
class CommandRestorePodmanIT {
  static final String PROJECT = "restorecmdit";
  static final String VOLUME = VolumeInfo.engineName(PROJECT, "db", "db-1", "data");
  @TempDir Path state;

  /** What the volume holds at path, read by a throwaway container (an exec into the node would be tamper). */
  private static String readVolume(String image, String path) {
    return Podman.ok("run", "--rm", "--network", "none", "-v", VOLUME + ":/v", image, "/bin/busybox", "cat", "/v/" + path).out();
  }

  @Test
  void aCommandBackupIsRestoredThroughBackupRestoreIntoTheRunningNode() throws Exception {
    BusyboxImage image = BusyboxImage.withShell();
    String ref = EnsuredImage.refFor(image.digest());
    String yaml = """
        project: {name: restorecmdit, ports: 29500-29599}
        roles:
          db:
            base: {scratch: {}}
            command: ["/bin/busybox", "sh", "-c", "[ -f /data/x ] || echo first > /data/x; exec /bin/busybox httpd -f -p 127.0.0.1:${PORT} -h /www"]
        environments:
          prod: {}
        fleets:
          db:
            role: db
            environment: prod
            volumes:
              data: {path: /data}
            backup: {command: [/bin/cat, /data/x], restore: [/bin/sh, -c, "cat > /data/x"]}
        """;
    Spec spec = SpecLoader.load(state.resolve("herd.yaml"), yaml.getBytes(StandardCharsets.UTF_8)).orThrow();
    try (DockerApiEngine engine = DockerApiEngine.connect(DockerApiEngine.Options.forState(state))) {
      try (Controller c = Controller.open(ControllerConfig.builder().stateDir(state).project(PROJECT).engine(engine)
          .images(d -> {
            if (!d.equals(image.digest())) {
              throw new NoSuchElementException(d);
            }
            return image.source();
          })
          .prober((t, check, timeout) -> ProbeResult.ok("running"))
          .ports(new PortRange(29500, 29599))
          .build())) {
        c.start();
        c.apply(DesiredState.of(spec, Map.of("db", image.digest())));
        await().atMost(Duration.ofSeconds(60)).until(() -> c.status("db").healthy() == 1);
        NodeInfo node = engine.listNodes(PROJECT).getFirst();
        assertThat(readVolume(ref, "x")).isEqualTo("first\n");

        BackupStore.BackupInfo b = c.backup("db", Optional.empty());
        assertThat(b.kind()).isEqualTo("command");
        // the data changes after the backup (by a container beside the node, not in it)
        Podman.ok("run", "--rm", "--network", "none", "-v", VOLUME + ":/v", ref, "/bin/busybox", "sh", "-c", "echo later > /v/x");
        assertThat(readVolume(ref, "x")).isEqualTo("later\n");

        assertThat(c.restore("db", b.id(), Optional.empty())).isEqualTo("db-1");
        assertThat(readVolume(ref, "x")).as("the backup's data is back").isEqualTo("first\n");
        assertThat(engine.inspectNode(node.ref())).as("the same node kept running").get()
            .matches(n -> n.running() && n.id().equals(node.id()));
        assertThat(Podman.ok("exec", node.ref().containerName(), "/bin/busybox", "ls", "-A", "/tmp").out())
            .as("the copied archive is removed").doesNotContain("herd-restore");

        Path archive = state.resolve("backups/db").resolve(b.id()).resolve("archive");
        Files.writeString(archive, "forged\n");
        assertThatThrownBy(() -> c.restore("db", b.id(), Optional.empty()))
            .isInstanceOf(BackupStore.BackupRefused.class).hasMessageContaining("damaged");
        assertThat(readVolume(ref, "x")).isEqualTo("first\n");
      } finally {
        for (NodeInfo n : engine.listNodes(PROJECT)) {
          engine.removeNode(n.ref());
        }
        for (VolumeInfo v : engine.listVolumes(PROJECT)) {
          engine.removeVolume(PROJECT, v.name());
        }
      }
    }
  }
}
