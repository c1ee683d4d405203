package dev.herd.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herd.config.HerdConfig;
import dev.herd.control.Controller;
import dev.herd.control.ControllerConfig;
import dev.herd.control.config.ConfigDelivery;
import dev.herd.control.health.ProbeResult;
import dev.herd.engine.ImageSource;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.NodeRef;
import dev.herd.engine.fake.FakeEngine;
import dev.herd.engine.fake.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Config, secret, flag and watch endpoints over real HTTP, on the fake engine in simulated time. */
class ConfigApiTest {
  static final String SECRET = "pa55-Word-Plaintext-8c1e";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  final ManualClock clock = new ManualClock();
  final FakeEngine fake = new FakeEngine(clock);
  final HttpClient http = HttpClient.newHttpClient();
  final List<String> bodies = new ArrayList<>();
  final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  HerdConfig cfg;
  ConfigDelivery delivery;
  Controller controller;
  HerdServer server;
  Path state;

  @BeforeEach
  void start() {
    state = dir.resolve(".herd");
    Path specFile = dir.resolve("herd.yaml");
    ServerFixture.write(specFile, ServerFixture.spec(2));
    logs.start();
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    cfg = HerdConfig.open(state, Map.of(), clock);
    delivery = new ConfigDelivery(cfg, fake, ServerFixture.PROJECT, clock);
    controller = Controller.open(ControllerConfig.builder().stateDir(state).project(ServerFixture.PROJECT).engine(fake)
        .images(d -> new ImageSource(d, ImageSource.Format.OCI_ARCHIVE, out -> out.write(d.getBytes(StandardCharsets.UTF_8))))
        .prober((t, c, to) -> fake.healthy(t.ref()) ? ProbeResult.ok("HTTP 200") : ProbeResult.fail("refused"))
        .portCheck(p -> true).simulated(clock).nodeConfig(delivery).build());
    delivery.attach(controller);
    controller.start();
    SpecApplier applier = new SpecApplier(specFile, spec -> Map.of("web", ServerFixture.V1), controller, delivery);
    server = HerdServer.start(HerdServer.Options.of(state, ServerFixture.PROJECT).withClock(clock), controller, applier,
        () -> "removed 0 nodes", delivery);
    assertThat(send("POST", "/v1/apply", "").statusCode()).isEqualTo(200);
    settle("web:v1");
  }

  @AfterEach
  void stop() {
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    server.close();
    controller.close();
    delivery.close();
    cfg.close();
  }

  @Test
  void configSetGetHistoryDiffRollbackAndANewReleaseRollsOut() throws IOException {
    var set = send("POST", "/v1/config/prod/web", "{\"set\": {\"GREETING\": \"bonjour\", \"COLOR\": \"blue\"}, \"author\": \"alice\"}");
    assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
    assertThat(json(set).path("revision").asLong()).isEqualTo(1);
    assertThat(json(set).path("message").asText()).contains("rolling out web:v2");
    settle("web:v2");
    for (NodeInfo n : running()) {
      assertThat(n.env()).containsEntry("GREETING", "bonjour").containsEntry("COLOR", "blue");
    }

    var get = send("GET", "/v1/config/prod/web/GREETING", null);
    assertThat(json(get).path("value").asText()).isEqualTo("bonjour");
    assertThat(json(get).path("source").asText()).isEqualTo("stored");
    var text = send(HttpRequest.newBuilder(server.url().resolve("/v1/config/prod/web/GREETING"))
        .header("Authorization", "Bearer " + token()).header("Accept", "text/plain").GET().build());
    assertThat(text.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    assertThat(text.body()).as("what herd config get prints").isEqualTo("bonjour" + System.lineSeparator());
    var missing = send(HttpRequest.newBuilder(server.url().resolve("/v1/config/prod/web/NOPE"))
        .header("Authorization", "Bearer " + token()).header("Accept", "text/plain").GET().build());
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).as("errors stay JSON").startsWith("{\"error\":\"no config key \\\"NOPE\\\"");
    var list = json(send("GET", "/v1/config/prod/web", null));
    assertThat(list.path("values").size()).isEqualTo(2);

    assertThat(json(send("POST", "/v1/config/prod/web", "{\"unset\": [\"COLOR\"]}")).path("revision").asLong()).isEqualTo(2);
    var history = json(send("GET", "/v1/config/prod/web/history", null));
    assertThat(history.path("revisions").get(0).path("unset").get(0).asText()).isEqualTo("COLOR");
    assertThat(history.path("revisions").get(1).path("author").asText()).isEqualTo("alice");
    var diff = json(send("GET", "/v1/config/prod/web/diff?from=0&to=1", null));
    assertThat(diff.path("changes").toString()).contains("GREETING", "hello", "bonjour", "COLOR");

    var rb = send("POST", "/v1/config/prod/web/rollback", "{\"revision\": 0}");
    assertThat(json(rb).path("revision").asLong()).isEqualTo(3);
    assertThat(json(send("GET", "/v1/config/prod/web/GREETING", null)).path("value").asText()).isEqualTo("hello");
  }

