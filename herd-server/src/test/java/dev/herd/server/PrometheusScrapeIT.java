package dev.herd.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herd.control.ControllerConfig;
import dev.herd.control.health.ProbeResult;
import dev.herd.engine.ImageSource;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.fake.FakeEngine;
import dev.herd.engine.fake.ManualClock;
import dev.herd.server.api.ApiFiles;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's package, {@code scripts/install-host-deps --tests}) scrapes herd's
 * {@code /metrics} on loopback with the API token from a file, and its query API answers with
 * the fleet's node counts as a node is killed and replaced. A second job without the token must
 * fail its scrapes ({@code up == 0}). Ports 27000-27999 only.
 */
class PrometheusScrapeIT {
  static final int HERD_PORT = 27001;
  static final int PROMETHEUS_PORT = 27090;
  static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");

  @TempDir Path dir;
  final ManualClock clock = new ManualClock();
  final FakeEngine fake = new FakeEngine(clock);
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  final ObjectMapper json = new ObjectMapper();
  Process prometheus;

  @AfterEach
  void stopPrometheus() throws InterruptedException {
    if (prometheus != null) {
      prometheus.destroy();
      if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
        prometheus.destroyForcibly();
      }
    }
  }

  ControllerHost startHerd() {
    ControllerConfig config = ControllerConfig.builder().stateDir(dir.resolve(".herd")).project("promit").engine(fake)
        .images(d -> new ImageSource(d, ImageSource.Format.OCI_ARCHIVE, out -> out.write(d.getBytes(StandardCharsets.UTF_8))))
        .prober((t, c, timeout) -> fake.healthy(t.ref()) ? ProbeResult.ok("ok") : ProbeResult.fail("no"))
        .portCheck(p -> true).simulated(clock).build();
    return ControllerHost.start(ControllerLock.acquire(dir.resolve(".herd")), config, dir.resolve("herd.yaml"),
        spec -> Map.of("web", ServerFixture.V1),
        HerdServer.Options.of(dir.resolve(".herd"), "promit").withClock(clock).withPort(HERD_PORT), null);
  }

  void startPrometheus() throws IOException {
    assertThat(PROMETHEUS).as("Debian's prometheus package: run scripts/install-host-deps --tests").isExecutable();
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
        scrape_configs:
          - job_name: herd
            static_configs: [{targets: ["127.0.0.1:%d"]}]
            authorization:
              type: Bearer
              credentials_file: %s
          - job_name: herd-without-token
            static_configs: [{targets: ["127.0.0.1:%d"]}]
        """.formatted(HERD_PORT, ApiFiles.token(dir.resolve(".herd")), HERD_PORT));
    prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
        "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + PROMETHEUS_PORT)
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
  }

  /** The value of a PromQL query that yields one series, empty when it yields none. */
  Optional<Double> query(String promql) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PROMETHEUS_PORT
          + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8))).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        return Optional.empty();
      }
      JsonNode result = json.readTree(r.body()).path("data").path("result");
      if (result.size() != 1) {
        return Optional.empty();
      }
      return Optional.of(Double.parseDouble(result.get(0).path("value").get(1).asText()));
    } catch (IOException e) {
      return Optional.empty(); // not listening yet
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  void awaitQuery(String promql, double expected) {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
        assertThat(query(promql)).as(promql).hasValue(expected));
  }

  void settle(ControllerHost host, int healthy) {
    for (int i = 0; i < 60 && host.controller().status("web").healthy() < healthy; i++) {
      fake.advance(Duration.ofSeconds(1));
      host.controller().runPending();
    }
    assertThat(host.controller().status("web").healthy()).isEqualTo(healthy);
  }

  @Test
  void prometheusScrapesHerdWithTheTokenAndSeesAKilledNodeReplaced() throws Exception {
    // the project name is this test's own, so a leftover can never be another test's
    ServerFixture.write(dir.resolve("herd.yaml"), ServerFixture.spec(3).replace("name: shop", "name: promit"));
    try (ControllerHost host = startHerd()) {
      host.apply();
      settle(host, 3);
      startPrometheus();

      awaitQuery("up{job=\"herd\"}", 1);
      awaitQuery("up{job=\"herd-without-token\"}", 0);
      awaitQuery("herd_fleet_desired_nodes{fleet=\"web\"}", 3);
      awaitQuery("herd_fleet_healthy_nodes{fleet=\"web\"}", 3);
      awaitQuery("herd_fleet_release_info{fleet=\"web\",release=\"web:v1\"}", 1);
      awaitQuery("sum(herd_engine_call_seconds_count{operation=\"start_node\"})", 3);

      NodeInfo web2 = fake.listNodes("promit").stream().filter(n -> n.ref().node().startsWith("web-2")).findFirst()
          .orElseThrow();
      fake.slowStart("web-2-g2", Duration.ofSeconds(1));
      fake.stopNode(web2.ref(), Duration.ZERO); // like podman kill
      host.controller().runPending();
      awaitQuery("herd_fleet_healthy_nodes{fleet=\"web\"}", 2);
      awaitQuery("herd_node_replacements_total{fleet=\"web\",reason=\"exited\"}", 1);
      awaitQuery("herd_fleet_nodes{fleet=\"web\",phase=\"starting\"}", 1);

      settle(host, 3);
      awaitQuery("herd_fleet_healthy_nodes{fleet=\"web\"}", 3);
      awaitQuery("herd_node_generation{fleet=\"web\",node=\"web-2\"}", 2);
      // nothing of the token or config values in any series Prometheus stored
      String token = ApiFiles.readToken(dir.resolve(".herd"));
      HttpResponse<String> labels = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PROMETHEUS_PORT
          + "/api/v1/series?match[]=" + URLEncoder.encode("{__name__=~\"herd_.*\"}", StandardCharsets.UTF_8))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(labels.statusCode()).isEqualTo(200);
      assertThat(labels.body()).contains("herd_fleet_healthy_nodes").doesNotContain(token).doesNotContain("hello");
      assertThat(List.of(labels.body())).isNotEmpty();
    }
  }
}
