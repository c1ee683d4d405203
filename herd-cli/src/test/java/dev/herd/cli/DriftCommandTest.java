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

class DriftCommandTest {
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
        web: {role: web, environment: prod, count: 2, drift: {tamper: report}}
      """;
  @TempDir Path dir;
  final ManualClock clock = new ManualClock();
  final FakeEngine fake = new FakeEngine(clock);
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  @BeforeEach
  void runAFleetWithTheController() throws IOException {
    Files.writeString(dir.resolve("herd.yaml"), YAML);
    try (Controller c = Controller.open(ControllerConfig.builder().stateDir(dir.resolve(".herd")).project("shop").engine(fake)
        .images(d -> new ImageSource(d, ImageSource.Format.OCI_ARCHIVE, o -> o.write(d.getBytes(StandardCharsets.UTF_8))))
        .prober((t, check, timeout) -> ProbeResult.ok("up")).portCheck(p -> true).simulated(clock).build())) {
      c.start();
      Spec spec = SpecLoader.load(dir.resolve("herd.yaml"), YAML.getBytes(StandardCharsets.UTF_8)).orThrow();
      c.apply(DesiredState.of(spec, Map.of("web", IMAGE)));
      c.runPending();
      for (int i = 0; i < 5; i++) {
        fake.advance(Duration.ofSeconds(1));
        c.runPending();
      }
    }
  }

  private int drift(String... args) {
    CommandLine cl = new CommandLine(new DriftCommand(state -> fake, clock, Duration.ZERO));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setExecutionExceptionHandler(new HerdCli.Failures());
    String[] all = new String[args.length + 2];
    all[0] = "-f";
    all[1] = dir.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    return cl.execute(all);
  }

  @Test
  void aCleanFleetHasNoDriftAndExitsZero() {
    assertThat(drift()).isZero();
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).startsWith("no drift");
  }

  @Test
  void onDockerTheCommandSaysWhatItCannotSee() {
    fake.behaveAs("Docker Engine", "1.41");
    assertThat(drift()).isZero();
    assertThat(err.toString()).contains("note: fake 1 keeps only its last 256 events, in memory: an exec into a node"
        + " while herd was down may go unseen").contains("no drift");

    err.getBuffer().setLength(0);
    fake.behaveAs("Podman Engine", "1.41");
    assertThat(drift()).isZero();
    assertThat(err.toString()).doesNotContain("note:");
  }

  @Test
  void anExecWhileNoControllerRunsIsFoundByTheCommandsOwnPassAndExitsTwo() {
    NodeInfo web2 = fake.listNodes("shop").stream().filter(n -> n.name().startsWith("web-2")).findFirst().orElseThrow();
    fake.execByHand(web2.ref(), "sh -c 'cat /etc/shadow'");
    fake.addForeignContainer("shop-web-9", Map.of());

    assertThat(drift()).isEqualTo(DriftCommand.DRIFT);

    assertThat(out.toString().lines()).containsExactlyInAnyOrder(
        "web-2  tamper  exec \"sh -c 'cat /etc/shadow'\" at 00:00:05  → not acted on",
        "shop-web-9  foreign  container shop-web-9 is not herd's but uses fleet web's node names (web-{n}): reported, never touched"
            + "  → left alone");
    assertThat(fake.containerExists(web2.ref().containerName())).as("the command acts on nothing").isTrue();
    assertThat(fake.containerExists("shop-web-9")).isTrue();
    out.getBuffer().setLength(0);
    assertThat(drift("web", "--recorded-only")).as("nothing was recorded by the command").isZero();
  }

  @Test
  void anUnreachableEngineIsExitFour() {
    fake.setAvailable(false);
    assertThat(drift()).isEqualTo(HerdCli.ENVIRONMENT);
    assertThat(err.toString()).contains("engine: ");
  }

  @Test
  void anUnknownFleetIsExitFour() {
    assertThat(drift("api")).isEqualTo(HerdCli.ENVIRONMENT);
    assertThat(err.toString()).contains("no fleet api");
  }

  @Test
  void driftJsonCarriesEachFindingsFields() throws Exception {
    NodeInfo web2 = fake.listNodes("shop").stream().filter(n -> n.name().startsWith("web-2")).findFirst().orElseThrow();
    fake.execByHand(web2.ref(), "sh -c 'cat /etc/shadow'");

    assertThat(drift("--json")).isEqualTo(DriftCommand.DRIFT);

    var findings = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString());
    assertThat(findings).hasSize(1);
    var f = findings.get(0);
    assertThat(f.get("node").asText()).isEqualTo("web-2");
    assertThat(f.get("fleet").asText()).isEqualTo("web");
    assertThat(f.get("kind").asText()).isEqualToIgnoringCase("tamper");
    assertThat(f.get("detail").asText()).contains("cat /etc/shadow");
    assertThat(f.get("action").asText()).isEqualTo("not acted on");
    assertThat(f.get("time").asText()).endsWith("Z");
  }
}
