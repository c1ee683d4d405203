package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herd.engine.docker.BusyboxImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * herd started under umask 000 (the worst an operator's shell can hand it) bakes, runs a
 * non-root node on Podman, takes a secret, a config change and a flag, and stops: its state
 * directory is 0700, every directory in it 0700 and every file 0600.
 */
class StateModesIT {
  @TempDir Path dir;
  final String project = "secstate" + Long.toString(System.nanoTime() % 1_000_000, 36);
  Process up;

  @AfterEach
  void cleanUp() throws Exception {
    if (up != null && up.isAlive()) {
      up.destroy();
      up.waitFor(30, TimeUnit.SECONDS);
    }
    List<String> ids = UpDownIT.podman("ps", "-aq", "--filter", "label=herd.project=" + project);
    if (!ids.isEmpty()) {
      UpDownIT.podman(UpDownIT.concat(List.of("rm", "-f"), ids).toArray(String[]::new));
    }
  }

  @Test
  void underUmask000TheStateDirIs0700AndEveryFileInIt0600() throws Exception {
    Files.writeString(dir.resolve("herd.yaml"), """
        project:
          name: %s
          ports: 31100-31199
        roles:
          web:
            base:
              image: {path: busybox.tar, format: oci-archive}
            resources:
              - group: www
                gid: 4180
              - user: www
                uid: 4180
                group: www
              - file: /www/index.html
                content: "hello\\n"
            user: www
            command: ["/bin/busybox", "httpd", "-f", "-p", "${PORT}", "-h", "/www"]
            health:
              http: {path: /, status: 200}
              interval: 1s
              timeout: 500ms
              start_grace: 5s
        environments:
          dev:
            config:
              GREETING: hello
        fleets:
          web:
            role: web
            environment: dev
            count: 1
            rollout: {strategy: rolling, max_surge: 1, max_unavailable: 0, min_healthy_time: 1s}
        """.formatted(project));
    BusyboxImage.get().writeTo(dir.resolve("busybox.tar"));
    Files.writeString(dir.resolve("api-key"), "umask-Secret-4f1e");
    String file = dir.resolve("herd.yaml").toString();

    up = underUmask000("up", dir.toString());
    await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).failFast("herd up exited", () -> !up.isAlive())
        .untilAsserted(() -> assertThat(CliRun.of("status", "-f", file).out()).contains("web  web:v1  1/1 healthy"));
    // changes the running controller (the umask-000 process) writes
    for (String[] args : List.of(
        new String[] {"secret", "set", "dev/web/api-key", "--value-file", dir.resolve("api-key").toString(), "-f", file},
        new String[] {"flag", "set", "dev", "beta", "--on", "-f", file},
        new String[] {"config", "set", "dev/web", "GREETING=bonjour", "-f", file})) {
      CliRun r = CliRun.of(args);
      assertThat(r.exitCode()).as(String.join(" ", args) + ": " + r.err()).isZero();
    }
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
        .untilAsserted(() -> assertThat(CliRun.of("status", "-f", file).out()).contains("1/1 healthy").doesNotContain("web:v1 "));
    Path state = dir.resolve(".herd");
    List<String> open = exposed(state); // while running: api-token, api.json, controller.lock, node files
    try (Stream<Path> all = Files.walk(state)) {
      // the walk covered a node's files (herd down removes them with the node)
      assertThat(all.filter(p -> p.toString().contains("/nodes/web/")).count()).isPositive();
    }
    CliRun down = CliRun.of("down", "-f", file);
    assertThat(down.exitCode()).as(down.err()).isZero();
    assertThat(up.waitFor(60, TimeUnit.SECONDS)).isTrue();
    open.addAll(exposed(state));

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state))).isEqualTo("rwx------");
    assertThat(open).isEmpty();
  }

  /** Every directory not 0700 and every file not 0600 under {@code state}, with its mode. */
  private static List<String> exposed(Path state) throws IOException {
    List<String> bad = new ArrayList<>();
    try (Stream<Path> all = Files.walk(state)) {
      for (Path p : all.toList()) {
        String mode;
        try {
          if (Files.isSymbolicLink(p)) {
            continue;
          }
          mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
        } catch (java.nio.file.NoSuchFileException gone) {
          continue; // a temp file renamed away while walking
        }
        String want = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "rwx------"
            : Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? "rw-------" : null;
        if (want != null && !mode.equals(want) && !(want.equals("rw-------") && mode.equals("r--------"))) {
          bad.add(state.relativize(p) + " " + mode);
        }
      }
    }
    return bad;
  }

  /** herd in its own JVM, started by a shell whose umask is 000. */
  private Process underUmask000(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("sh", "-c", "umask 000 && exec \"$@\"", "sh",
        ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()),
        "-cp", System.getProperty("java.class.path"), HerdCli.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("herd-up.log").toFile()).start();
  }
}
