package dev.herd.server.ui;

import dev.herd.config.ConfigDiff;
import dev.herd.config.ConfigException;
import dev.herd.config.HerdConfig;
import dev.herd.config.Redactor;
import dev.herd.control.Controller;
import dev.herd.control.ControllerEvent;
import dev.herd.control.FleetStatus;
import dev.herd.control.NodeLogLine;
import dev.herd.control.NodeStatus;
import dev.herd.control.drift.DriftFinding;
import dev.herd.control.config.ConfigDelivery;
import dev.herd.image.SbomSummary;
import dev.herd.image.catalog.Catalog;
import dev.herd.image.catalog.CatalogImage;
import dev.herd.image.catalog.ImageRef;
import dev.herd.image.oci.ImageException;
import dev.herd.server.ApiError;
import dev.herd.server.SpecApplier;
import dev.herd.spec.Fleet;
import dev.herd.spec.Spec;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import io.javalin.http.sse.SseClient;
import io.javalin.router.JavalinDefaultRouting;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The web dashboard at {@code /ui} (docs/dashboard.md): server-rendered pages over the same
 * controller façade the API uses, a login by one-time code, a session cookie, and a CSRF token
 * on every action.
 *
 * <p>Only three things are served without a session: {@code /ui/login} (which exchanges a code),
 * the login-needed page, and the static assets (the htmx WebJar and the style sheet, which carry
 * no project data). Everything else answers 401 with the login-needed page.
 */
public final class Dashboard {
  private static final Logger log = LoggerFactory.getLogger(Dashboard.class);
  public static final String COOKIE = "herd_ui";
  static final String CSRF_FIELD = "csrf";
  static final String CSRF_HEADER = "X-Herd-CSRF";
  private static final String SESSION = "herd.ui.session";
  private static final int EVENT_ROWS = 200;
  private static final int LOG_LINES = 2000;
  /** A stream client this far behind is cut off, as the API's streams do. */
  private static final int MAX_BACKLOG = 10_000;
  /** The only files under /ui/assets/: name → classpath resource and content type. */
  private static final Map<String, String[]> ASSETS = Map.of(
      "htmx.min.js", new String[] {"META-INF/resources/webjars/htmx.org/" + Versions.HTMX + "/dist/htmx.min.js",
          "text/javascript; charset=utf-8"},
      "sse.js", new String[] {"META-INF/resources/webjars/htmx-ext-sse/" + Versions.HTMX_SSE + "/sse.js",
          "text/javascript; charset=utf-8"},
      "herd.css", new String[] {"dev/herd/server/ui/herd.css", "text/css; charset=utf-8"});
  /** default-src 'self': no inline script or style, no other origin; the pages need nothing else. */
  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

  /** How busy an exposed fleet's front door is; empty while nothing measures it. */
  @FunctionalInterface
  public interface RequestRates {
    RequestRates NONE = fleet -> OptionalDouble.empty();

    OptionalDouble perSecond(String fleet);
  }

  private final String project;
  private final Controller controller;
  private final SpecApplier applier;
  private final ConfigDelivery delivery;
  private final Clock clock;
  private final Redactor redactor;
  private final UiAuth auth;
  private volatile LastProbes probes;
  private volatile RequestRates rates;
  private volatile URI base;
  private final java.util.concurrent.atomic.AtomicLong lastEvent = new java.util.concurrent.atomic.AtomicLong();
  private final AutoCloseable eventWatch;

  /** @param delivery the config service (null: the config page says there is none) */
  public Dashboard(String project, Controller controller, SpecApplier applier, ConfigDelivery delivery, Clock clock,
      Redactor redactor) {
    this.project = project;
    this.controller = controller;
    this.applier = applier;
    this.delivery = delivery;
    this.clock = clock;
    this.redactor = redactor;
    this.auth = new UiAuth(clock);
    // the front door's own measure (requests/s over its last window), as herd status shows it
    this.rates = fleet -> controller.traffic(fleet).map(dev.herd.control.FleetTraffic::requestsPerSecond)
        .orElse(OptionalDouble.empty());
    this.eventWatch = controller.onEvent(e -> lastEvent.accumulateAndGet(e.id(), Math::max));
    lastEvent.accumulateAndGet(newestEventId(controller), Math::max);
  }

  /** Stops following the controller's events. */
  public void close() {
    close(eventWatch);
  }

  /** Where the server listens; login URLs are built on it. */
  public void base(URI url) {
    this.base = url;
  }

  /** The prober wrapper whose last probes the node table shows. */
  public void probes(LastProbes p) {
    this.probes = p;
  }