  @Test
  void theDashboardShowsConfigKeysAndSecretRevisionsNeverASecretValue() {
    assertThat(send("PUT", "/v1/secrets/prod/web/db-password", SECRET).statusCode()).isEqualTo(200);
    assertThat(send("POST", "/v1/config/prod/web", "{\"set\": {\"GREETING\": \"bonjour\"}, \"author\": \"alice\"}")
        .statusCode()).isEqualTo(200);
    settle("web:v3");
    UiBrowser browser = new UiBrowser(server.url());
    browser.logIn(state);
    String overview = browser.get("/ui/config").body();
    assertThat(overview).contains("prod/web", "db-password", "GREETING", "alice");
    String diff = browser.get("/ui/config/prod/web?from=0&to=1").body();
    assertThat(diff).contains("Revision 0 → 1", "GREETING", "bonjour");
    assertThat(browser.get("/ui/config/prod/web?from=x&to=1").statusCode()).isEqualTo(400);
    assertThat(browser.get("/ui/config/prod/nope").statusCode()).isEqualTo(404);
    for (String path : List.of("/ui/", "/ui/fleets/web", "/ui/rollouts", "/ui/events", "/ui/config", "/ui/config/prod/web",
        "/ui/config/prod/web?from=0&to=1", "/ui/drift", "/ui/fleets/web/nodes/web-1/logs?since=all")) {
      var page = browser.get(path);
      assertThat(page.statusCode()).as(path).isEqualTo(200);
      assertThat(page.body()).as(path).doesNotContain(SECRET);
    }
    assertThat(logs.list).noneMatch(e -> e.getFormattedMessage().contains(SECRET));
  }

  @Test
  void aNewFlagStartsOffWhateverTheBodyLeavesOut() throws IOException {
    Map<String, String> bodies = Map.of(
        "empty", "{}",
        "described", "{\"description\": \"the new checkout\"}",
        "percent-only", "{\"percent\": 30}",
        "variants", "{\"variants\": [{\"value\": \"blue\"}, {\"value\": \"green\"}], \"off_value\": \"grey\"}");
    for (Map.Entry<String, String> c : bodies.entrySet()) {
      var put = send("PUT", "/v1/flags/prod/" + c.getKey(), c.getValue());
      assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
      assertThat(json(put).path("message").asText()).as(c.getKey()).contains("is now off");
      for (String key : List.of("user-1", "user-2", "user-3", "user-42")) {
        var eval = json(send("GET", "/v1/flags/prod/" + c.getKey() + "?key=" + key, null));
        assertThat(eval.path("on").asBoolean()).as(c.getKey() + " for " + key).isFalse();
        assertThat(eval.path("value").asText()).as(c.getKey()).isIn("false", "grey");
      }
    }
    // turning it on afterwards serves everyone
    send("PUT", "/v1/flags/prod/empty", "{\"on\": true}");
    assertThat(json(send("GET", "/v1/flags/prod/empty?key=user-1", null)).path("value").asText()).isEqualTo("true");
  }

