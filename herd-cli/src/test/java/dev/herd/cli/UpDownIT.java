package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herd.engine.docker.BusyboxImage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * herd up on real Podman: a 2-node busybox httpd fleet comes up healthy and serves, herd status
 * shows it, herd down leaves no container of the project behind.
 */
class UpDownIT {
  @TempDir Path dir;
  final String project = "herdit" + Long.toString(System.nanoTime() % 1_000_000, 36);

  @AfterEach
  void cleanUp() throws Exception {
    // Whatever happened, leave no container of this test's project.
    List<String> ids = podman("ps", "-aq", "--filter", "label=herd.project=" + project);
    if (!ids.isEmpty()) {
      podman(concat(List.of("rm", "-f"), ids).toArray(String[]::new));
    }
  }

  @Test
  void upBringsAHealthyFleetAndDownRemovesEveryNode() throws Exception {
    Files.writeString(dir.resolve("herd.yaml"), """
        project:
          name: %s
          ports: 28100-28199
        roles:
          web:
            base: {scratch: {}}
            command: ["/bin/busybox", "httpd", "-f", "-p", "${PORT}", "-h", "/www"]
            health:
              http: {path: /, status: 200}
              interval: 1s
              timeout: 500ms
              start_grace: 5s
        environments:
          dev: {}
        fleets:
          web:
            role: web
            environment: dev
            count: 2
        """.formatted(project));
    importBusybox(dir.resolve(".herd"));

    CompletableFuture<CliRun> up = CompletableFuture.supplyAsync(() -> CliRun.of("up", "--no-bake", dir.toString()));
    String file = dir.resolve("herd.yaml").toString();
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
        .failFast("herd up exited", up::isDone).untilAsserted(() -> {
      CliRun s = CliRun.of("status", "-f", file);
      assertThat(s.out()).contains("web  web:v1  2/2 healthy");
    });
    CliRun status = CliRun.of("status", "-f", file);
    List<Integer> ports = status.out().lines().filter(l -> l.trim().startsWith("web-"))
        .map(l -> Integer.parseInt(l.trim().split("\\s+")[4])).toList();
    assertThat(ports).hasSize(2);
    for (int port : ports) {
      HttpResponse<String> page = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(page.body()).isEqualTo(BusyboxImage.INDEX_HTML);
    }
    assertThat(podman("ps", "-q", "--filter", "label=herd.project=" + project)).hasSize(2);

    CliRun down = CliRun.of("down", "-f", file);
    assertThat(down.exitCode()).as(down.err()).isZero();
    assertThat(down.out()).contains("removed 2 nodes");
    CliRun upResult = up.get(60, TimeUnit.SECONDS);
    assertThat(upResult.exitCode()).as(upResult.err()).isZero();
    assertThat(upResult.out()).contains("+ web: create on web:v1").contains("herd: down: controller stopped; removed 2 nodes");
    assertThat(podman("ps", "-aq", "--filter", "label=herd.project=" + project)).isEmpty();
    assertThat(dir.resolve(".herd/api.json")).doesNotExist();
    assertThat(CliRun.of("status", "-f", file).exitCode()).isEqualTo(HerdCli.ENVIRONMENT);
  }

  /** Puts the test busybox image into the project's image store and catalog as web:1. */
  static void importBusybox(Path state) throws IOException {
    dev.herd.cli.it.TestImages.importBusybox(state);
  }

  static List<String> podman(String... args) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(concat(List.of("podman"), List.of(args))).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("podman " + String.join(" ", args) + ": " + out);
    }
    return out.lines().filter(l -> !l.isBlank()).toList();
  }

  static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