  /** Tests: another measure of the fleets' request rates. */
  public void requestRates(RequestRates r) {
    this.rates = r == null ? RequestRates.NONE : r;
  }

  /** What {@code POST /v1/ui/login} answers: a URL that logs one browser in, once. */
  public record Login(String url, Instant expiresAt) {}

  /** Mints a one-time login code (the caller holds the API token). */
  public Login login() {
    UiAuth.Code code = auth.mintCode();
    log.info("dashboard login code minted (valid until {})", code.expires());
    return new Login(base.resolve("/ui/login?code=" + code.value()).toString(), code.expires());
  }

  /** Whether the API's bearer-token check leaves this path to the dashboard. */
  public static boolean owns(String path) {
    return path.equals("/ui") || path.startsWith("/ui/");
  }

  public void mount(JavalinDefaultRouting r) {
    r.before(this::guard);
    r.get("/ui/login", this::exchange);
    r.get("/ui/assets/{name}", this::asset);
    r.post("/ui/logout", this::logout);
    r.get("/ui/", this::fleets);
    r.get("/ui/fragments/fleets", ctx -> html(ctx, Pages.fleetTable(fleetRows(), clock.instant())));
    r.get("/ui/fleets/{fleet}", this::fleet);
    r.get("/ui/fleets/{fleet}/nodes", ctx -> {
      FleetStatus f = fleetStatus(ctx.pathParam("fleet"));
      html(ctx, Pages.nodeTable(f, nodeRows(f), clock.instant()));
    });
    r.get("/ui/fleets/{fleet}/nodes/{node}/logs", this::logs);
    r.post("/ui/fleets/{fleet}/rollout/{action}", this::rolloutAction);
    r.post("/ui/fleets/{fleet}/rollback", this::rollback);
    r.get("/ui/rollouts", ctx -> html(ctx, Pages.rollouts(viewer(ctx), fleets(), clock.instant(), lastEventId())));
    r.get("/ui/fragments/rollouts", ctx -> html(ctx, Pages.rolloutList(viewer(ctx), fleets(), clock.instant())));
    r.get("/ui/events", this::events);
    r.sse("/ui/events/stream", this::stream);
    r.get("/ui/images", this::images);
    r.get("/ui/images/{role}/{version}", this::image);
    r.get("/ui/config", this::config);
    r.get("/ui/config/{env}/{role}", this::configScope);
    r.get("/ui/drift", this::drift);
  }

  // ---- authentication ----------------------------------------------------------------------

  /** Every /ui request: a live session, and on a POST its CSRF token; else no data. */
  private void guard(Context ctx) {
    String path = ctx.path();
    if (!owns(path)) {
      return;
    }
    ctx.header("Content-Security-Policy", CSP);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("X-Frame-Options", "DENY");
    if (path.equals("/ui/login") || path.startsWith("/ui/assets/")) {
      return;
    }
    ctx.header("Cache-Control", "no-store");
    Optional<UiAuth.Session> session = auth.session(ctx.cookie(COOKIE));
    if (session.isEmpty()) {
      throw new UiRefusal(401, ctx.cookie(COOKIE) == null ? "This browser is not logged in to the dashboard."
          : "This browser's dashboard session has ended (it expired, or the controller restarted).");
    }
    if (ctx.method() == io.javalin.http.HandlerType.POST) {
      String origin = ctx.header("Origin");
      if (origin != null && !origin.equals("null") && !sameOrigin(origin)) {
        throw new UiRefusal(403, "refused: the request came from another site (" + origin + ")");
      }
      String presented = ctx.header(CSRF_HEADER);
      if (presented == null) {
        presented = ctx.formParam(CSRF_FIELD);
      }
      if (!UiAuth.csrfMatches(session.get(), presented)) {
        throw new UiRefusal(403, "refused: the form's CSRF token is missing or wrong; reload the page and try again");
      }
    }
    ctx.attribute(SESSION, session.get());
  }

  private boolean sameOrigin(String origin) {
    URI b = base;
    return b != null && (origin.equals("http://127.0.0.1:" + b.getPort()) || origin.equals("http://localhost:" + b.getPort()));
  }

  /** {@code GET /ui/login?code=…}: a good code becomes a session cookie, then the code leaves the URL. */
  private void exchange(Context ctx) {
    ctx.header("Cache-Control", "no-store");
    Optional<UiAuth.Session> s = auth.exchange(ctx.queryParam("code"));
    if (s.isEmpty()) {
      log.info("dashboard login refused: unknown, used or expired code");
      ctx.status(401);
      html(ctx, Pages.loginNeeded("This login URL does not work (any more): each one works once, within two minutes."));
      return;
    }
    Cookie c = new Cookie(COOKIE, s.get().id(), "/ui", (int) UiAuth.SESSION_TTL.toSeconds(), false, 0, true, null, null,
        SameSite.STRICT);
    ctx.cookie(c);
    log.info("dashboard session started (until {})", s.get().expires());
    ctx.redirect("/ui/", io.javalin.http.HttpStatus.SEE_OTHER);
  }

