package dev.herd.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herd.control.health.ProbeResult;
import dev.herd.engine.ImageSource;
import dev.herd.engine.fake.FakeEngine;
import dev.herd.engine.fake.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The production wiring: a background loop on virtual threads, engine events as the trigger. */
class BackgroundControllerTest {
  @TempDir Path dir;

  @Test
  void runsFleetsOnItsOwnAndHealsFromEngineEvents() {
    ManualClock clock = new ManualClock();
    FakeEngine fake = new FakeEngine(clock);
    List<ControllerEvent> seen = new CopyOnWriteArrayList<>();
    try (Controller c = Controller.open(ControllerConfig.builder().stateDir(dir).project(Sim.PROJECT).engine(fake)
        .images(d -> new ImageSource(d, ImageSource.Format.OCI_ARCHIVE, out -> {}))
        .prober((t, check, timeout) -> fake.healthy(t.ref()) ? ProbeResult.ok("HTTP 200") : ProbeResult.fail("down"))
        .portCheck(p -> true).clock(clock).build())) {
      c.onEvent(seen::add);
      c.start();
      c.apply(Sim.desired(Specs.fleet(3, Specs.rolling(1, 0)), Sim.V1));
      await().atMost(Duration.ofSeconds(20)).until(() -> c.status("web").healthy() == 3);

      fake.crashAfter("web-2-g1", Duration.ZERO, 1);
      fake.advance(Duration.ZERO); // the fake applies the crash and reports it as an engine event

      await().atMost(Duration.ofSeconds(20)).until(() -> c.status("web").nodes().stream()
          .anyMatch(n -> n.engineName().equals("web-2-g2")) && c.status("web").healthy() == 3);
      assertThat(seen).anySatisfy(e -> {
        assertThat(e.kind()).isEqualTo("node_replaced");
        assertThat(e.reason()).isEqualTo("web-2 replaced: exited with code 1");
      });
    }
  }
}
