package dev.herd.server.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.control.health.HealthProber;
import dev.herd.control.health.ProbeResult;
import dev.herd.control.health.ProbeTarget;
import dev.herd.engine.NodeRef;
import dev.herd.engine.fake.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LastProbesTest {
  final ManualClock clock = new ManualClock();
  final LastProbes probes = new LastProbes(clock);

  static ProbeTarget target(String engineName) {
    return new ProbeTarget(new NodeRef("shop", engineName), "web", "web:v1", 20000);
  }

  @Test
  void eachNodeGenerationKeepsItsLastProbe() {
    HealthProber prober = probes.recording((t, c, timeout) -> t.ref().node().endsWith("g1") ? ProbeResult.ok("HTTP 200")
        : ProbeResult.fail("connection refused"));
    prober.probe(target("web-1-g1"), null, Duration.ofSeconds(1));
    clock.advance(Duration.ofSeconds(5));
    prober.probe(target("web-1-g2"), null, Duration.ofSeconds(1));

    assertThat(probes.last("web-1-g1").orElseThrow()).satisfies(p -> {
      assertThat(p.ok()).isTrue();
      assertThat(p.detail()).isEqualTo("HTTP 200");
    });
    assertThat(probes.last("web-1-g2").orElseThrow()).satisfies(p -> {
      assertThat(p.ok()).isFalse();
      assertThat(p.at()).isEqualTo(clock.instant());
    });
    assertThat(probes.last("web-2-g1")).isEmpty();
  }

  @Test
  void aProberThatThrowsIsRecordedAsFailed() {
    HealthProber prober = probes.recording((t, c, timeout) -> {
      throw new IllegalStateException("boom");
    });
    assertThatThrownBy(() -> prober.probe(target("web-1-g1"), null, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class);
    assertThat(probes.last("web-1-g1").orElseThrow().ok()).isFalse();
  }
}
