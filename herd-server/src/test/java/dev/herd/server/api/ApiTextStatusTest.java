package dev.herd.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiTextStatusTest {
  static String status(Api.TrafficView traffic) {
    Api.FleetView web = new Api.FleetView("web", "web", 3, 3, "web:v2", "web:v1", 3, false, null, List.of(),
        "http://127.0.0.1:8080", null, traffic);
    StringWriter out = new StringWriter();
    ApiText.status(new PrintWriter(out, true), new Api.Status("shop", Instant.EPOCH, List.of(web), Map.of(), Map.of()));
    return out.toString();
  }

  /** Issue 10: herd status shows an exposed fleet's front-door figures under its address. */
  @Test
  void anExposedFleetShowsItsTrafficUnderItsAddress() {
    String text = status(new Api.TrafficView(12.5, 1234, 0, 1200, 0, 30, 4, 0, 0, 0, 3, 7, 2L, 9L, 640, 0, 60,
        "12.5 req/s; 2xx 1200, 3xx 0, 4xx 30, 5xx 4; p50 2 ms, p99 9 ms (last 60s: 640 requests, 0 failed)"));
    assertThat(text).contains("  address: http://127.0.0.1:8080\n"
        + "  traffic: 12.5 req/s; 2xx 1200, 3xx 0, 4xx 30, 5xx 4; p50 2 ms, p99 9 ms (last 60s: 640 requests, 0 failed)\n");
    assertThat(status(null)).doesNotContain("traffic:");
  }
}
