package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.control.ControllerConfig;
import dev.herd.control.health.ProbeResult;
import dev.herd.engine.ImageSource;
import dev.herd.engine.fake.FakeEngine;
import dev.herd.engine.fake.ManualClock;
import dev.herd.server.ControllerHost;
import dev.herd.server.ControllerLock;
import dev.herd.server.HerdServer;
import dev.herd.server.api.ApiFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The thin-client commands against an in-process controller on the fake engine. */
class ApiCommandsTest {
  static final String DIGEST = "sha256:" + "1".repeat(64);
  static final String SPEC = """
      project:
        name: shop
        ports: 20000-20999
      roles:
        web:
          base: {scratch: {}}
          command: ["/srv/web", "--port", "${PORT}"]
          health:
            http: {path: /health, status: 200}
            interval: 1s
            timeout: 500ms
            start_grace: 2s
      environments:
        prod: {}
      fleets:
        web:
          role: web
          environment: prod
          count: 3
      """;

  @TempDir Path dir;
  final ManualClock clock = new ManualClock();
  final FakeEngine fake = new FakeEngine(clock);

  ControllerHost startHost() throws IOException {
    Files.writeString(dir.resolve("herd.yaml"), SPEC);
    Path state = dir.resolve(".herd");
    ControllerConfig config = ControllerConfig.builder().stateDir(state).project("shop").engine(fake)
        .images(d -> new ImageSource(d, ImageSource.Format.OCI_ARCHIVE, out -> out.write(d.getBytes(StandardCharsets.UTF_8))))
        .prober((t, c, timeout) -> fake.healthy(t.ref()) ? ProbeResult.ok("HTTP 200") : ProbeResult.fail("refused"))
        .portCheck(p -> true).simulated(clock).build();
    return ControllerHost.start(ControllerLock.acquire(state), config, dir.resolve("herd.yaml"), spec -> Map.of("web", DIGEST),
        HerdServer.Options.of(state, "shop").withClock(clock), null);
  }

  void settle(ControllerHost host, int healthy) {
    for (int i = 0; i < 120 && host.controller().status("web").healthy() != healthy; i++) {
      fake.advance(Duration.ofSeconds(1));
      host.controller().runPending();
    }
    for (int i = 0; i < 30 && host.controller().status("web").rollout().isPresent(); i++) {
      fake.advance(Duration.ofSeconds(1));
      host.controller().runPending();
    }
  }

  String file() {
    return dir.resolve("herd.yaml").toString();
  }

  @Test
  void applyStatusScaleEventsAndDownAgainstARunningController() throws Exception {
    try (ControllerHost host = startHost()) {
      CliRun apply = CliRun.of("apply", "-f", file());
      assertThat(apply.exitCode()).as(apply.err()).isZero();
      assertThat(apply.out()).contains("+ web: create on web:v1").contains("create 3 nodes on web:v1");
      settle(host, 3);

      CliRun status = CliRun.of("status", "-f", file());
      assertThat(status.exitCode()).as(status.err()).isZero();
      assertThat(status.out()).contains("web  web:v1  3/3 healthy").contains("NODE").contains("web-1").contains("web-3")
          .contains("healthy");

      CliRun plan = CliRun.of("plan", "-f", file());
      assertThat(plan.out()).contains("web: unchanged (web:v1)").contains("nothing would change");

      CliRun scale = CliRun.of("scale", "web", "4", "-f", file());
      assertThat(scale.exitCode()).as(scale.err()).isZero();
      assertThat(scale.out()).contains("fleet web scaled to 4");
      settle(host, 4);
      assertThat(CliRun.of("status", "web", "-f", file()).out()).contains("4/4 healthy (scaled; herd.yaml says 3)");

      CliRun unknown = CliRun.of("scale", "db", "2", "-f", file());
      assertThat(unknown.exitCode()).isEqualTo(HerdCli.FAILED);
      assertThat(unknown.err()).contains("herd: no fleet db").doesNotContain("Exception");
      CliRun negative = CliRun.of("scale", "web", "-1", "-f", file());
      assertThat(negative.exitCode()).isEqualTo(HerdCli.USAGE);
      assertThat(negative.err()).contains("count must be between 0 and");
      CliRun noRollout = CliRun.of("rollout", "pause", "web", "-f", file());
      assertThat(noRollout.exitCode()).isEqualTo(HerdCli.FAILED);
      assertThat(noRollout.err()).contains("no rollout in progress");
      assertThat(CliRun.of("rollout", "explode", "web", "-f", file()).exitCode()).isEqualTo(HerdCli.USAGE);

      CliRun events = CliRun.of("events", "--since", "1h", "-f", file());
      assertThat(events.exitCode()).as(events.err()).isZero();
      assertThat(events.out()).contains("fleet web created").contains("scaled from 3 to 4");

      CliRun down = CliRun.of("down", "-f", file());
      assertThat(down.exitCode()).as(down.err()).isZero();
      assertThat(down.out()).contains("removed 4 nodes");
      assertThat(host.server().stopRequested().get(5, TimeUnit.SECONDS)).contains("removed 4 nodes");
      assertThat(fake.listNodes("shop")).isEmpty();
    }
    CliRun after = CliRun.of("status", "-f", file());
    assertThat(after.exitCode()).isEqualTo(HerdCli.ENVIRONMENT);
  }