  @Test
  void everyJsonBodyFollowsOneStrictTypingRule() throws IOException {
    record Case(String method, String path, String body, String reason) {}
    List<Case> cases = List.of(
        new Case("POST", "/v1/config/prod/web", "{\"set\": {\"A\": 1}}", "set.A: expected a JSON string, got the number 1"),
        new Case("POST", "/v1/config/prod/web", "{\"set\": {\"A\": 1.5}}", "set.A: expected a JSON string, got the number 1.5"),
        new Case("POST", "/v1/config/prod/web", "{\"set\": {\"A\": true}}", "set.A: expected a JSON string, got true"),
        new Case("POST", "/v1/config/prod/web", "{\"set\": {\"A\": null}}", "set.A: expected a JSON string, got null"),
        new Case("POST", "/v1/config/prod/web", "{\"set\": {\"A\": {}}}", "set.A: expected a JSON string, got an object"),
        new Case("POST", "/v1/config/prod/web", "{\"set\": \"A=1\"}", "set: expected a JSON object, got a string"),
        new Case("POST", "/v1/config/prod/web", "{\"unset\": \"A\"}", "unset: expected a JSON array, got a string"),
        new Case("POST", "/v1/config/prod/web", "{\"unset\": [1]}", "unset[0]: expected a JSON string, got the number 1"),
        new Case("POST", "/v1/config/prod/web", "{\"message\": 7}", "message: expected a JSON string"),
        new Case("POST", "/v1/config/prod/web/rollback", "{\"revision\": \"0\"}", "revision: expected a whole JSON number, got a string"),
        new Case("PUT", "/v1/flags/prod/f", "{\"on\": \"true\"}", "on: expected true or false, got a string"),
        new Case("PUT", "/v1/flags/prod/f", "{\"on\": 1}", "on: expected true or false, got the number 1"),
        new Case("PUT", "/v1/flags/prod/f", "{\"percent\": \"30\"}", "percent: expected a JSON number, got a string"),
        new Case("PUT", "/v1/flags/prod/f", "{\"variants\": [{\"value\": \"a\", \"weight\": \"2\"}]}",
            "variants[0].weight: expected a whole JSON number, got a string"),
        new Case("PUT", "/v1/flags/prod/f", "{\"variants\": [{\"value\": 3}]}", "variants[0].value: expected a JSON string"),
        new Case("PUT", "/v1/flags/prod/f", "[]", "request body: expected a JSON object, got an array"));
    for (Case c : cases) {
      var r = send(c.method(), c.path(), c.body());
      assertThat(r.statusCode()).as(c.body() + " → " + r.body()).isEqualTo(400);
      assertThat(json(r).path("error").asText()).as(c.body()).contains(c.reason());
    }
    // nothing was stored by any of them
    assertThat(json(send("GET", "/v1/config/prod/web", null)).path("revision").asLong()).isZero();
    assertThat(json(send("GET", "/v1/flags/prod", null)).path("flags").size()).isZero();
    // the documented types pass
    assertThat(send("POST", "/v1/config/prod/web", "{\"set\": {\"A\": \"1\"}}").statusCode()).isEqualTo(200);
    assertThat(send("PUT", "/v1/flags/prod/f", "{\"on\": true, \"percent\": 30}").statusCode()).isEqualTo(200);
  }

