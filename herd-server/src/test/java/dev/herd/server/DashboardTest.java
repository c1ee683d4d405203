package dev.herd.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.control.RolloutStatus;
import dev.herd.server.ui.UiAuth;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard over real HTTP: login by one-time code, no data without the session, CSRF on actions, escaping. */
class DashboardTest {
  /** Every page, fragment and stream that carries project data. */
  static final List<String> DATA_PATHS = List.of("/ui", "/ui/", "/ui/fragments/fleets", "/ui/fleets/web", "/ui/fleets/web/nodes",
      "/ui/fleets/web/nodes/web-1/logs", "/ui/rollouts", "/ui/fragments/rollouts", "/ui/events", "/ui/images",
      "/ui/images/web/1", "/ui/config", "/ui/config/prod/web", "/ui/drift", "/ui/no-such-page");

  @TempDir Path dir;
  ServerFixture f;
  UiBrowser browser;

  @BeforeEach
  void start() {
    f = new ServerFixture(dir);
    f.post("/v1/apply", "");
    f.settle(3);
    browser = new UiBrowser(f.server.url());
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void withoutTheSessionCookieNoPageFragmentOrStreamCarriesData() {
    for (String cookie : new String[] {null, "herd_ui=" + "A".repeat(43), "herd_ui="}) {
      browser.cookie = cookie;
      for (String path : DATA_PATHS) {
        HttpResponse<String> r = browser.get(path);
        assertThat(r.statusCode()).as("%s with cookie %s", path, cookie).isEqualTo(401);
        assertThat(r.body()).as(path).contains("Login needed").doesNotContain("web-1").doesNotContain("web:v1")
            .doesNotContain(ServerFixture.PROJECT);
      }
      HttpResponse<String> stream = browser.send(HttpRequest.newBuilder(f.url("/ui/events/stream?after=0"))
          .header("Accept", "text/event-stream").header("Cookie", cookie == null ? "x=y" : cookie).GET().build());
      assertThat(stream.statusCode()).isEqualTo(401);
      assertThat(stream.body()).doesNotContain("fleet_created");
    }
    // the bearer token is no way in either: the dashboard only knows its own session
    HttpResponse<String> bearer = f.get("/ui/");
    assertThat(bearer.statusCode()).isEqualTo(401);
    assertThat(bearer.body()).doesNotContain("web-1");
  }

  @Test
  void aLoginUrlWorksOnceBecomesAStrictHttpOnlyCookieAndLeavesTheUrl() {
    HttpResponse<String> noToken = f.send(HttpRequest.newBuilder(f.url("/v1/ui/login"))
        .POST(HttpRequest.BodyPublishers.noBody()).build());
    assertThat(noToken.statusCode()).isEqualTo(401);

    String url = browser.logIn(f.stateDir);
    assertThat(url).startsWith(f.server.url() + "/ui/login?code=");
    HttpResponse<String> page = browser.get("/ui/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains(">web<", "web:v1", "3/3 healthy");

    // the same URL again: refused, and no new cookie
    HttpResponse<String> again = browser.send(HttpRequest.newBuilder(java.net.URI.create(url)).GET().build());
    assertThat(again.statusCode()).isEqualTo(401);
    assertThat(again.headers().firstValue("Set-Cookie")).isEmpty();

    UiBrowser other = new UiBrowser(f.server.url());
    other.logIn(f.stateDir);
    HttpResponse<String> exchanged = freshExchange();
    assertThat(exchanged.statusCode()).isEqualTo(303);
    assertThat(exchanged.headers().firstValue("Location")).hasValue("/ui/");
    String cookie = exchanged.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie).startsWith("herd_ui=").containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Strict")
        .contains("Path=/ui");
    assertThat(exchanged.headers().firstValue("Cache-Control")).hasValue("no-store");
  }

  @Test
  void aCodeStopsWorkingAfterItsTtl() {
    String url = mint();
    f.clock.advance(UiAuth.CODE_TTL.plusSeconds(1));
    HttpResponse<String> late = browser.send(HttpRequest.newBuilder(java.net.URI.create(url)).GET().build());
    assertThat(late.statusCode()).isEqualTo(401);
    assertThat(late.headers().firstValue("Set-Cookie")).isEmpty();
    String wrong = url.substring(0, url.length() - 4) + "AAAA";
    assertThat(browser.send(HttpRequest.newBuilder(java.net.URI.create(wrong)).GET().build()).statusCode()).isEqualTo(401);
  }

  @Test
  void anActionWithoutTheRightCsrfTokenIsRefusedAndChangesNothing() {
    browser.logIn(f.stateDir);
    f.image.set(ServerFixture.V2);
    f.post("/v1/apply", "");
    assertThat(rolloutState()).isEqualTo(RolloutStatus.State.RUNNING);

    assertThat(browser.post("/ui/fleets/web/rollout/pause", null).statusCode()).isEqualTo(403);
    HttpResponse<String> wrong = browser.post("/ui/fleets/web/rollout/pause", "A".repeat(43));
    assertThat(wrong.statusCode()).isEqualTo(403);
    assertThat(wrong.body()).contains("CSRF");
    UiBrowser other = new UiBrowser(f.server.url());
    other.logIn(f.stateDir);
    assertThat(browser.post("/ui/fleets/web/rollout/pause", other.csrf).statusCode()).as("another session's token")
        .isEqualTo(403);
    HttpResponse<String> crossSite = browser.send(HttpRequest.newBuilder(f.url("/ui/fleets/web/rollout/pause"))
        .header("Cookie", browser.cookie).header("Origin", "http://evil.example")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("csrf=" + browser.csrf)).build());
    assertThat(crossSite.statusCode()).isEqualTo(403);
    assertThat(rolloutState()).isEqualTo(RolloutStatus.State.RUNNING);
    browser.cookie = null;
    assertThat(browser.post("/ui/fleets/web/rollout/pause", "x").statusCode()).isEqualTo(401);
    assertThat(rolloutState()).isEqualTo(RolloutStatus.State.RUNNING);
  }

