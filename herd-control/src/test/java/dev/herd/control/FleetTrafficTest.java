package dev.herd.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class FleetTrafficTest {
  @Test
  void theSummarySaysWhatWasMeasuredAndWhatWasNot() {
    FleetTraffic busy = new FleetTraffic("web", Instant.EPOCH, OptionalDouble.of(12.46), 1234, 0, 1200, 0, 30, 4, 1, 1, 2, 3, 7,
        OptionalLong.of(2), OptionalLong.of(9), 640, 4, Duration.ofSeconds(60));
    assertThat(busy.summary()).isEqualTo("12.5 req/s; 2xx 1200, 3xx 0, 4xx 30, 5xx 4, node errors 2, retries 2; "
        + "p50 2 ms, p99 9 ms (last 1m: 640 requests, 4 failed)");
    FleetTraffic fresh = new FleetTraffic("web", Instant.EPOCH, OptionalDouble.empty(), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        OptionalLong.empty(), OptionalLong.empty(), 0, 0, Duration.ofSeconds(60));
    assertThat(fresh.summary()).isEqualTo("req/s not measured yet; 2xx 0, 3xx 0, 4xx 0, 5xx 0 (last 1m: 0 requests, 0 failed)");
  }
}
