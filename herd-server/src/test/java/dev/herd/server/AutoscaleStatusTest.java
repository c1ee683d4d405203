package dev.herd.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herd.control.ControllerConfig;
import dev.herd.control.health.ProbeResult;
import dev.herd.engine.ImageSource;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** herd up's host autoscales fleets of the applied spec, and status shows the state. */
class AutoscaleStatusTest {
  @TempDir Path dir;
  final ManualClock clock = new ManualClock();
  final FakeEngine fake = new FakeEngine(clock);

  static String spec() {
    return ServerFixture.spec(2).replace("    count: 2\n", """
            count: 2
            autoscale:
              min: 2
              max: 4
              target: {cpu: 50%}
              scale_up_after: 10s
              interval: 5s
        """);
  }

  @Test
  void aBusyFleetIsScaledUpAndStatusSaysWhy() throws Exception {
    ServerFixture.write(dir.resolve("herd.yaml"), spec());
    ControllerConfig config = ControllerConfig.builder().stateDir(dir.resolve(".herd")).project("shop").engine(fake)
        .images(d -> new ImageSource(d, ImageSource.Format.OCI_ARCHIVE, out -> out.write(d.getBytes(StandardCharsets.UTF_8))))
        .prober((t, c, timeout) -> fake.healthy(t.ref()) ? ProbeResult.ok("ok") : ProbeResult.fail("no"))
        .portCheck(p -> true).simulated(clock).build();
    try (ControllerHost host = ControllerHost.start(ControllerLock.acquire(dir.resolve(".herd")), config,
        dir.resolve("herd.yaml"), spec -> Map.of("web", ServerFixture.V1),
        HerdServer.Options.of(dir.resolve(".herd"), "shop").withClock(clock), null)) {
      host.apply();
      fake.cpuLoad("web", 1.0);
      for (int i = 0; i < 40 && host.controller().status("web").count() < 4; i++) {
        fake.advance(Duration.ofSeconds(1));
        host.controller().runPending();
      }
      assertThat(host.controller().status("web").count()).isEqualTo(4);
      assertThat(host.controller().events(0, 1000)).anyMatch(e -> e.reason().equals(
          "web scaled 2 → 4: cpu 100% > target 50% for 10s"));

      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(host.server().url() + "/v1/status"))
          .header("Authorization", "Bearer " + ApiFiles.readToken(dir.resolve(".herd"))).build(),
          HttpResponse.BodyHandlers.ofString());
      JsonNode status = new ObjectMapper().readTree(r.body());
      assertThat(status.path("autoscale").path("web").asText()).startsWith("2..4 nodes at cpu 50%; cpu 100% ")
          .endsWith("; cpu 100% > target 50% for 10s");

      String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(host.server().url() + "/metrics"))
          .header("Authorization", "Bearer " + ApiFiles.readToken(dir.resolve(".herd"))).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(MetricsTest.value(metrics, "herd_autoscale_cpu_percent", "fleet=\"web\"")).hasValue(100.0);
      assertThat(MetricsTest.value(metrics, "herd_autoscale_target_cpu_percent", "fleet=\"web\"")).hasValue(50.0);
      assertThat(MetricsTest.value(metrics, "herd_autoscale_max_nodes", "fleet=\"web\"")).hasValue(4.0);
      assertThat(MetricsTest.value(metrics, "herd_events_total", "fleet=\"web\"", "kind=\"scaled\"")).hasValue(1.0);
    }
  }
}
