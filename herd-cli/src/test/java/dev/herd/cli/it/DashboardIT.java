package dev.herd.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herd.engine.docker.Ping;
import dev.herd.engine.docker.PodmanService;
import dev.herd.server.api.Api;
import dev.herd.server.client.ApiClient;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real browser: Debian's chromium, headless, driven by Selenium through
 * Debian's chromium-driver, against {@code herd up} of the hello-web example on real Podman
 * (baked once for the class). An operator's path: log in through the URL {@code herd dashboard}
 * prints, see the fleet, {@code podman kill} a node and watch its replacement arrive without a
 * reload, press pause on a running rollout and find it paused through the API.
 *
 * <p>Ports are this test's own (26000-26199): the API on 26000, chromedriver on 26001, the nodes
 * on 26100-26199 and the front door on 26080; the browser talks to 127.0.0.1 only. With
 * {@code -Dherd.screenshots=DIR} the main pages are saved there as PNG (docs/dashboard/).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardIT {
  private static final Path EXAMPLE = Path.of("..", "examples", "hello-web").toAbsolutePath().normalize();
  private static final int API_PORT = 26000;
  private static final int DRIVER_PORT = 26001;
  private static final int COUNT = 3;

  @TempDir static Path tmp;
  private final String project = "dashit" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
  private final Path screenshots = Path.of(System.getProperty("herd.screenshots", "target/dashboard-screenshots"))
      .toAbsolutePath().normalize();
  private Path dir;
  private PodmanService engine;
  private HerdProcess herd;
  private ChromeDriverService driverService;
  private ChromeDriver browser;

  @BeforeAll
  void upOnTheExampleAndOpenABrowser() throws IOException {
    dir = tmp.resolve("hello-web");
    copy(EXAMPLE, dir);
    edit(dir.resolve("herd.yaml"), Map.of(
        "  name: hello-web\n", "  name: " + project + "\n",
        "ports: 18080-18179", "ports: 26100-26199",
        "    expose: {port: 8080}", "    expose: {port: 26080}",
        "interval: 5s\n      timeout: 2s\n      start_grace: 10s", "interval: 1s\n      timeout: 800ms\n      start_grace: 3s",
        // a rollout slow enough to press pause on: each new node must stay healthy 20s
        "max_unavailable: 0\n", "max_unavailable: 0\n      min_healthy_time: 20s\n      progress_deadline: 120s\n"));
    engine = PodmanService.start("podman", tmp.resolve("engine"), Duration.ofSeconds(30), Ping.HTTP);
    herd = HerdProcess.up(dir, Map.of("DOCKER_HOST", engine.endpoint().uri().toString()), tmp.resolve("herd-up.log"),
        List.of("--port", Integer.toString(API_PORT)));
    await("herd up serving its API").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
        .ignoreExceptionsMatching(e -> e instanceof ApiClient.NoController || e.getMessage() != null
            && e.getMessage().contains("has not written its api.json"))
        .until(() -> herd.api(Duration.ofSeconds(5)).get("/healthz", Api.Done.class).message().equals("ok"));
    awaitSettled(Duration.ofMinutes(5));

    driverService = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
        .usingPort(DRIVER_PORT).build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    // headless, as root in a container; and no traffic of the browser's own (updates, sync, metrics)
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--window-size=1280,860", "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-domain-reliability",
        "--disable-client-side-phishing-detection", "--metrics-recording-only", "--no-pings",
        "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication");
    browser = new ChromeDriver(driverService, options);
    browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
  }

  @AfterAll
  void removeEverything() throws InterruptedException {
    try {
      if (browser != null) {
        browser.quit();
      }
      if (driverService != null) {
        driverService.stop();
      }
    } finally {
      try {
        if (herd != null) {
          if (herd.alive()) {
            try {
              herd.api(Duration.ofSeconds(60)).post("/v1/down", null, Api.Done.class);
              herd.waitFor(Duration.ofSeconds(30));
            } catch (RuntimeException e) {
              System.out.println("herd down failed during cleanup: " + e);
            }
          }
          System.out.println("last lines of herd up:\n" + herd.logTail());
          herd.close();
        }
      } finally {
        try {
          Podman.removeAll(project);
        } finally {
          if (engine != null) {
            engine.close();
          }
        }
      }
    }
  }

  @Test
  @Order(1)
  void withoutTheCookieThereIsNoData() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    for (String path : List.of("/ui/", "/ui/fleets/web", "/ui/events", "/ui/rollouts", "/ui/images")) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + API_PORT + path)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(path).isEqualTo(401);
      assertThat(r.body()).as(path).contains("Login needed").doesNotContain(project).doesNotContain("web-1");
    }
  }

  @Test
  @Order(2)
  void logInThroughThePrintedUrlAndSeeTheFleet() throws IOException {
    HerdProcess.Run printed = HerdProcess.run(Duration.ofMinutes(2), "dashboard", "-f", dir.resolve("herd.yaml").toString());
    assertThat(printed.exitCode()).as(printed.output()).isZero();
    String url = printed.output().lines().filter(l -> l.startsWith("http://")).findFirst().orElseThrow();
    assertThat(url).startsWith("http://127.0.0.1:" + API_PORT + "/ui/login?code=");

    browser.get(url);
    assertThat(browser.getCurrentUrl()).isEqualTo("http://127.0.0.1:" + API_PORT + "/ui/");
    WebElement web = await("the fleet row").atMost(Duration.ofSeconds(30))
        .until(() -> browser.findElements(By.cssSelector("table.fleets tr.fleet")), rows -> !rows.isEmpty()).getFirst();
    assertThat(web.getText()).contains("web", "web:v1", COUNT + "/" + COUNT + " healthy", "http://127.0.0.1:26080");
    assertThat(browser.manage().getCookieNamed("herd_ui")).satisfies(c -> {
      assertThat(c.isHttpOnly()).isTrue();
      assertThat(c.getSameSite()).isEqualTo("Strict");
    });
    // the code is spent: the same URL again gets the login-needed page
    HttpResponse<String> again = send(url);
    assertThat(again.statusCode()).isEqualTo(401);

    // requests through the front door show as the fleet's request rate (HAProxy's counters)
    await("the fleet's request rate").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).until(() -> {
      for (int i = 0; i < 20; i++) {
        assertThat(send("http://127.0.0.1:26080/").statusCode()).isEqualTo(200);
      }
      browser.navigate().refresh();
      return browser.findElements(By.cssSelector("table.fleets tr.fleet td[data-label='requests/s']")).stream()
          .anyMatch(td -> td.getText().matches("[0-9]+\\.[0-9]"));
    });
    screenshot("fleets");
  }

  @Test
  @Order(3)
  void aKilledNodesReplacementAppearsLiveInTheEventStreamAndTheNodeTable() throws IOException {
    Api.NodeView before = node("web-2");
    browser.get("http://127.0.0.1:" + API_PORT + "/ui/events");
    JavascriptExecutor js = browser;
    // a page that reloads loses this mark: the row must arrive through the stream
    js.executeScript("window.herdMark = 'no reload';");
    await("htmx loaded").atMost(Duration.ofSeconds(30)).until(() -> Boolean.TRUE.equals(js.executeScript(
        "return typeof htmx !== 'undefined';")));

    Instant killed = Instant.now();
    Podman.kill(project + "-web-2-g" + before.generation());
    await("web-2's replacement in the event stream").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
        .until(() -> browser.findElements(By.cssSelector("tr.event")).stream()
            .anyMatch(r -> r.getText().contains("web-2") && r.getText().contains("node_replaced")));
    Instant seen = Instant.now();
    assertThat(js.executeScript("return window.herdMark;")).isEqualTo("no reload");
    Api.EventView replaced = events().stream().filter(e -> e.kind().equals("node_replaced") && e.node().equals("web-2"))
        .reduce((a, b) -> b).orElseThrow();
    System.out.printf("dashboard: web-2's replacement shown %d ms after podman kill, %d ms after the controller's event%n",
        Duration.between(killed, seen).toMillis(), Math.max(0, Duration.between(replaced.time(), seen).toMillis()));
    screenshot("events");

    browser.get("http://127.0.0.1:" + API_PORT + "/ui/fleets/web");
    js.executeScript("window.herdMark = 'no reload';");
    await("web-2 generation " + (before.generation() + 1) + " healthy in the node table").atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> browser.findElements(By.cssSelector("tr.node[data-node='web-2'][data-generation='"
            + (before.generation() + 1) + "'] .state.healthy")).size() == 1);
    assertThat(js.executeScript("return window.herdMark;")).isEqualTo("no reload");
    assertThat(browser.findElement(By.cssSelector("tr.node[data-node='web-1']")).getText()).contains("ok").contains("HTTP 200");
    screenshot("nodes");
  }

  @Test
  @Order(4)
  void imagesShowVersionsLineageAndPackages() throws IOException {
    browser.get("http://127.0.0.1:" + API_PORT + "/ui/images");
    assertThat(browser.findElement(By.cssSelector("table.images")).getText()).contains("web:1");
    screenshot("images");
    browser.findElement(By.linkText("web:1")).click();
    String page = browser.findElement(By.tagName("main")).getText();
    assertThat(page).contains("spec digest", "sha256:").contains("busybox-static");
    screenshot("image");
    // and the logs of the node that was killed, kept after it is gone
    browser.get("http://127.0.0.1:" + API_PORT + "/ui/fleets/web/nodes/web-2/logs?since=all");
    assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Logs of web-2");
  }

  @Test
  @Order(5)
  void pausingARunningRolloutFromTheBrowserPausesItInTheController() throws IOException {
    ApiClient api = herd.api(Duration.ofMinutes(2));
    api.post("/v1/config/dev/web", Map.of("set", Map.of("GREETING", "hello from the dashboard test")), Map.class);
    await("a rollout running").atMost(Duration.ofSeconds(60))
        .until(() -> fleet().rollout() != null && fleet().rollout().state().equals("running"));

    browser.get("http://127.0.0.1:" + API_PORT + "/ui/rollouts");
    press("section.rollout[data-fleet='web'] button.pause");
    await("paused through the API").atMost(Duration.ofSeconds(30))
        .until(() -> fleet().rollout() != null && fleet().rollout().state().equals("paused"));
    assertThat(browser.getCurrentUrl()).endsWith("/ui/rollouts#web");
    await("the page says paused").atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(StaleElementReferenceException.class)
        .until(() -> browser.findElement(By.cssSelector("section.rollout[data-fleet='web'] p.state")).getDomAttribute("data-state"),
            "paused"::equals);
    screenshot("rollout");

    press("section.rollout[data-fleet='web'] button.resume");
    await("running again").atMost(Duration.ofSeconds(30))
        .until(() -> fleet().rollout() == null || fleet().rollout().state().equals("running"));

    browser.get("http://127.0.0.1:" + API_PORT + "/ui/config/dev/web?from=0&to=1");
    assertThat(browser.findElement(By.cssSelector("table.diff")).getText()).contains("GREETING", "hello from the dashboard test");
    assertThat(browser.findElement(By.cssSelector("table.history")).getText()).contains("GREETING");
    screenshot("config");

    // a phone's width: the same pages, rows stacked
    browser.manage().window().setSize(new Dimension(390, 844));
    browser.get("http://127.0.0.1:" + API_PORT + "/ui/fleets/web");
    screenshot("nodes-phone");
    browser.manage().window().setSize(new Dimension(1280, 860));
  }

  // ---- helpers -------------------------------------------------------------------------------

  /**
   * Clicks an enabled button; the live tables are re-fetched whenever an event arrives, so a
   * button found a moment ago may have been replaced by its fresh copy: then find it again.
   */
  private void press(String css) {
    await("pressed " + css).atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(StaleElementReferenceException.class)
        .until(() -> {
          WebElement b = browser.findElement(By.cssSelector(css));
          if (!b.isEnabled()) {
            return false;
          }
          b.click();
          return true;
        });
  }

  private void screenshot(String name) throws IOException {
    Files.createDirectories(screenshots);
    Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(shot, screenshots.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  private static HttpResponse<String> send(String url) {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(url + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private Api.FleetView fleet() {
    return herd.api(Duration.ofSeconds(10)).get("/v1/status", Api.Status.class).fleets().stream()
        .filter(f -> f.name().equals("web")).findFirst().orElseThrow(() -> new AssertionError("no fleet web"));
  }

  private Api.NodeView node(String name) {
    return fleet().nodes().stream().filter(n -> n.name().equals(name)).reduce((a, b) -> a.generation() > b.generation() ? a : b)
        .orElseThrow();
  }

  private List<Api.EventView> events() {
    return herd.api(Duration.ofSeconds(10)).get("/v1/events?after=0&limit=10000", Api.Events.class).events();
  }

  private void awaitSettled(Duration atMost) {
    await("fleet settled").atMost(atMost).pollInterval(Duration.ofMillis(500))
        .ignoreExceptionsMatching(e -> e instanceof ApiClient.NoController || e instanceof AssertionError)
        .until(() -> {
          Api.FleetView f = fleet();
          return f.rollout() == null && f.nodes().size() == COUNT && f.nodes().stream().allMatch(n -> n.state().equals("healthy") && n.inService());
        });
  }

  /** Replaces each key with its value; each key must occur, so a changed example fails loudly here. */
  private static void edit(Path file, Map<String, String> replacements) throws IOException {
    String text = Files.readString(file);
    for (Map.Entry<String, String> r : replacements.entrySet()) {
      if (!text.contains(r.getKey())) {
        throw new IllegalStateException(file + " no longer contains " + r.getKey().strip() + "; update DashboardIT");
      }
      text = text.replace(r.getKey(), r.getValue());
    }
    Files.writeString(file, text);
  }

  private static void copy(Path from, Path to) throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.walk(from)) {
      s.filter(p -> !from.relativize(p).startsWith(".herd") && !p.getFileName().toString().endsWith(".lock")).forEach(files::add);
    }
    for (Path p : files) {
      Path target = to.resolve(from.relativize(p).toString());
      if (Files.isDirectory(p)) {
        Files.createDirectories(target);
      } else {
        Files.copy(p, target);
      }
    }
  }
}