  @Test
  void badConfigRequestsAre4xxWithAReasonAndChangeNothing() throws IOException {
    assertStatus(send("GET", "/v1/config/staging/web", null), 404, "unknown environment");
    assertStatus(send("GET", "/v1/config/prod/db", null), 404, "unknown role");
    assertStatus(send("POST", "/v1/config/prod/web", "{\"set\": {\"lower\": \"x\"}}"), 400, "lower");
    assertStatus(send("POST", "/v1/config/prod/web", "{\"set\": {\"DB_PASSWORD\": \"x\"}}"), 400, "secret");
    assertStatus(send("POST", "/v1/config/prod/web", "{\"set\": {\"BIG\": \"" + "x".repeat(70_000) + "\"}}"), 400, "BIG");
    assertStatus(send("POST", "/v1/config/prod/web", "not json"), 400, "not valid");
    assertStatus(send("GET", "/v1/config/prod/web/NOPE", null), 404, "NOPE");
    assertStatus(send("GET", "/v1/config/prod/web/diff?from=0&to=9", null), 404, "no config revision 9");
    assertThat(controller.releases("web")).hasSize(1);
  }

  @Test
  void aSecretIsSetFromTheBodyListedWithoutItsValueAndNeverEchoed() throws IOException {
    var put = send("PUT", "/v1/secrets/prod/web/db-password", SECRET);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    assertThat(json(put).path("message").asText()).contains("web:v2");
    settle("web:v2");
    for (NodeInfo n : running()) {
      assertThat(fake.secretFile(n.ref(), "db-password")).hasValueSatisfying(
          v -> assertThat(new String(v, StandardCharsets.UTF_8)).isEqualTo(SECRET));
    }
    var list = send("GET", "/v1/secrets/prod/web", null);
    assertThat(json(list).path("secrets").get(0).path("name").asText()).isEqualTo("db-password");
    assertThat(json(list).path("secrets").get(0).path("revision").asLong()).isEqualTo(1);

    assertStatus(send("PUT", "/v1/secrets/prod/web/a..b", "x1234"), 400, "..");
    assertStatus(send("PUT", "/v1/secrets/prod/web/a%2Fb", "x1234"), 400, "");
    assertStatus(send("PUT", "/v1/secrets/prod/web/herd-node-token", "x1234"), 400, "reserves");
    assertStatus(send("PUT", "/v1/secrets/prod/web/big", "x".repeat(70_000)), 400, "64 KiB");
    assertStatus(send("PUT", "/v1/secrets/prod/nope/key", "x1234"), 404, "unknown role");
    // the state dir holds it encrypted only (node files carry config, the secret is on the engine's tmpfs)
    try (var files = Files.walk(state)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        assertThat(Files.readString(p, StandardCharsets.ISO_8859_1)).as(p.toString()).doesNotContain(SECRET);
      }
    }
    // a config value that is a stored secret is refused (it would be plain text in herd.db and the node files)
    assertStatus(send("POST", "/v1/config/prod/web", "{\"set\": {\"OOPS\": \"" + SECRET + "\"}}"), 400,
        "herd secret set prod/web/OOPS");
    assertThat(send("GET", "/v1/config/prod/web", null).body()).doesNotContain("OOPS");
    send("GET", "/v1/status", null);
    send("GET", "/v1/events", null);

