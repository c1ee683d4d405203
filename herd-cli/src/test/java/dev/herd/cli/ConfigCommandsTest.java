package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.control.ControllerConfig;
import dev.herd.control.health.ProbeResult;
import dev.herd.engine.ImageSource;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.fake.FakeEngine;
import dev.herd.engine.fake.ManualClock;
import dev.herd.server.ControllerHost;
import dev.herd.server.ControllerLock;
import dev.herd.server.HerdServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** herd config / secret / flag: offline on the state dir, and through a running controller. */
class ConfigCommandsTest {
  static final String SECRET = "cli-Secret-Value-93b1";
  static final String SPEC = ApiCommandsTest.SPEC.replace("prod: {}", "prod:\n      config:\n        GREETING: hello");

  @TempDir Path dir;
  final ManualClock clock = new ManualClock();
  final FakeEngine fake = new FakeEngine(clock);

  @AfterEach
  void restoreStdin() {
    SecretCommand.stdin = System.in;
  }

  String file() {
    return dir.resolve("herd.yaml").toString();
  }

  @Test
  void withoutAControllerChangesAreStoredInTheStateDirForTheNextUp() throws IOException {
    Files.writeString(dir.resolve("herd.yaml"), SPEC);
    CliRun set = CliRun.of("config", "set", "prod/web", "GREETING=hi there", "COLOR=blue", "-m", "new look", "-f", file());
    assertThat(set.exitCode()).as(set.err()).isZero();
    assertThat(set.out()).contains("config prod/web revision 1").contains("no controller is running");
    assertThat(CliRun.of("config", "get", "prod/web", "GREETING", "-f", file()).out().strip()).isEqualTo("hi there");
    assertThat(CliRun.of("config", "list", "prod/web", "-f", file()).out()).contains("COLOR=blue").contains("revision 1");
    assertThat(CliRun.of("config", "unset", "prod/web", "COLOR", "-f", file()).out()).contains("revision 2");
    assertThat(CliRun.of("config", "history", "prod/web", "-f", file()).out()).contains("unset COLOR").contains("\"new look\"");
    assertThat(CliRun.of("config", "diff", "prod/web", "0", "1", "-f", file()).out())
        .contains("- GREETING=hello").contains("+ GREETING=hi there").contains("+ COLOR=blue");
    assertThat(CliRun.of("config", "rollback", "prod/web", "0", "-f", file()).out()).contains("revision 3");

    CliRun bad = CliRun.of("config", "set", "prod/web", "API_TOKEN=x", "-f", file());
    assertThat(bad.exitCode()).isEqualTo(HerdCli.USAGE);
    assertThat(bad.err()).contains("herd secret set");
    CliRun unknown = CliRun.of("config", "list", "qa/web", "-f", file());
    assertThat(unknown.exitCode()).isEqualTo(HerdCli.FAILED);
    assertThat(unknown.err()).contains("unknown environment");
    assertThat(CliRun.of("config", "list", "prod", "-f", file()).exitCode()).isEqualTo(HerdCli.USAGE);

    Path value = dir.resolve("value.txt");
    Files.writeString(value, SECRET);
    CliRun secret = CliRun.of("secret", "set", "prod/web/db-password", "--value-file", value.toString(), "-f", file());
    assertThat(secret.exitCode()).as(secret.err()).isZero();
    CliRun list = CliRun.of("secret", "list", "prod/web", "-f", file());
    assertThat(list.out()).contains("db-password  revision 1").doesNotContain(SECRET);
    CliRun slash = CliRun.of("secret", "set", "prod/web/a/b", "--value-file", value.toString(), "-f", file());
    assertThat(slash.exitCode()).isEqualTo(HerdCli.USAGE);
    assertThat(slash.err()).contains("'/'");

    assertThat(CliRun.of("flag", "set", "prod", "new-ui", "--percent", "30", "-f", file()).exitCode()).isZero();
    assertThat(CliRun.of("flag", "get", "prod", "new-ui", "--key", "user-1", "-f", file()).out())
        .containsPattern("(true|false)  \\(percentage 30%, bucket \\d+");
    assertThat(CliRun.of("flag", "list", "prod", "-f", file()).out()).contains("new-ui  on 30.0%");
    assertThat(CliRun.of("flag", "kill", "prod", "new-ui", "-f", file()).exitCode()).isZero();
    assertThat(CliRun.of("flag", "get", "prod", "new-ui", "-f", file()).out()).startsWith("false").contains("kill");
    try (var files = Files.walk(dir.resolve(".herd"))) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        assertThat(Files.readString(p, StandardCharsets.ISO_8859_1)).as(p.toString()).doesNotContain(SECRET);
      }
    }
  }

  @Test
  void withAControllerAConfigSetRollsOutAndASecretFromStdinReachesNodesOnly() throws IOException {
    Files.writeString(dir.resolve("herd.yaml"), SPEC);
    Path state = dir.resolve(".herd");
    ControllerConfig config = ControllerConfig.builder().stateDir(state).project("shop").engine(fake)
        .images(d -> new ImageSource(d, ImageSource.Format.OCI_ARCHIVE, out -> out.write(d.getBytes(StandardCharsets.UTF_8))))
        .prober((t, c, timeout) -> fake.healthy(t.ref()) ? ProbeResult.ok("HTTP 200") : ProbeResult.fail("refused"))
        .portCheck(p -> true).simulated(clock).build();
    try (ControllerHost host = ControllerHost.start(ControllerLock.acquire(state), config, dir.resolve("herd.yaml"),
        spec -> Map.of("web", ApiCommandsTest.DIGEST), HerdServer.Options.of(state, "shop").withClock(clock), null, Map.of())) {
      host.apply();
      settle(host, "web:v1");
      CliRun set = CliRun.of("config", "set", "prod/web", "GREETING=bonjour", "-f", file());
      assertThat(set.exitCode()).as(set.err()).isZero();
      assertThat(set.out()).contains("revision 1").contains("fleet web: rolling out web:v2");
      settle(host, "web:v2");
      assertThat(running()).allSatisfy(n -> assertThat(n.env()).containsEntry("GREETING", "bonjour"));

      SecretCommand.stdin = new ByteArrayInputStream(SECRET.getBytes(StandardCharsets.UTF_8));
      CliRun secret = CliRun.of("secret", "set", "prod/web/api-key", "-f", file());
      assertThat(secret.exitCode()).as(secret.err()).isZero();
      assertThat(secret.out()).contains("web:v3").doesNotContain(SECRET);
      settle(host, "web:v3");
      assertThat(running()).allSatisfy(n -> assertThat(fake.secretFile(n.ref(), "api-key")).isPresent());
      assertThat(running()).allSatisfy(n -> assertThat(n.env().values()).noneMatch(v -> v.contains(SECRET)));
      CliRun events = CliRun.of("events", "-f", file());
      assertThat(events.out()).contains("config prod/web revision 1").doesNotContain(SECRET).doesNotContain("bonjour");

      assertThat(CliRun.of("flag", "set", "prod", "beta", "--on", "-f", file()).out()).contains("flag beta in prod is now on");
      assertThat(host.controller().releases("web")).hasSize(3);
    }
  }

  private java.util.List<NodeInfo> running() {
    return fake.listNodes("shop").stream().filter(NodeInfo::running).toList();
  }

  private void settle(ControllerHost host, String release) {
    for (int i = 0; i < 120; i++) {
      var s = host.controller().status("web");
      if (s.rollout().isEmpty() && s.currentRelease().equals(release) && s.healthy() == 3 && running().size() == 3) {
        return;
      }
      fake.advance(Duration.ofSeconds(1));
      host.controller().runPending();
    }
    throw new AssertionError("not settled on " + release);
  }

  @Test
  void listsAndHistoryAsJsonCarryTheirFields() throws Exception {
    Files.writeString(dir.resolve("herd.yaml"), SPEC);
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    assertThat(CliRun.of("config", "set", "prod/web", "COLOR=blue", "-m", "new look", "-f", file()).exitCode()).isZero();
    CliRun list = CliRun.of("config", "list", "prod/web", "--json", "-f", file());
    assertThat(list.exitCode()).as(list.err()).isZero();
    var config = mapper.readTree(list.out());
    assertThat(config.get("revision").asLong()).isEqualTo(1);
    assertThat(config.get("values").findValuesAsText("key")).containsExactlyInAnyOrder("GREETING", "COLOR");
    assertThat(config.get("values").get(0).fieldNames()).toIterable().containsExactlyInAnyOrder("key", "value", "source", "revision");

    var history = mapper.readTree(CliRun.of("config", "history", "prod/web", "--json", "-f", file()).out());
    assertThat(history.get("revisions").get(0).get("message").asText()).isEqualTo("new look");
    assertThat(history.get("revisions").get(0).get("set").get("COLOR").asText()).isEqualTo("blue");

    Path value = dir.resolve("value.txt");
    Files.writeString(value, SECRET);
    assertThat(CliRun.of("secret", "set", "prod/web/db-password", "--value-file", value.toString(), "-f", file()).exitCode()).isZero();
    CliRun secrets = CliRun.of("secret", "list", "prod/web", "--json", "-f", file());
    assertThat(secrets.out()).doesNotContain(SECRET);
    var s = mapper.readTree(secrets.out()).get("secrets").get(0);
    assertThat(s.get("name").asText()).isEqualTo("db-password");
    assertThat(s.get("revision").asLong()).isEqualTo(1);
    assertThat(s.has("removed") && s.has("author") && s.has("time")).isTrue();

    assertThat(CliRun.of("flag", "set", "prod", "new-ui", "--percent", "30", "-f", file()).exitCode()).isZero();
    var flag = mapper.readTree(CliRun.of("flag", "list", "prod", "--json", "-f", file()).out()).get("flags").get(0);
    assertThat(flag.get("name").asText()).isEqualTo("new-ui");
    assertThat(flag.get("on").asBoolean()).isTrue();
    assertThat(flag.get("rollout").asText()).isEqualTo("30.0%");
    assertThat(flag.get("kind").asText()).isNotEmpty();
  }
}