  @Test
  void pauseAndResumeGoThroughTheControllerAndARefusalSaysWhy() {
    browser.logIn(f.stateDir);
    f.image.set(ServerFixture.V2);
    f.post("/v1/apply", "");
    HttpResponse<String> paused = browser.post("/ui/fleets/web/rollout/pause", browser.csrf);
    assertThat(paused.statusCode()).isEqualTo(303);
    assertThat(paused.headers().firstValue("Location")).hasValue("/ui/rollouts#web");
    assertThat(rolloutState()).isEqualTo(RolloutStatus.State.PAUSED);
    assertThat(browser.get("/ui/rollouts").body()).contains("data-state=\"paused\"");

    HttpResponse<String> promote = browser.post("/ui/fleets/web/rollout/promote", browser.csrf);
    assertThat(promote.statusCode()).isEqualTo(409);
    assertThat(promote.body()).contains("promote refused").contains("only canary rollouts");
    assertThat(browser.post("/ui/fleets/web/rollout/explode", browser.csrf).statusCode()).isEqualTo(404);

    assertThat(browser.post("/ui/fleets/web/rollout/resume", browser.csrf).statusCode()).isEqualTo(303);
    assertThat(rolloutState()).isEqualTo(RolloutStatus.State.RUNNING);
  }

  @Test
  void markupInEventTextIsEscapedOnThePageAndInTheStream() throws Exception {
    browser.logIn(f.stateDir);
    String evil = "<script>alert('x')</script><img src=x onerror=alert(1)>";
    long before = f.controller.events(0, 10_000).getLast().id();
    f.controller.rebakeEvent("web", evil);

    String page = browser.get("/ui/events").body();
    assertThat(page).doesNotContain("<script>alert").doesNotContain("<img src=x")
        .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;");

    String streamed = firstStreamedRow(before);
    assertThat(streamed).doesNotContain("<script>").contains("&lt;script&gt;");
  }