  private void logout(Context ctx) {
    auth.end(ctx.cookie(COOKIE));
    ctx.removeCookie(COOKIE, "/ui");
    ctx.status(200);
    html(ctx, Pages.loginNeeded("You are logged out."));
  }

  private Pages.Viewer viewer(Context ctx) {
    UiAuth.Session s = ctx.attribute(SESSION);
    return new Pages.Viewer(project, s.csrf());
  }

  /** A refusal as a page: the login-needed page without a session, else an error page with the reason. */
  public void refusal(Context ctx, int status, String reason) {
    UiAuth.Session s = ctx.attribute(SESSION);
    ctx.status(status);
    if (status == 401) {
      html(ctx, Pages.loginNeeded(reason));
    } else {
      String back = ctx.method() == io.javalin.http.HandlerType.POST ? "/ui/rollouts" : "/ui/";
      html(ctx, Pages.error(s == null ? null : new Pages.Viewer(project, s.csrf()), status, redactor.redact(reason), back));
    }
  }

  /** A refusal of the dashboard's own (no session, bad CSRF): rendered by {@link #refusal}. */
  public static final class UiRefusal extends RuntimeException {
    private final int status;

    UiRefusal(int status, String reason) {
      super(reason, null, false, false);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  // ---- pages -------------------------------------------------------------------------------

  private void fleets(Context ctx) {
    html(ctx, Pages.fleets(viewer(ctx), fleetRows(), clock.instant(), lastEventId()));
  }

  private List<Pages.FleetRow> fleetRows() {
    List<Pages.FleetRow> rows = new ArrayList<>();
    for (FleetStatus f : fleets()) {
      String score = "–";
      if (!f.deleted()) {
        try {
          score = controller.immutability(f.fleet()).summary();
        } catch (RuntimeException e) {
          log.debug("no immutability score for fleet {}: {}", f.fleet(), e.toString());
        }
      }
      rows.add(new Pages.FleetRow(f, score, f.address().isPresent() ? rates.perSecond(f.fleet()) : OptionalDouble.empty()));
    }
    return rows;
  }

  private void fleet(Context ctx) {
    FleetStatus f = fleetStatus(ctx.pathParam("fleet"));
    html(ctx, Pages.fleet(viewer(ctx), f, nodeRows(f), controller.releases(f.fleet()), clock.instant(), lastEventId()));
  }

  private List<Pages.NodeRow> nodeRows(FleetStatus f) {
    LastProbes p = probes;
    return f.nodes().stream().map(n -> new Pages.NodeRow(n, p == null ? Optional.empty() : p.last(n.engineName()))).toList();
  }

  private void logs(Context ctx) {
    FleetStatus f = fleetStatus(ctx.pathParam("fleet"));
    String node = ctx.pathParam("node");
    String window = Optional.ofNullable(ctx.queryParam("since")).orElse("1h");
    Instant since = switch (window) {
      case "5m" -> clock.instant().minus(Duration.ofMinutes(5));
      case "1h" -> clock.instant().minus(Duration.ofHours(1));
      case "24h" -> clock.instant().minus(Duration.ofHours(24));
      case "all" -> null;
      default -> throw new UiRefusal(400, "since must be 5m, 1h, 24h or all, got " + window);
    };
    List<NodeLogLine> lines = controller.logs(f.fleet(), node, since, LOG_LINES);
    boolean known = f.nodes().stream().anyMatch(n -> n.name().equals(node));
    if (!known && lines.isEmpty() && controller.logs(f.fleet(), node, null, 1).isEmpty()) {
      throw new UiRefusal(404, "fleet " + f.fleet() + " has no node " + node + " and no kept lines of one");
    }
    html(ctx, Pages.logs(viewer(ctx), f.fleet(), node, !known, lines, window));
  }

  private void events(Context ctx) {
    long last = lastEventId();
    List<ControllerEvent> recent = controller.events(Math.max(0, last - EVENT_ROWS), EVENT_ROWS);
    html(ctx, Pages.events(viewer(ctx), recent.reversed(), last));
  }

  private void images(Context ctx) {
    Catalog catalog = catalog();
    Map<String, List<CatalogImage>> byRole = new LinkedHashMap<>();
    for (String role : catalog.roles()) {
      byRole.put(role, catalog.list(role).stream().sorted(Comparator.comparingInt(CatalogImage::version).reversed()).toList());
    }
    html(ctx, Pages.images(viewer(ctx), byRole, clock.instant()));
  }

  private void image(Context ctx) {
    CatalogImage i;
    try {
      i = catalog().find(ImageRef.parse(ctx.pathParam("role") + ":" + ctx.pathParam("version")));
    } catch (ImageException | IllegalArgumentException e) {
      throw new UiRefusal(404, e.getMessage());
    }
    Optional<SortedMap<String, String>> packages = applier.images().sbom(i.digest()).map(b -> SbomSummary.parse(b).packages());
    html(ctx, Pages.image(viewer(ctx), i, packages));
  }

  private Catalog catalog() {
    return applier.images().catalog().orElseThrow(() -> new UiRefusal(404, "this controller has no image catalog"));
  }

  private void config(Context ctx) {
    HerdConfig cfg = config();
    Spec spec = spec();
    List<Pages.ConfigScope> scopes = new ArrayList<>();
    for (String[] s : scopes(spec)) {
      scopes.add(scope(cfg, spec, s[0], s[1]));
    }
    html(ctx, Pages.config(viewer(ctx), scopes, clock.instant()));
  }

  private void configScope(Context ctx) {
    HerdConfig cfg = config();
    Spec spec = spec();
    String env = ctx.pathParam("env");
    String role = ctx.pathParam("role");
    Pages.ConfigScope scope = scope(cfg, spec, env, role);
    Optional<ConfigDiff> diff = Optional.empty();
    String from = ctx.queryParam("from");
    String to = ctx.queryParam("to");
    if (from != null && to != null && !from.isBlank() && !to.isBlank()) {
      if (!from.strip().matches("\\d{1,12}") || !to.strip().matches("\\d{1,12}")) {
        throw new UiRefusal(400, "from and to are revision numbers");
      }
      diff = Optional.of(configCall(() -> cfg.config().diff(spec, env, role, Long.parseLong(from.strip()), Long.parseLong(to.strip()))));
    }
    html(ctx, Pages.configScope(viewer(ctx), scope, diff, cfg.redactor()::redact, clock.instant()));
  }

  private Pages.ConfigScope scope(HerdConfig cfg, Spec spec, String env, String role) {
    return configCall(() -> new Pages.ConfigScope(env, role, cfg.config().history(spec, env, role, 50),
        cfg.secrets().list(spec, env, role)));
  }

  private static <T> T configCall(Supplier<T> call) {
    try {
      return call.get();
    } catch (ConfigException e) {
      throw new UiRefusal(switch (e.kind()) {
        case INVALID -> 400;
        case NOT_FOUND -> 404;
        case KEY -> 409;
        case STORAGE -> 500;
      }, e.getMessage());
    }
  }

  /** The env/role pairs the spec's fleets run, in the spec's order. */
  private static List<String[]> scopes(Spec spec) {
    Set<String> seen = new LinkedHashSet<>();
    List<String[]> out = new ArrayList<>();
    for (Fleet f : spec.fleets().values()) {
      if (seen.add(f.environment() + "/" + f.role())) {
        out.add(new String[] {f.environment(), f.role()});
      }
    }
    return out;
  }

  private HerdConfig config() {
    if (delivery == null) {
      throw new UiRefusal(404, "this controller serves no config service");
    }
    return delivery.config();
  }

  private Spec spec() {
    return delivery.spec().orElseGet(applier::loadSpec);
  }

  private void drift(Context ctx) {
    List<DriftFinding> findings = new ArrayList<>(controller.driftFindings(null, clock.instant().minus(Duration.ofDays(7))));
    html(ctx, Pages.drift(viewer(ctx), findings.reversed(), clock.instant()));
  }

  // ---- actions -----------------------------------------------------------------------------

  private void rolloutAction(Context ctx) {
    String fleet = ctx.pathParam("fleet");
    String action = ctx.pathParam("action");
    Runnable op = switch (action) {
      case "pause" -> () -> controller.pause(fleet);
      case "resume" -> () -> controller.resume(fleet);
      case "abort" -> () -> controller.abort(fleet);
      case "promote" -> () -> controller.promote(fleet);
      default -> throw new UiRefusal(404, "unknown rollout action " + action + " (pause, resume, abort or promote)");
    };
    act(ctx, fleet, action, () -> {
      op.run();
      return "rollout of " + fleet + ": " + action + " done";
    });
  }

  private void rollback(Context ctx) {
    String fleet = ctx.pathParam("fleet");
    act(ctx, fleet, "rollback", () -> "fleet " + fleet + " rolling back to " + controller.rollback(fleet));
  }

  /** The controller's refusals become 404/400/409 pages; success goes back to the rollouts (POST, redirect, GET). */
  private void act(Context ctx, String fleet, String what, Supplier<String> action) {
    MDC.put("fleet", fleet);
    try {
      String message = action.get();
      log.info("{} (dashboard)", message);
      ctx.redirect("/ui/rollouts#" + Html.seg(fleet), io.javalin.http.HttpStatus.SEE_OTHER);
    } catch (NoSuchElementException e) {
      throw new UiRefusal(404, e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new UiRefusal(400, e.getMessage());
    } catch (IllegalStateException e) {
      throw new UiRefusal(409, what + " refused: " + e.getMessage());
    } finally {
      MDC.remove("fleet");
    }
  }

  // ---- the live stream ---------------------------------------------------------------------

  /**
   * {@code /ui/events/stream?after=ID}: every event after ID (the last one the page showed; a
   * reconnecting browser's Last-Event-ID wins), then each new one, as a table row named
   * {@code herd}. The pages swap the rows in or re-fetch a table when one arrives.
   */
  private void stream(SseClient client) {
    Context ctx = client.ctx();
    long after = afterParam(ctx);
    BlockingQueue<ControllerEvent> queue = new LinkedBlockingQueue<>(MAX_BACKLOG);
    AutoCloseable subscription = controller.onEvent(e -> {
      if (!queue.offer(e)) {
        client.close();
      }
    });
    client.keepAlive();
    client.onClose(() -> close(subscription));
    Thread.ofVirtual().name("herd-ui-events").start(() -> {
      try {
        long last = after;
        List<ControllerEvent> backlog;
        do {
          backlog = controller.events(last, 1000);
          for (ControllerEvent e : backlog) {
            send(client, e);
            last = e.id();
          }
        } while (backlog.size() == 1000 && !client.terminated());
        while (!client.terminated()) {
          ControllerEvent e = queue.poll(15, TimeUnit.SECONDS);
          if (e == null) {
            client.sendComment("keep-alive");
          } else if (e.id() > last) {
            send(client, e);
            last = e.id();
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        log.debug("dashboard event stream ended: {}", e.toString());
      } finally {
        close(subscription);
        client.close();
      }
    });
  }

  private static long afterParam(Context ctx) {
    String lastId = ctx.header("Last-Event-ID");
    if (lastId != null && lastId.strip().matches("\\d{1,18}")) {
      return Long.parseLong(lastId.strip());
    }
    String after = ctx.queryParam("after");
    return after != null && after.matches("\\d{1,18}") ? Long.parseLong(after) : Long.MAX_VALUE;
  }

  private void send(SseClient client, ControllerEvent e) {
    client.sendEvent("herd", redactor.redact(Pages.eventRow(e)), Long.toString(e.id()));
  }

  private static void close(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      log.debug("closing a subscription failed: {}", e.toString());
    }
  }

  // ---- plumbing ----------------------------------------------------------------------------

  private void asset(Context ctx) {
    String[] a = ASSETS.get(ctx.pathParam("name"));
    if (a == null) {
      throw new UiRefusal(404, "no such asset");
    }
    try (InputStream in = Dashboard.class.getClassLoader().getResourceAsStream(a[0])) {
      if (in == null) {
        throw new IllegalStateException("asset " + a[0] + " is missing from the classpath");
      }
      ctx.contentType(a[1]).header("Cache-Control", "private, max-age=3600").result(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read asset " + a[0], e);
    }
  }

  private List<FleetStatus> fleets() {
    return controller.status();
  }

  private FleetStatus fleetStatus(String fleet) {
    try {
      return controller.status(fleet);
    } catch (NoSuchElementException e) {
      throw new UiRefusal(404, e.getMessage());
    }
  }

  private long lastEventId() {
    return lastEvent.get();
  }

  /** The newest event id now: read once at start, then kept up to date by the event listener. */
  private static long newestEventId(Controller c) {
    long id = 0;
    while (true) {
      List<ControllerEvent> more = c.events(id, 1000);
      if (more.isEmpty()) {
        return id;
      }
      id = more.getLast().id();
    }
  }

  private void html(Context ctx, String page) {
    ctx.contentType("text/html; charset=utf-8").result(redactor.redact(page));
  }

  /** For tests: the session store. */
  UiAuth auth() {
    return auth;
  }

  /** The WebJar versions the pom pins (checked by a test against the jars on the classpath). */
  static final class Versions {
    static final String HTMX = "2.0.4";
    static final String HTMX_SSE = "2.2.2";

    private Versions() {}
  }
}