  @Test
  void noControllerRunningIsExit4WithHowToStartOne() throws IOException {
    Files.writeString(dir.resolve("herd.yaml"), SPEC);
    for (String cmd : new String[] {"status", "apply", "plan", "events"}) {
      CliRun r = CliRun.of(cmd, "-f", file());
      assertThat(r.exitCode()).as(cmd).isEqualTo(HerdCli.ENVIRONMENT);
      assertThat(r.err()).as(cmd).contains("herd: no herd controller is running for " + dir + "; start one with `herd up`");
    }
    // down needs no controller: with no state there is nothing herd started here
    CliRun down = CliRun.of("down", "-f", file());
    assertThat(down.exitCode()).as(down.err()).isZero();
    assertThat(down.out()).contains("herd never ran project shop here; nothing to remove");
    CliRun scale = CliRun.of("scale", "web", "2", "--state", dir.resolve("elsewhere").toString());
    assertThat(scale.exitCode()).isEqualTo(HerdCli.ENVIRONMENT);
    assertThat(scale.err()).contains("no herd controller is running for " + dir.resolve("elsewhere"));
  }

  @Test
  void aStaleApiJsonIsReportedAsSuch() throws Exception {
    Files.writeString(dir.resolve("herd.yaml"), SPEC);
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    ApiFiles.writeInfo(dir.resolve(".herd"), new ApiFiles.Info("http://127.0.0.1:9", p.pid(), "shop", Instant.EPOCH));
    CliRun r = CliRun.of("status", "-f", file());
    assertThat(r.exitCode()).isEqualTo(HerdCli.ENVIRONMENT);
    assertThat(r.err()).contains("no herd controller is running").contains("stale")
        .contains("pid " + p.pid() + ") is no longer running");
  }

  @Test
  void aSecondUpOnTheSameStateDirIsRefused() throws IOException {
    try (ControllerHost host = startHost()) {
      CliRun up = CliRun.of("up", dir.toString());
      assertThat(up.exitCode()).isEqualTo(HerdCli.FAILED);
      assertThat(up.err()).contains("a herd controller already runs for " + dir.resolve(".herd"))
          .contains("API at " + host.server().url());
    }
  }

  @Test
  void statusAndEventsAsJsonCarryTheTablesFields() throws Exception {
    try (ControllerHost host = startHost()) {
      assertThat(CliRun.of("apply", "-f", file()).exitCode()).isZero();
      settle(host, 3);
      var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
      CliRun status = CliRun.of("status", "--json", "-f", file());
      assertThat(status.exitCode()).as(status.err()).isZero();
      var fleet = mapper.readTree(status.out()).get("fleets").get(0);
      assertThat(fleet.get("name").asText()).isEqualTo("web");
      assertThat(fleet.get("release").asText()).isEqualTo("web:v1");
      assertThat(fleet.get("healthy").asInt()).isEqualTo(3);
      var node = fleet.get("nodes").get(0);
      for (String field : new String[] {"name", "state", "release", "generation", "port", "age_seconds"}) {
        assertThat(node.has(field)).as(field).isTrue();
      }
      CliRun events = CliRun.of("events", "--json", "-f", file());
      assertThat(events.exitCode()).as(events.err()).isZero();
      List<String> lines = events.out().lines().toList();
      assertThat(lines).isNotEmpty();
      for (String line : lines) {
        var e = mapper.readTree(line);
        assertThat(e.has("time") && e.has("kind") && e.has("reason") && e.has("fleet") && e.has("node")).as(line).isTrue();
      }
      assertThat(lines).anySatisfy(l -> assertThat(l).contains("fleet web created"));
    }
  }
}
