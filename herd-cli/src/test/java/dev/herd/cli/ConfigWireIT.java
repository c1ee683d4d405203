package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herd.engine.docker.BusyboxImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Config reaching real nodes on Podman: a node serves /etc/herd/config.json over HTTP, `herd
 * config set` rolls out a new value, a secret is a file in /run/secrets and nowhere else (state
 * dir, podman inspect, herd's output, API answers). The node runs as a non-root user (`www`,
 * like hello-web), which reads its secrets, its node token and /etc/herd; another uid does not.
 */
class ConfigWireIT {
  static final String SECRET = "it-Secret-Plaintext-5d0c7a";

  @TempDir Path dir;
  final String project = "herdcfg" + Long.toString(System.nanoTime() % 1_000_000, 36);

  @AfterEach
  void cleanUp() throws Exception {
    SecretCommand.stdin = System.in;
    List<String> ids = UpDownIT.podman("ps", "-aq", "--filter", "label=herd.project=" + project);
    if (!ids.isEmpty()) {
      UpDownIT.podman(UpDownIT.concat(List.of("rm", "-f"), ids).toArray(String[]::new));
    }
  }

  @Test
  void configSetRollsOutAServedValueAndASecretIsOnlyAFileInTheNode() throws Exception {
    Files.writeString(dir.resolve("herd.yaml"), """
        project:
          name: %s
          ports: 28200-28299
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
            user: www
            command: ["/bin/busybox", "sh", "-c", "mkdir -p /tmp/www && ln -s /etc/herd/config.json /tmp/www/config.json && exec /bin/busybox httpd -f -p $PORT -h /tmp/www"]
            writable: [/tmp]
            health:
              http: {path: /config.json, status: 200}
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
            count: 2
            rollout: {strategy: rolling, max_surge: 1, max_unavailable: 0, min_healthy_time: 1s}
            drift: {tamper: report}   # the checks below exec into the nodes; replacing them would race the checks
        """.formatted(project));
    BusyboxImage.get().writeTo(dir.resolve("busybox.tar"));
    String file = dir.resolve("herd.yaml").toString();
    SecretCommand.stdin = new ByteArrayInputStream(SECRET.getBytes(StandardCharsets.UTF_8));
    CliRun offline = CliRun.of("secret", "set", "dev/web/api-key", "-f", file);
    assertThat(offline.exitCode()).as(offline.err()).isZero();

    CompletableFuture<CliRun> up = CompletableFuture.supplyAsync(() -> CliRun.of("up", dir.toString()));
    List<String> seen = new ArrayList<>();
    try {
      await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
          .failFast("herd up exited", () -> assertThat(up.isDone()).as(() -> up.join().out() + up.join().err()).isFalse())
          .untilAsserted(() -> assertThat(CliRun.of("status", "-f", file).out()).contains("web  web:v1  2/2 healthy"));
      for (int port : ports(file)) {
        assertThat(get(port, "/config.json")).contains("\"GREETING\" : \"hello\"");
      }

      CliRun set = CliRun.of("config", "set", "dev/web", "GREETING=bonjour", "-f", file);
      assertThat(set.exitCode()).as(set.err()).isZero();
      seen.add(set.out());
      assertThat(set.out()).contains("rolling out web:v2");
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
        CliRun s = CliRun.of("status", "-f", file);
        assertThat(s.out()).contains("web  web:v2  2/2 healthy").doesNotContain("web:v1 ");
      });
      for (int port : ports(file)) {
        assertThat(get(port, "/config.json")).contains("\"GREETING\" : \"bonjour\"").contains("\"revision\" : 1");
      }

      // The old generation may still be on its way out after status shows 2/2 on v2: wait until
      // the engine lists exactly the two new containers, then check each of them.
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
        List<String> containers = UpDownIT.podman("ps", "-q", "--filter", "label=herd.project=" + project);
        assertThat(containers).hasSize(2);
        for (String id : containers) {
          // podman exec runs as the node's user: www, not root
          assertThat(UpDownIT.podman("exec", id, "/bin/busybox", "id", "-u")).containsExactly("4180");
          assertThat(UpDownIT.podman("exec", id, "/bin/busybox", "cat", "/run/secrets/api-key")).containsExactly(SECRET);
          assertThat(UpDownIT.podman("exec", id, "/bin/busybox", "cat", "/run/secrets/herd-node-token")).hasSize(1);
          assertThat(UpDownIT.podman("exec", id, "/bin/busybox", "cat", "/etc/herd/config.env"))
              .contains("GREETING='bonjour'");
          // another uid in the same node reads none of it
          for (String path : List.of("/run/secrets/api-key", "/run/secrets/herd-node-token", "/etc/herd/config.env")) {
            assertThatThrownBy(() -> UpDownIT.podman("exec", "--user", "4444:4444", id, "/bin/busybox", "cat", path))
                .as(path).hasMessageContaining("Permission denied");
          }
          assertThat(String.join("\n", UpDownIT.podman("inspect", id))).doesNotContain(SECRET);
        }
      });
      for (String cmd : new String[] {"status", "events"}) {
        seen.add(CliRun.of(cmd, "-f", file).out());
      }
      seen.add(CliRun.of("secret", "list", "dev/web", "-f", file).out());
      seen.add(CliRun.of("config", "list", "dev/web", "-f", file).out());
      try (var files = Files.walk(dir.resolve(".herd"))) {
        for (Path p : files.filter(Files::isRegularFile).toList()) {
          assertThat(Files.readString(p, StandardCharsets.ISO_8859_1)).as(p.toString()).doesNotContain(SECRET);
        }
      }
    } finally {
      CliRun down = CliRun.of("down", "-f", file);
      CliRun upResult = up.get(60, TimeUnit.SECONDS);
      seen.add(down.out() + down.err() + upResult.out() + upResult.err());
    }
    assertThat(seen).noneMatch(s -> s.contains(SECRET));
    assertThat(UpDownIT.podman("ps", "-aq", "--filter", "label=herd.project=" + project)).isEmpty();
  }

  private static List<Integer> ports(String file) {
    return CliRun.of("status", "-f", file).out().lines().filter(l -> l.trim().startsWith("web-"))
        .map(l -> Integer.parseInt(l.trim().split("\\s+")[4])).toList();
  }

  private static String get(int port, String path) throws IOException, InterruptedException {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }
}