  @Test
  void assetsAreTheWebJarsAndCarryNoData() {
    HttpResponse<String> htmx = browser.get("/ui/assets/htmx.min.js");
    assertThat(htmx.statusCode()).isEqualTo(200);
    assertThat(htmx.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/javascript");
    assertThat(htmx.body()).contains("htmx");
    assertThat(browser.get("/ui/assets/sse.js").body()).contains("sse");
    assertThat(browser.get("/ui/assets/herd.css").statusCode()).isEqualTo(200);
    assertThat(browser.get("/ui/assets/..%2Fherd.db").statusCode()).isEqualTo(404);
    assertThat(browser.get("/ui/assets/api-token").statusCode()).isEqualTo(404);
  }

  @Test
  void pagesRenderForALoggedInBrowser() {
    browser.logIn(f.stateDir);
    for (String path : List.of("/ui/", "/ui/fleets/web", "/ui/rollouts", "/ui/events", "/ui/images", "/ui/drift")) {
      HttpResponse<String> r = browser.get(path);
      assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("default-src 'self'");
    }
    assertThat(browser.get("/ui/fleets/web").body()).contains("data-node=\"web-1\"", "web:v1", "last probe");
    assertThat(browser.get("/ui/fleets/nope").statusCode()).isEqualTo(404);
    assertThat(browser.get("/ui/fleets/web/nodes/web-1/logs?since=forever").statusCode()).isEqualTo(400);
  }

  @Test
  void aNodesLogsStayReadableAfterItIsGone() {
    browser.logIn(f.stateDir);
    var web3 = f.fake.listNodes(ServerFixture.PROJECT).stream().filter(n -> n.ref().node().startsWith("web-3")).findFirst()
        .orElseThrow().ref();
    f.fake.emitLog(web3, "GET /<b>hello</b> 200");
    f.until(Duration.ofSeconds(10), x -> !x.controller.logs("web", "web-3", null, 10).isEmpty());
    f.post("/v1/fleets/web/scale", "{\"count\": 2}");
    f.settle(2);
    assertThat(f.controller.status("web").nodes()).noneMatch(n -> n.name().equals("web-3"));

    HttpResponse<String> logs = browser.get("/ui/fleets/web/nodes/web-3/logs?since=all");
    assertThat(logs.statusCode()).isEqualTo(200);
    assertThat(logs.body()).contains("this node is gone").contains("GET /&lt;b&gt;hello&lt;/b&gt; 200");
    assertThat(browser.get("/ui/fleets/web/nodes/web-9/logs").statusCode()).isEqualTo(404);
  }

  // ---- helpers -------------------------------------------------------------------------------

  private RolloutStatus.State rolloutState() {
    return f.controller.status("web").rollout().orElseThrow().state();
  }

  private String mint() {
    HttpResponse<String> minted = f.post("/v1/ui/login", "");
    assertThat(minted.statusCode()).isEqualTo(200);
    String body = minted.body();
    int at = body.indexOf("http://");
    return body.substring(at, body.indexOf('"', at));
  }

  private HttpResponse<String> freshExchange() {
    return browser.send(HttpRequest.newBuilder(java.net.URI.create(mint())).GET().build());
  }

  /** The first data line of the dashboard's event stream after {@code after}. */
  private String firstStreamedRow(long after) throws Exception {
    HttpResponse<InputStream> r = browser.http.send(HttpRequest.newBuilder(f.url("/ui/events/stream?after=" + after))
        .header("Accept", "text/event-stream").header("Cookie", browser.cookie).GET().build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
        try {
          String l;
          while ((l = in.readLine()) != null) {
            if (l.startsWith("data:")) {
              return l;
            }
          }
          return "";
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      return line.get(Duration.ofSeconds(30).toSeconds(), TimeUnit.SECONDS);
    }
  }
}
