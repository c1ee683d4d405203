package dev.herd.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.control.ControllerConfig;
import dev.herd.control.health.ProbeResult;
import dev.herd.engine.ImageSource;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.fake.FakeEngine;
import dev.herd.engine.fake.ManualClock;
import dev.herd.server.api.ApiFiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /metrics} of a controller host on the fake engine, read over real HTTP. */
class MetricsTest {
  @TempDir Path dir;
  final ManualClock clock = new ManualClock();
  final FakeEngine fake = new FakeEngine(clock);
  final HttpClient http = HttpClient.newHttpClient();

  ControllerHost start() {
    ControllerConfig config = ControllerConfig.builder().stateDir(dir.resolve(".herd")).project("shop").engine(fake)
        .images(d -> new ImageSource(d, ImageSource.Format.OCI_ARCHIVE, out -> out.write(d.getBytes(StandardCharsets.UTF_8))))
        .prober((t, c, timeout) -> fake.healthy(t.ref()) ? ProbeResult.ok("ok") : ProbeResult.fail("no"))
        .portCheck(p -> true).simulated(clock).build();
    return ControllerHost.start(ControllerLock.acquire(dir.resolve(".herd")), config, dir.resolve("herd.yaml"),
        spec -> Map.of("web", ServerFixture.V1), HerdServer.Options.of(dir.resolve(".herd"), "shop").withClock(clock), null);
  }

  void settle(ControllerHost host, int healthy) {
    for (int i = 0; i < 60 && host.controller().status("web").healthy() < healthy; i++) {
      fake.advance(Duration.ofSeconds(1));
      host.controller().runPending();
    }
    assertThat(host.controller().status("web").healthy()).isEqualTo(healthy);
  }

  HttpResponse<String> get(ControllerHost host, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(host.server().url() + "/metrics"));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  String scrape(ControllerHost host) throws Exception {
    HttpResponse<String> r = get(host, ApiFiles.readToken(dir.resolve(".herd")));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
    return r.body();
  }

  /** The value of the one series {@code name{labels...}} (labels given as a regex fragment that must all be present). */
  static OptionalDouble value(String body, String name, String... labels) {
    Pattern line = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
    Matcher m = line.matcher(body);
    while (m.find()) {
      String have = m.group(1);
      boolean all = true;
      for (String l : labels) {
        all &= have.contains(l);
      }
      if (all) {
        return OptionalDouble.of(Double.parseDouble(m.group(2)));
      }
    }
    return OptionalDouble.empty();
  }

  @Test
  void fleetNodeCountsReleaseAndTimingsAreExposedAndFollowAKilledNode() throws Exception {
    ServerFixture.write(dir.resolve("herd.yaml"), ServerFixture.spec(3));
    try (ControllerHost host = start()) {
      host.apply();
      settle(host, 3);
      String body = scrape(host);
      assertThat(value(body, "herd_fleet_desired_nodes", "fleet=\"web\"")).hasValue(3.0);
      assertThat(value(body, "herd_fleet_healthy_nodes", "fleet=\"web\"")).hasValue(3.0);
      assertThat(value(body, "herd_fleet_running_nodes", "fleet=\"web\"")).hasValue(3.0);
      assertThat(value(body, "herd_fleet_ready_nodes", "fleet=\"web\"")).hasValue(3.0);
      assertThat(value(body, "herd_fleet_nodes", "fleet=\"web\"", "phase=\"healthy\"")).hasValue(3.0);
      assertThat(value(body, "herd_fleet_nodes", "fleet=\"web\"", "phase=\"dead\"")).hasValue(0.0);
      assertThat(value(body, "herd_fleet_release_info", "fleet=\"web\"", "release=\"web:v1\"")).hasValue(1.0);
      assertThat(value(body, "herd_fleet_release_version", "fleet=\"web\"")).hasValue(1.0);
      assertThat(value(body, "herd_fleet_config_revision", "fleet=\"web\"")).isPresent();
      assertThat(value(body, "herd_rollout_state", "fleet=\"web\"", "state=\"none\"")).hasValue(1.0);
      assertThat(value(body, "herd_node_info", "node=\"web-2\"", "generation=\"1\"", "phase=\"healthy\"")).hasValue(1.0);
      assertThat(value(body, "herd_node_generation", "node=\"web-2\"")).hasValue(1.0);
      assertThat(value(body, "herd_events_total", "fleet=\"web\"", "kind=\"node_created\"")).hasValue(3.0);
      assertThat(value(body, "herd_engine_call_seconds_count", "operation=\"start_node\"", "outcome=\"ok\"")).hasValue(3.0);
      assertThat(value(body, "herd_engine_call_seconds_bucket", "operation=\"start_node\"", "le=\"+Inf\"")).hasValue(3.0);
      assertThat(value(body, "herd_probe_seconds_count", "fleet=\"web\"", "outcome=\"ok\"").orElse(0)).isPositive();
      assertThat(value(body, "herd_reconcile_pass_seconds_count", "fleet=\"web\"").orElse(0)).isPositive();
      assertThat(value(body, "herd_reconcile_queue_depth")).isEmpty(); // no labels: matched below
      assertThat(body).containsPattern("(?m)^herd_reconcile_queue_depth \\S+$");
      assertThat(body).contains("jvm_memory_used_bytes").contains("process_uptime_seconds");

      NodeInfo web2 = fake.listNodes("shop").stream().filter(n -> n.ref().node().startsWith("web-2")).findFirst().orElseThrow();
      fake.slowStart("web-2-g2", Duration.ofSeconds(1)); // the replacement takes a while to pass its check
      fake.stopNode(web2.ref(), Duration.ZERO); // like podman kill
      host.controller().runPending();
      String killed = scrape(host);
      assertThat(value(killed, "herd_fleet_healthy_nodes", "fleet=\"web\"")).as("before the replacement is healthy")
          .hasValue(2.0);
      assertThat(value(killed, "herd_node_replacements_total", "fleet=\"web\"", "reason=\"exited\"")).hasValue(1.0);
      assertThat(value(killed, "herd_fleet_nodes", "fleet=\"web\"", "phase=\"starting\"")).hasValue(1.0);
      assertThat(value(killed, "herd_node_info", "node=\"web-2\"", "generation=\"2\"", "phase=\"starting\"")).hasValue(1.0);
      settle(host, 3);
      String healed = scrape(host);
      assertThat(value(healed, "herd_fleet_healthy_nodes", "fleet=\"web\"")).hasValue(3.0);
      assertThat(value(healed, "herd_node_generation", "node=\"web-2\"")).hasValue(2.0);
      assertThat(value(healed, "herd_node_info", "node=\"web-2\"", "generation=\"1\"")).as("gone with its container")
          .isEmpty();
    }
  }