    assertThat(bodies).noneMatch(b -> b.contains(SECRET));
    assertThat(logs.list).noneMatch(e -> e.getFormattedMessage().contains(SECRET));
  }

  @Test
  void flagsAreSetEvaluatedWithAReasonKilledAndReachNodeFilesWithoutARelease() throws IOException {
    var put = send("PUT", "/v1/flags/prod/new-ui", "{\"on\": true, \"percent\": 30}");
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    var eval = json(send("GET", "/v1/flags/prod/new-ui?key=user-42", null));
    assertThat(eval.path("reason").asText()).startsWith("percentage 30%, bucket ");
    assertThat(json(send("GET", "/v1/flags/prod", null)).path("flags").get(0).path("rollout").asText()).isEqualTo("30.0%");
    assertThat(send("POST", "/v1/flags/prod/new-ui/kill", "").statusCode()).isEqualTo(200);
    assertThat(json(send("GET", "/v1/flags/prod/new-ui?key=user-42", null)).path("value").asText()).isEqualTo("false");
    for (NodeInfo n : running()) {
      String flags = Files.readString(state.resolve("nodes/web").resolve(n.name()).resolve("flags.json"));
      assertThat(flags).contains("new-ui").contains("kill");
    }
    assertThat(controller.releases("web")).hasSize(1);
    assertStatus(send("GET", "/v1/flags/prod/nope", null), 404, "no flag");
    assertStatus(send("GET", "/v1/flags/qa/new-ui", null), 404, "unknown environment");
    assertStatus(send("PUT", "/v1/flags/prod/new-ui", "{\"percent\": 150}"), 400, "0-100");
  }

  @Test
  void theWatchApiAnswersANodeWithItsOwnTokenOnlyAndWakesOnAFlagChange() throws Exception {
    NodeInfo node = running().get(0);
    String token = new String(fake.specOf(new NodeRef(ServerFixture.PROJECT, node.name())).orElseThrow()
        .secret("herd-node-token"), StandardCharsets.UTF_8);
    assertThat(watch(null, "").statusCode()).isEqualTo(401);
    assertThat(watch("hnt_wrong", "").statusCode()).isEqualTo(401);
    String apiToken = Files.readString(state.resolve("api-token")).strip();
    assertThat(watch(apiToken, "").statusCode()).as("the operator token is not a node token").isEqualTo(401);

    var first = watch(token, "");
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    JsonNode w = json(first);
    assertThat(w.path("config").path("node").asText()).isEqualTo(node.name());
    assertThat(w.path("discovery").path("fleets").path("web").size()).isEqualTo(2);
    String cursor = w.path("cursor").asText();

    var quiet = watch(token, "?since=" + cursor + "&wait=1s");
    assertThat(json(quiet).path("changed").asBoolean()).isFalse();
    Thread.ofVirtual().start(() -> send("PUT", "/v1/flags/prod/beta", "{\"on\": true}"));
    var woke = watch(token, "?since=" + cursor + "&wait=20s");
    assertThat(json(woke).path("changed").asBoolean()).isTrue();
    assertThat(json(woke).path("flags").path("flags").has("beta")).isTrue();
    assertStatus(watch(token, "?since=garbage"), 400, "cursor");
  }

  // ---- helpers -------------------------------------------------------------------------------

  private HttpResponse<String> watch(String token, String query) {
    HttpRequest.Builder b = HttpRequest.newBuilder(server.url().resolve("/v1/watch" + query)).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return send(b.build());
  }

  private String token() {
    try {
      return Files.readString(state.resolve("api-token")).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private HttpResponse<String> send(String method, String path, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(server.url().resolve(path)).header("Authorization", "Bearer " + token())
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return send(b.build());
  }

  private HttpResponse<String> send(HttpRequest req) {
    try {
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      synchronized (bodies) {
        bodies.add(r.body());
      }
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode json(HttpResponse<String> r) throws IOException {
    return JSON.readTree(r.body());
  }

  private static void assertStatus(HttpResponse<String> r, int status, String reason) throws IOException {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    if (!reason.isEmpty()) {
      assertThat(json(r).path("error").asText()).contains(reason);
    }
  }

  private List<NodeInfo> running() {
    return fake.listNodes(ServerFixture.PROJECT).stream().filter(NodeInfo::running).toList();
  }

  private void settle(String release) {
    for (int s = 0; s < 120; s++) {
      var st = controller.status("web");
      if (st.rollout().isEmpty() && st.currentRelease().equals(release) && st.healthy() == 2 && running().size() == 2) {
        return;
      }
      fake.advance(Duration.ofSeconds(1));
      controller.runPending();
    }
    throw new AssertionError("not settled on " + release + ": " + controller.events(0, 1000));
  }
}
