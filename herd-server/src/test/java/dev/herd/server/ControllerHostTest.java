package dev.herd.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.control.ControllerConfig;
import dev.herd.control.health.ProbeResult;
import dev.herd.engine.ImageSource;
import dev.herd.engine.fake.FakeEngine;
import dev.herd.engine.fake.ManualClock;
import dev.herd.server.api.Api;
import dev.herd.server.api.ApiFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControllerHostTest {
  @TempDir Path dir;
  final ManualClock clock = new ManualClock();
  final FakeEngine fake = new FakeEngine(clock);

  ControllerHost start() {
    ControllerConfig config = ControllerConfig.builder().stateDir(dir.resolve(".herd")).project("shop").engine(fake)
        .images(d -> new ImageSource(d, ImageSource.Format.OCI_ARCHIVE, out -> out.write(d.getBytes(StandardCharsets.UTF_8))))
        .prober((t, c, timeout) -> fake.healthy(t.ref()) ? ProbeResult.ok("ok") : ProbeResult.fail("no"))
        .portCheck(p -> true).simulated(clock).build();
    return ControllerHost.start(ControllerLock.acquire(dir.resolve(".herd")), config, dir.resolve("herd.yaml"), spec -> Map.of("web", ServerFixture.V1),
        HerdServer.Options.of(dir.resolve(".herd"), "shop").withClock(clock), null);
  }

  @Test
  void aSecondControllerOnTheSameStateDirIsRefused() {
    ServerFixture.write(dir.resolve("herd.yaml"), ServerFixture.spec(3));
    try (ControllerHost first = start()) {
      String url = first.server().url().toString();
      assertThatThrownBy(this::start).isInstanceOf(ControllerLock.AlreadyRunning.class)
          .hasMessageContaining("already runs for " + dir.resolve(".herd"))
          .hasMessageContaining("API at " + url).hasMessageContaining("herd down");
      assertThat(ApiFiles.readInfo(dir.resolve(".herd")).orElseThrow().url()).isEqualTo(url);
    }
    try (ControllerHost again = start()) {
      assertThat(again.server().port()).isPositive();
    }
  }

  @Test
  void downRemovesEveryNodeAndStopsTheController() {
    ServerFixture.write(dir.resolve("herd.yaml"), ServerFixture.spec(3));
    try (ControllerHost host = start()) {
      Api.Changes changes = host.apply();
      assertThat(changes.fleets()).singleElement().satisfies(c -> assertThat(c.kind()).isEqualTo("created"));
      for (int i = 0; i < 60 && host.controller().status("web").healthy() < 3; i++) {
        fake.advance(Duration.ofSeconds(1));
        host.controller().runPending();
      }
      assertThat(fake.listNodes("shop")).hasSize(3);
      fake.addForeignContainer("not-herds", Map.of());
      assertThat(dir.resolve(".herd/nodes/web")).isDirectoryContaining(p -> p.getFileName().toString().startsWith("web-"));
      assertThat(host.removeAllNodes()).isEqualTo("controller stopped; removed 3 nodes");
      assertThat(fake.listNodes("shop")).isEmpty();
      assertThat(dir.resolve(".herd/nodes/web")).as("node files go with their nodes").isEmptyDirectory();
      assertThat(fake.containerExists("not-herds")).isTrue();
    }
    assertThat(dir.resolve(".herd/api.json")).doesNotExist();
  }
}