  /** Issue 10: an exposed fleet's front-door figures, one series per fleet (and class or quantile). */
  @Test
  void frontDoorFiguresOfAnExposedFleetAreExposed() throws Exception {
    ServerFixture.write(dir.resolve("herd.yaml"), ServerFixture.spec(1));
    try (ControllerHost host = start()) {
      host.apply();
      settle(host, 1);
      assertThat(value(scrape(host), "herd_frontdoor_requests", "fleet=\"web\"")).as("not exposed: no series").isEmpty();
      dev.herd.control.FleetTraffic t = new dev.herd.control.FleetTraffic("web", clock.instant(), OptionalDouble.of(42.5), 1234,
          0, 1200, 0, 30, 4, 1, 2, 3, 5, 9, java.util.OptionalLong.of(4), java.util.OptionalLong.of(17), 600, 4,
          Duration.ofSeconds(60));
      host.metrics().traffic(f -> f.equals("web") ? java.util.Optional.of(t) : java.util.Optional.empty());
      String body = scrape(host);
      assertThat(value(body, "herd_frontdoor_requests", "fleet=\"web\"")).hasValue(1234.0);
      assertThat(value(body, "herd_frontdoor_requests_per_second", "fleet=\"web\"")).hasValue(42.5);
      assertThat(value(body, "herd_frontdoor_responses", "fleet=\"web\"", "code=\"2xx\"")).hasValue(1200.0);
      assertThat(value(body, "herd_frontdoor_responses", "fleet=\"web\"", "code=\"5xx\"")).hasValue(4.0);
      assertThat(value(body, "herd_frontdoor_node_errors", "fleet=\"web\"", "kind=\"response\"")).hasValue(2.0);
      assertThat(value(body, "herd_frontdoor_retries", "fleet=\"web\"")).hasValue(3.0);
      assertThat(value(body, "herd_frontdoor_request_time_ms", "fleet=\"web\"", "quantile=\"0.99\"")).hasValue(17.0);
      assertThat(value(body, "herd_frontdoor_avg_time_ms", "fleet=\"web\"", "kind=\"total\"")).hasValue(9.0);
    }
  }

  @Test
  void metricsNeedTheBearerTokenAndNeverCarryIt() throws Exception {
    ServerFixture.write(dir.resolve("herd.yaml"), ServerFixture.spec(1));
    try (ControllerHost host = start()) {
      host.apply();
      settle(host, 1);
      HttpResponse<String> none = get(host, null);
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.body()).doesNotContain("herd_fleet");
      HttpResponse<String> wrong = get(host, "not-the-token");
      assertThat(wrong.statusCode()).isEqualTo(401);
      String body = scrape(host);
      String token = ApiFiles.readToken(dir.resolve(".herd"));
      assertThat(body).doesNotContain(token).doesNotContain("hello"); // GREETING's value
      assertThat(body).contains("herd_fleet_healthy_nodes");
    }
  }
}
