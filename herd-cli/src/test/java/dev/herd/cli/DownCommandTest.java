package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.control.Controller;
import dev.herd.control.ControllerConfig;
import dev.herd.control.DesiredState;
import dev.herd.control.health.ProbeResult;
import dev.herd.engine.ImageSource;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.fake.FakeEngine;
import dev.herd.engine.fake.ManualClock;
import dev.herd.spec.Spec;
import dev.herd.spec.SpecLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code herd down} with no controller running: the command removes the project's nodes itself. */
class DownCommandTest {
  static final String IMAGE = "sha256:" + "1".repeat(64);
  static final String YAML = """
      project: {name: shop, ports: 20000-20999}
      roles:
        web:
          base: {scratch: {}}
          command: ["/srv/web", "--port", "${PORT}"]
      environments:
        prod: {}
      fleets:
        web: {role: web, environment: prod, count: 3}
      """;
  @TempDir Path dir;
  final ManualClock clock = new ManualClock();
  final FakeEngine fake = new FakeEngine(clock);
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  Controller open() {
    return Controller.open(ControllerConfig.builder().stateDir(dir.resolve(".herd")).project("shop").engine(fake)
        .images(d -> new ImageSource(d, ImageSource.Format.OCI_ARCHIVE, o -> o.write(d.getBytes(StandardCharsets.UTF_8))))
        .prober((t, check, timeout) -> ProbeResult.ok("up")).portCheck(p -> true).simulated(clock).build());
  }

  /** A controller runs three nodes, then dies: it is closed without removing them (as SIGKILL leaves them). */
  @BeforeEach
  void aControllerRanAndDied() throws IOException {
    Files.writeString(dir.resolve("herd.yaml"), YAML);
    try (Controller c = open()) {
      c.start();
      Spec spec = SpecLoader.load(dir.resolve("herd.yaml"), YAML.getBytes(StandardCharsets.UTF_8)).orThrow();
      c.apply(DesiredState.of(spec, Map.of("web", IMAGE)));
      c.runPending();
      for (int i = 0; i < 5; i++) {
        fake.advance(Duration.ofSeconds(1));
        c.runPending();
      }
    }
    assertThat(fake.listNodes("shop")).hasSize(3);
  }

  private int down() {
    CommandLine cl = new CommandLine(new DownCommand(state -> fake));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setExecutionExceptionHandler(new HerdCli.Failures());
    return cl.execute("-f", dir.toString());
  }

  @Test
  void withNoControllerRunningDownRemovesEveryNodeOfTheProjectAndListsThem() {
    fake.addForeignContainer("other-web-1-g1", Map.of("herd.project", "other", "herd.fleet", "web"));

    assertThat(down()).as(err.toString()).isZero();

    assertThat(fake.listNodes("shop")).isEmpty();
    assertThat(fake.containerExists("other-web-1-g1")).as("another project's container").isTrue();
    assertThat(out.toString()).contains("no controller is running for shop")
        .contains("removed shop-web-1-g1", "removed shop-web-2-g1", "removed shop-web-3-g1")
        .contains("herd: down: removed 3 nodes");
  }

  @Test
  void theRemovalsAreRecordedSoTheNextControllerStartsFreshWithoutVanishedNodes() {
    assertThat(down()).as(err.toString()).isZero();

    try (Controller c = open()) {
      c.start();
      c.runPending();
      assertThat(c.events(0, 1000)).noneMatch(e -> e.kind().equals("node_vanished"))
          .filteredOn(e -> e.kind().equals("node_removed")).hasSize(3)
          .allMatch(e -> e.reason().endsWith("removed by herd down"));
    }
  }

  @Test
  void withNoStateThereIsNothingToRemoveAndTheEngineIsNotTouched() throws IOException {
    Path other = dir.resolve("elsewhere");
    Files.createDirectories(other);
    Files.writeString(other.resolve("herd.yaml"), YAML);
    CommandLine cl = new CommandLine(new DownCommand(state -> {
      throw new AssertionError("no engine should be opened");
    }));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setExecutionExceptionHandler(new HerdCli.Failures());

    assertThat(cl.execute("-f", other.toString())).isZero();
    assertThat(out.toString()).contains("nothing to remove");
    assertThat(fake.listNodes("shop")).hasSize(3);
  }
}
