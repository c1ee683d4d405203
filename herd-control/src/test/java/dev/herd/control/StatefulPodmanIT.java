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
 * Real Podman: a node of a fleet with a volume, killed with podman kill, comes back on the same
 * volume; a backup of it restores what was there after the volume changed; a damaged backup is
 * refused and the node keeps running.
 */
class StatefulPodmanIT {
  static final String PROJECT = "stateit";
  static final String VOLUME = VolumeInfo.engineName(PROJECT, "db", "db-1", "data");
  @TempDir Path state;

  /** What the volume holds at path, read by a throwaway container (an exec into the node would be tamper). */
  private static String readVolume(String image, String path) {
    return Podman.ok("run", "--rm", "--network", "none", "-v", VOLUME + ":/v", image, "/bin/busybox", "cat", "/v/" + path).out();
  }

  @Test
  void aKilledNodeComesBackOnItsVolumeAndABackupRestoresIt() throws Exception {
    BusyboxImage image = BusyboxImage.get();
    String ref = EnsuredImage.refFor(image.digest());
    // the node records when its data was born, once: a later generation on the same volume keeps it
    String yaml = """
        project: {name: stateit, ports: 24000-24099}
        roles:
          db:
            base: {scratch: {}}
            command: ["/bin/busybox", "sh", "-c", "[ -f /data/born ] || /bin/busybox date +%s%N > /data/born; exec /bin/busybox httpd -f -p 127.0.0.1:${PORT} -h /www"]
        environments:
          prod: {}
        fleets:
          db:
            role: db
            environment: prod
            volumes:
              data: {path: /data}
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
          .ports(new PortRange(24000, 24099))
          .build())) {
        c.start();
        c.apply(DesiredState.of(spec, Map.of("db", image.digest())));
        await().atMost(Duration.ofSeconds(60)).until(() -> c.status("db").healthy() == 1);
        NodeInfo first = engine.listNodes(PROJECT).getFirst();
        String born = readVolume(ref, "born");
        assertThat(born).isNotBlank();

        Podman.ok("kill", first.ref().containerName());
        await().atMost(Duration.ofSeconds(60)).until(() -> c.status("db").healthy() == 1
            && engine.listNodes(PROJECT).size() == 1 && engine.listNodes(PROJECT).getFirst().generation() == 2);
        assertThat(readVolume(ref, "born")).as("generation 2 found generation 1's data").isEqualTo(born);

        BackupStore.BackupInfo b = c.backup("db", Optional.empty());
        assertThat(b.files()).containsOnlyKeys("data.tar");
        // the data changes after the backup (by a container beside the node, not in it)
        Podman.ok("run", "--rm", "--network", "none", "-v", VOLUME + ":/v", ref, "/bin/busybox", "sh", "-c",
            "echo later > /v/born; echo extra > /v/extra");

        c.restore("db", b.id(), Optional.empty());
        await().atMost(Duration.ofSeconds(60)).until(() -> c.status("db").healthy() == 1
            && engine.listNodes(PROJECT).size() == 1 && engine.listNodes(PROJECT).getFirst().generation() == 3);
        assertThat(readVolume(ref, "born")).as("the backup's data is back").isEqualTo(born);
        assertThat(Podman.run("run", "--rm", "--network", "none", "-v", VOLUME + ":/v", ref, "/bin/busybox", "test", "-e", "/v/extra")
            .exitCode()).as("what came after the backup is gone").isNotZero();

        Path tar = state.resolve("backups/db").resolve(b.id()).resolve("data.tar");
        byte[] bytes = Files.readAllBytes(tar);
        bytes[bytes.length / 2] ^= 1;
        Files.write(tar, bytes);
        NodeInfo running = engine.listNodes(PROJECT).getFirst();
        assertThatThrownBy(() -> c.restore("db", b.id(), Optional.empty()))
            .isInstanceOf(BackupStore.BackupRefused.class).hasMessageContaining("damaged");
        assertThat(engine.inspectNode(running.ref())).get().matches(NodeInfo::running);
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
