package dev.herd.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herd.server.api.Api;
import dev.herd.server.api.Json;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerApiTest {
  final ObjectMapper json = Json.mapper();
  @TempDir Path dir;
  ServerFixture f;

  @BeforeEach
  void start() {
    f = new ServerFixture(dir);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void applyReadsHerdYamlFromDiskAndStatusShowsHealthyNodes() throws IOException {
    Api.Changes plan = read(f.get("/v1/plan"), 200, Api.Changes.class);
    assertThat(plan.applied()).isFalse();
    assertThat(plan.fleets()).singleElement().satisfies(c -> assertThat(c.kind()).isEqualTo("created"));
    assertThat(f.controller.status()).isEmpty();

    Api.Changes applied = read(f.post("/v1/apply", ""), 200, Api.Changes.class);
    assertThat(applied.applied()).isTrue();
    assertThat(applied.fleets()).singleElement().satisfies(c -> {
      assertThat(c.fleet()).isEqualTo("web");
      assertThat(c.kind()).isEqualTo("created");
      assertThat(c.release()).isEqualTo("web:v1");
    });
    f.settle(3);
    f.clock.advance(Duration.ofSeconds(30));

    Api.Status status = read(f.get("/v1/status"), 200, Api.Status.class);
    assertThat(status.project()).isEqualTo("shop");
    Api.FleetView web = status.fleets().getFirst();
    assertThat(web.name()).isEqualTo("web");
    assertThat(web.count()).isEqualTo(3);
    assertThat(web.healthy()).isEqualTo(3);
    assertThat(web.release()).isEqualTo("web:v1");
    assertThat(web.rollout()).isNull();
    assertThat(web.nodes()).extracting(Api.NodeView::name).containsExactly("web-1", "web-2", "web-3");
    assertThat(web.nodes()).allSatisfy(n -> {
      assertThat(n.state()).isEqualTo("healthy");
      assertThat(n.port()).isBetween(20000, 20999);
      assertThat(n.ageSeconds()).isGreaterThanOrEqualTo(30);
      assertThat(n.release()).isEqualTo("web:v1");
    });
    // No env, config values or digests of secrets leave through status.
    assertThat(f.get("/v1/status").body()).doesNotContain("GREETING").doesNotContain("hello");

    Api.Endpoints endpoints = read(f.get("/v1/fleets/web/endpoints"), 200, Api.Endpoints.class);
    assertThat(endpoints.endpoints()).extracting(Api.Endpoint::address)
        .containsExactlyInAnyOrderElementsOf(web.nodes().stream().map(n -> "127.0.0.1:" + n.port()).toList());

    Api.Changes again = read(f.post("/v1/apply", ""), 200, Api.Changes.class);
    assertThat(again.changed()).isFalse();
  }

  @Test
  void scaleChangesTheFleetAndBadCountsAreRefused() throws IOException {
    f.post("/v1/apply", "");
    f.settle(3);
    Api.Done done = read(f.post("/v1/fleets/web/scale", "{\"count\": 5}"), 200, Api.Done.class);
    assertThat(done.message()).contains("scaled to 5");
    f.settle(5);
    assertThat(read(f.get("/v1/status"), 200, Api.Status.class).fleets().getFirst().nodes()).hasSize(5);

    assertThat(error(f.post("/v1/fleets/web/scale", "{\"count\": -1}"), 400)).contains("count must be between 0 and");
    assertThat(error(f.post("/v1/fleets/web/scale", "{\"count\": 1.5}"), 400)).contains("send JSON like {\"count\": 3}");
    assertThat(error(f.post("/v1/fleets/web/scale", "{\"count\": \"3\"}"), 400)).contains("send JSON like");
    assertThat(error(f.post("/v1/fleets/web/scale", "{}"), 400)).contains("count is missing");
    assertThat(error(f.post("/v1/fleets/web/scale", ""), 400)).contains("body is empty");
    assertThat(error(f.post("/v1/fleets/web/scale", "{\"count\": "), 400)).contains("not valid");
    assertThat(error(f.post("/v1/fleets/db/scale", "{\"count\": 2}"), 404)).contains("no fleet db").contains("web");
    assertThat(f.controller.status("web").count()).isEqualTo(5);
  }

  @Test
  void rollbackReturnsToThePreviousRelease() throws IOException {
    assertThat(error(f.post("/v1/fleets/web/rollback", ""), 404)).contains("no fleet web");
    f.post("/v1/apply", "");
    f.settle(3);
    assertThat(error(f.post("/v1/fleets/web/rollback", ""), 409)).contains("no release before web:v1");

    f.image.set(ServerFixture.V2);
    Api.Changes v2 = read(f.post("/v1/apply", ""), 200, Api.Changes.class);
    assertThat(v2.fleets().getFirst().kind()).isEqualTo("released");
    assertThat(v2.fleets().getFirst().release()).isEqualTo("web:v2");
    f.controller.runPending();
    Api.FleetView rolling = read(f.get("/v1/status"), 200, Api.Status.class).fleets().getFirst();
    assertThat(rolling.rollout()).isNotNull();
    assertThat(rolling.rollout().to()).isEqualTo("web:v2");
    assertThat(rolling.rollout().target()).isEqualTo(3);
    f.settle(3);
    assertThat(f.controller.status("web").nodes()).allMatch(n -> n.release().equals("web:v2"));

    Api.Done done = read(f.post("/v1/fleets/web/rollback", ""), 200, Api.Done.class);
    assertThat(done.message()).contains("rolling back to web:v1");
    f.settle(3);
    assertThat(f.controller.status("web").nodes()).allMatch(n -> n.release().equals("web:v1"));
  }

  @Test
  void rolloutActionsNeedARolloutAndAKnownAction() throws IOException {
    f.post("/v1/apply", "");
    f.settle(3);
    assertThat(error(f.post("/v1/fleets/web/rollout/pause", ""), 409)).contains("no rollout in progress");
    assertThat(error(f.post("/v1/fleets/web/rollout/explode", ""), 400)).contains("unknown rollout action")
        .contains("pause, resume, abort or promote");
    f.image.set(ServerFixture.V2);
    f.post("/v1/apply", "");
    assertThat(read(f.post("/v1/fleets/web/rollout/pause", ""), 200, Api.Done.class).message()).contains("pause");
    assertThat(f.controller.status("web").rollout().orElseThrow().state().name()).isEqualTo("PAUSED");
    assertThat(read(f.post("/v1/fleets/web/rollout/resume", ""), 200, Api.Done.class).fleet()).isEqualTo("web");
  }

  @Test
  void eventsSinceAndAfter() throws IOException {
    f.post("/v1/apply", "");
    f.settle(3);
    Api.Events all = read(f.get("/v1/events"), 200, Api.Events.class);
    assertThat(all.events()).extracting(Api.EventView::kind).contains("fleet_created", "node_created");
    assertThat(all.events().getFirst().reason()).contains("fleet web created");
    long last = all.events().getLast().id();
    assertThat(read(f.get("/v1/events?after=" + last), 200, Api.Events.class).events()).isEmpty();
    assertThat(read(f.get("/v1/events?since=1h"), 200, Api.Events.class).events()).hasSameSizeAs(all.events());
    f.clock.advance(Duration.ofHours(2));
    assertThat(read(f.get("/v1/events?since=1h"), 200, Api.Events.class).events()).isEmpty();
    assertThat(read(f.get("/v1/events?limit=2"), 200, Api.Events.class).events()).hasSize(2);

    assertThat(error(f.get("/v1/events?since=yesterday"), 400)).contains("since: expected a duration like 10m");
    assertThat(error(f.get("/v1/events?after=-3"), 400)).contains("after: expected a whole number");
    assertThat(error(f.get("/v1/events?limit=0"), 400)).contains("limit: must be between 1 and");
  }

  /** The launcher's quick client prints these bodies as they come: the same text the CLI renders from JSON. */
  @Test
  void statusAndEventsAnswerTheCliTextWhenAskedForTextPlain() throws IOException {
    f.post("/v1/apply", "");
    f.settle(3);
    HttpResponse<String> text = f.send(f.request("/v1/status").header("Accept", "text/plain").GET().build());
    assertThat(text.statusCode()).isEqualTo(200);
    assertThat(text.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    Api.Status json = read(f.get("/v1/status"), 200, Api.Status.class);
    // the node ages move with the simulated clock only, so both answers describe the same moment
    assertThat(text.body()).isEqualTo(dev.herd.server.api.ApiText.status(json)).contains("web  web:v1  3/3 healthy", "NODE");

    HttpResponse<String> one = f.send(f.request("/v1/status?fleet=web").header("Accept", "text/plain").GET().build());
    assertThat(one.body()).isEqualTo(text.body());
    assertThat(error(f.get("/v1/status?fleet=db"), 404)).contains("no fleet \"db\" (fleets: web)");

    Api.Events events = read(f.get("/v1/events?since=1h"), 200, Api.Events.class);
    HttpResponse<String> lines = f.send(f.request("/v1/events?since=1h&tz=Asia/Kolkata").header("Accept", "text/plain").GET().build());
    assertThat(lines.body()).isEqualTo(dev.herd.server.api.ApiText.events(events.events(), java.time.ZoneId.of("Asia/Kolkata")));
    assertThat(lines.body().lines()).hasSize(events.events().size()).allMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d  .+"));
    assertThat(error(f.get("/v1/events?tz=Mars/Olympus"), 400)).contains("tz: expected a time zone");
  }

  @Test
  void logsOfAFleetAndOfANode() throws IOException {
    f.post("/v1/apply", "");
    f.settle(3);
    f.fake.emitLog(f.fake.listNodes("shop").getFirst().ref(), "GET / 200");
    f.until(Duration.ofSeconds(10), x -> !x.controller.logs("web", null, null, 10).isEmpty());
    Api.Logs logs = read(f.get("/v1/logs?fleet=web"), 200, Api.Logs.class);
    assertThat(logs.lines()).extracting(Api.LogLine::text).contains("GET / 200");
    String node = logs.lines().getFirst().node();
    assertThat(read(f.get("/v1/logs?node=" + node), 200, Api.Logs.class).lines()).isNotEmpty();

    assertThat(error(f.get("/v1/logs"), 400)).contains("exactly one of node=NAME or fleet=NAME");
    assertThat(error(f.get("/v1/logs?node=web-1&fleet=web"), 400)).contains("exactly one");
    assertThat(error(f.get("/v1/logs?node=web-77"), 404)).contains("no node \"web-77\"").contains("web-1");
    assertThat(error(f.get("/v1/logs?fleet=db"), 404)).contains("no fleet db");
  }

  @Test
  void badInputGetsAReasonAndNeverAStackTrace() throws IOException {
    assertThat(error(f.get("/v1/nothing"), 404)).contains("no such endpoint: GET /v1/nothing");
    assertThat(error(f.get("/v1/fleets/web/endpoints"), 404)).contains("no fleet web");

    ServerFixture.write(f.specFile, "project: {name: shop}\nfleets:\n  web: {role: nope}\n");
    HttpResponse<String> invalid = f.post("/v1/apply", "");
    assertThat(error(invalid, 422)).contains("herd.yaml is invalid").contains("nothing was changed");
    assertThat(json.readTree(invalid.body()).get("details").get(0).asText()).contains("herd.yaml:");
    assertThat(f.controller.status()).isEmpty();

    f.writeSpec(3);
    f.imageFailure.set(new RoleImages.Unavailable("role web has no image yet: run herd bake"));
    assertThat(error(f.post("/v1/apply", ""), 422)).isEqualTo("role web has no image yet: run herd bake");

    f.imageFailure.set(new IllegalStateException("boom in dev.herd.Secret s3cr3t"));
    HttpResponse<String> internal = f.post("/v1/apply", "");
    assertThat(error(internal, 500)).isEqualTo("internal error, see herd's log");
    for (HttpResponse<String> r : java.util.List.of(internal, f.get("/v1/nothing"), f.post("/v1/fleets/web/scale", "{"))) {
      assertThat(r.body()).doesNotContain("Exception").doesNotContain("at dev.").doesNotContain("s3cr3t")
          .doesNotContain("java.");
    }
  }

  @Test
  void downStopsTheControllerThroughTheHost() throws Exception {
    Api.Done done = read(f.post("/v1/down", ""), 200, Api.Done.class);
    assertThat(done.message()).isEqualTo("removed 0 nodes");
    assertThat(f.downs.get()).isEqualTo(1);
    assertThat(f.server.stopRequested().get(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("removed 0 nodes");
    assertThat(error(f.get("/v1/status"), 503)).contains("shutting down");
  }

  @Test
  void aDownThatFailsStillAnswersAndStopsTheServerNeverHalfAlive() throws Exception {
    f.downFailure.set(new IllegalStateException("list nodes of shop: engine unreachable"));

    Api.Done done = read(f.post("/v1/down", ""), 200, Api.Done.class);

    assertThat(done.message()).isEqualTo("controller stopped; removing the nodes failed: list nodes of shop: engine unreachable");
    assertThat(f.server.stopRequested().get(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(done.message());
    assertThat(error(f.get("/v1/status"), 503)).contains("shutting down");
  }

  @Test
  void revokingARunningImageRollsTheFleetToTheNewestOneLeft() throws IOException {
    for (String d : java.util.List.of(ServerFixture.V1, ServerFixture.V2)) {
      f.catalog.register("web", dev.herd.image.oci.Digest.parse(d), 10, new dev.herd.image.catalog.Lineage("sha256:s", "", ""));
    }
    f.image.set(ServerFixture.V2);
    f.post("/v1/apply", "");
    f.settle(3);
    assertThat(error(f.post("/v1/images/revoke", "{\"image\": \"web:2\"}"), 400)).contains("image and reason are required");
    assertThat(error(f.post("/v1/images/revoke", "{\"image\": \"web:9\", \"reason\": \"x\"}"), 409)).contains("web");

    Api.Revoked revoked = read(f.post("/v1/images/revoke", "{\"image\": \"web:2\", \"reason\": \"CVE-2026-1\"}"), 200,
        Api.Revoked.class);

    assertThat(revoked.fleets()).singleElement().satisfies(x -> {
      assertThat(x.fleet()).isEqualTo("web");
      assertThat(x.replacement()).isEqualTo("web:1");
    });
    f.until(Duration.ofSeconds(120), x -> x.controller.status("web").currentRelease().equals("web:v2")
        && x.controller.status("web").rollout().isEmpty());
    f.settle(3);
    assertThat(f.controller.releases("web")).filteredOn(r -> r.id().equals("web:v2"))
        .singleElement().satisfies(r -> assertThat(r.image()).isEqualTo(ServerFixture.V1));
    assertThat(error(f.post("/v1/images/revoke", "{\"image\": \"web:2\", \"reason\": \"again\"}"), 409))
        .contains("already revoked");
  }

  @Test
  void theFleetViewSaysHowFarItsOldestImageIsBehindAndTheScoreCountsIt() throws IOException {
    f.catalog.register("web", dev.herd.image.oci.Digest.parse(ServerFixture.V1), 10, new dev.herd.image.catalog.Lineage("sha256:s", "", "base-1"));
    f.image.set(ServerFixture.V1);
    f.post("/v1/apply", "");
    f.settle(3);
    f.catalog.register("web", dev.herd.image.oci.Digest.parse(ServerFixture.V2), 10, new dev.herd.image.catalog.Lineage("sha256:s", "", "base-2"));

    Api.Status status = read(f.get("/v1/status"), 200, Api.Status.class);

    Api.ConsistencyView c = status.fleets().getFirst().consistency();
    assertThat(c).isNotNull();
    assertThat(c.oldestImage()).isEqualTo("web:1");
    assertThat(c.latestImage()).isEqualTo("web:2");
    assertThat(c.versionsBehind()).isEqualTo(1);
    assertThat(c.baseAgeDays()).isNotNull();
    assertThat(status.immutability().get("web")).contains("oldest image web:1 is 1 version behind web:2 (-5)");
  }

  <T> T read(HttpResponse<String> r, int status, Class<T> type) throws IOException {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return json.readValue(r.body(), type);
  }

  String error(HttpResponse<String> r, int status) throws IOException {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    JsonNode body = json.readTree(r.body());
    return body.get("error").asText();
  }

  @Test
  void aCommandBackupRestoresInPlaceAndSaysNothingRestarts() throws IOException {
    ServerFixture.write(f.specFile, ServerFixture.spec(1)
        .replace("strategy: rolling", "strategy: recreate").replaceAll("(?m)^ *max_(surge|unavailable): .*\n", "")
        + """
                volumes:
                  data: {path: /data}
                backup: {command: [dump], restore: [load]}
            """);
    f.fake.program("dump", (volumes, out) -> {
      out.write("dumped\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return 0;
    });
    java.util.List<String> fed = new java.util.concurrent.CopyOnWriteArrayList<>();
    f.fake.programArgv("/bin/sh", (argv, scratch, volumes, out) -> {
      if (argv.size() > 4) {
        fed.add(new String(scratch.remove(argv.get(4)).content(), java.nio.charset.StandardCharsets.UTF_8));
      }
      return 0;
    });
    read(f.post("/v1/apply", ""), 200, Api.Changes.class);
    f.settle(1);
    Api.Backup b = read(f.post("/v1/fleets/web/backups", "{}"), 200, Api.Backup.class);

    Api.Restoring r = read(f.post("/v1/fleets/web/restore", "{\"backup\": \"" + b.id() + "\"}"), 200, Api.Restoring.class);
    assertThat(r.restarting()).as("herd restore must not wait for a new generation").isFalse();
    assertThat(r.message()).contains("backup.restore");
    assertThat(fed).containsExactly("dumped\n");
  }
}
