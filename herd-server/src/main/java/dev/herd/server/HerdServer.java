package dev.herd.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herd.control.Controller;
import dev.herd.control.config.ConfigDelivery;
import dev.herd.server.api.Api;
import dev.herd.server.api.ApiFiles;
import dev.herd.server.api.Json;
import dev.herd.server.metrics.HerdMetrics;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.javalin.router.JavalinDefaultRouting;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.servlet.FilterHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * herd's REST API on 127.0.0.1 (see docs/api.md). Every request but {@code /healthz} needs the
 * bearer token from {@code <stateDir>/api-token}; {@code <stateDir>/api.json} tells clients where
 * the server is and is removed again on a clean stop.
 */
public final class HerdServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HerdServer.class);
  static final String INTERNAL = "internal error, see herd's log";
  /** The largest request body the API reads, declared or chunked (a secret, a config change: far less). */
  public static final long MAX_BODY_BYTES = 1L << 20;

  /**
   * @param port 0: any free port
   * @param logPoll how often a followed log stream looks for new lines
   */
  public record Options(Path stateDir, String project, int port, Clock clock, Duration logPoll) {
    public Options {
      Objects.requireNonNull(stateDir, "stateDir");
      Objects.requireNonNull(project, "project");
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(logPoll, "logPoll");
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be 0 (any free one) or 1-65535, got " + port);
      }
    }

    public static Options of(Path stateDir, String project) {
      return new Options(stateDir, project, 0, Clock.systemUTC(), Duration.ofSeconds(1));
    }

    public Options withPort(int p) {
      return new Options(stateDir, project, p, clock, logPoll);
    }

    public Options withClock(Clock c) {
      return new Options(stateDir, project, port, c, logPoll);
    }
  }

  /** What {@code POST /v1/down} does: stop the controller, remove every node; returns a summary. */
  @FunctionalInterface
  public interface Down {
    String stopAndRemoveAll();

    /** Like {@link #stopAndRemoveAll()}; with {@code deleteVolumes} the project's volumes go too. */
    default String stopAndRemoveAll(boolean deleteVolumes) {
      if (deleteVolumes) {
        throw new UnsupportedOperationException("this server cannot delete volumes on down");
      }
      return stopAndRemoveAll();
    }
  }

  private final Options options;
  private final ApiToken token;
  private final Javalin app;
  private final CompletableFuture<String> stopRequested = new CompletableFuture<>();
  private volatile URI url;
  private volatile boolean stopping;
  private volatile boolean closed;

  private final dev.herd.config.Redactor redactor;
  private final HerdMetrics metrics;
  private final boolean ownMetrics;
  private final Routes routes;
  private final dev.herd.server.ui.Dashboard dashboard;

  private HerdServer(Options options, Controller controller, SpecApplier applier, Down down, ConfigDelivery delivery,
      HerdMetrics metrics) {
    this.options = options;
    // without the host's instrumented metrics, still serve fleet state, events, passes and the JVM
    this.ownMetrics = metrics == null;
    this.metrics = metrics != null ? metrics : new HerdMetrics();
    if (ownMetrics) {
      this.metrics.watch(controller);
    }
    this.redactor = delivery == null ? new dev.herd.config.Redactor() : delivery.config().redactor();
    ConfigRoutes configRoutes = delivery == null ? null : new ConfigRoutes(delivery, controller, applier::loadSpec);
    this.token = ApiToken.createIn(options.stateDir());
    ObjectMapper json = Json.mapper();
    Routes routes = new Routes(options.project(), controller, applier, options.clock(), this::down, down);
    this.routes = routes;
    Streams streams = new Streams(controller, options.clock(), options.logPoll(), routes);
    this.dashboard = new dev.herd.server.ui.Dashboard(options.project(), controller, applier, delivery, options.clock(),
        redactor);
    this.app = Javalin.create(config -> {
      config.showJavalinBanner = false;
      config.useVirtualThreads = true;
      config.jsonMapper(new JavalinJackson(json, true));
      config.jetty.defaultHost = "127.0.0.1";
      config.http.maxRequestSize = MAX_BODY_BYTES;
      config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrors()));
      config.jetty.modifyServletContextHandler(h -> {
        h.setErrorHandler(new JsonErrors());
        h.addFilter(new FilterHolder(new BodyLimit(MAX_BODY_BYTES)), "/*", EnumSet.of(DispatcherType.REQUEST));
      });
      BakeRoutes bake = new BakeRoutes(applier, System.getenv(), System.getProperty("user.name"));
      AuditRoutes audit = new AuditRoutes(applier, options.stateDir(), System.getenv("SOURCE_DATE_EPOCH"),
          System.getProperty("user.name"));
      config.router.mount(r -> {
        mount(r, routes, streams, configRoutes);
        r.post("/v1/bake", bake::bake);
        r.post("/v1/audit", audit::audit);
      });
    });
  }

  private void mount(JavalinDefaultRouting r, Routes routes, Streams streams, ConfigRoutes config) {
    r.before(this::authenticate);
    // An SSE response is committed (200) before its handler runs, so streams validate up front.
    r.before("/v1/events/stream", ctx -> {
      acceptsEventStream(ctx);
      streams.checkEvents(ctx);
    });
    r.before("/v1/logs/stream", ctx -> {
      acceptsEventStream(ctx);
      streams.checkLogs(ctx);
    });
    dashboard.mount(r);
    r.post("/v1/ui/login", ctx -> {
      dev.herd.server.ui.Dashboard.Login l = dashboard.login();
      ctx.json(new Api.DashboardLogin(l.url(), l.expiresAt()));
    });
    r.get("/healthz", this::healthz);
    r.get("/metrics", this::metrics);
    r.get("/v1/status", routes::status);
    r.post("/v1/apply", routes::apply);
    r.post("/v1/images/revoke", routes::revoke);
    r.get("/v1/plan", routes::plan);
    r.get("/v1/events", routes::events);
    r.sse("/v1/events/stream", streams::events);
    r.get("/v1/logs", routes::logs);
    r.sse("/v1/logs/stream", streams::logs);
    r.get("/v1/fleets/{fleet}/endpoints", routes::endpoints);
    r.post("/v1/fleets/{fleet}/scale", routes::scale);
    r.post("/v1/fleets/{fleet}/rollback", routes::rollback);
    r.post("/v1/fleets/{fleet}/backups", routes::backup);
    r.post("/v1/fleets/{fleet}/restore", routes::restore);
    r.get("/v1/backups", routes::backups);
    r.post("/v1/fleets/{fleet}/rollout/{action}", routes::rollout);
    r.post("/v1/down", routes::down);
    if (config != null) {
      r.get("/v1/config/{env}/{role}", config::configList);
      r.post("/v1/config/{env}/{role}", config::configChange);
      r.get("/v1/config/{env}/{role}/history", config::configHistory);
      r.get("/v1/config/{env}/{role}/diff", config::configDiff);
      r.post("/v1/config/{env}/{role}/rollback", config::configRollback);
      r.get("/v1/config/{env}/{role}/{key}", config::configGet);
      r.post("/v1/secrets/rotate-key", config::rotateKey);
      r.get("/v1/secrets/{env}/{role}", config::secretList);
      r.put("/v1/secrets/{env}/{role}/{name}", config::secretSet);
      r.delete("/v1/secrets/{env}/{role}/{name}", config::secretRemove);
      r.get("/v1/flags/{env}", config::flagList);
      r.get("/v1/flags/{env}/{name}", config::flagGet);
      r.put("/v1/flags/{env}/{name}", config::flagPut);
      r.post("/v1/flags/{env}/{name}/kill", config::flagKill);
      r.get("/v1/watch", config::watch);
    }
    r.exception(dev.herd.server.ui.Dashboard.UiRefusal.class, (e, ctx) -> dashboard.refusal(ctx, e.status(), e.getMessage()));
    r.exception(ApiError.class, this::apiError);
    r.exception(HttpResponseException.class, this::httpError);
    r.exception(Exception.class, this::unexpected);
  }

  /**
   * Starts the server and writes api-token and api.json. A stale api.json (its process is gone)
   * is replaced with a log line; one of a live process is refused, as that controller runs.
   */
  public static HerdServer start(Options options, Controller controller, SpecApplier applier, Down down) {
    return start(options, controller, applier, down, null);
  }

  /** Also serves config, secrets, flags and the node watch API of {@code delivery} (may be null: not served). */
  public static HerdServer start(Options options, Controller controller, SpecApplier applier, Down down,
      ConfigDelivery delivery) {
    return start(options, controller, applier, down, delivery, null);
  }

  /**
   * @param metrics what {@code /metrics} serves, already watching {@code controller} (null: the
   *     server makes its own, without engine and probe timings)
   */
  public static HerdServer start(Options options, Controller controller, SpecApplier applier, Down down,
      ConfigDelivery delivery, HerdMetrics metrics) {
    Optional<ApiFiles.Info> previous;
    try {
      previous = ApiFiles.readInfo(options.stateDir());
    } catch (IllegalStateException garbled) {
      log.warn("replacing unreadable {}: {}", ApiFiles.info(options.stateDir()), garbled.getMessage());
      previous = Optional.empty();
    }
    if (previous.isPresent()) {
      ApiFiles.Info p = previous.get();
      if (p.alive() && p.pid() != ProcessHandle.current().pid()) {
        throw new IllegalStateException("a herd controller (pid " + p.pid() + ") already serves " + options.stateDir()
            + " at " + p.url());
      }
      log.info("replacing stale {} of pid {} (no longer running)", ApiFiles.info(options.stateDir()), p.pid());
    }
    HerdServer server = new HerdServer(options, controller, applier, down, delivery, metrics);
    server.app.start("127.0.0.1", options.port());
    server.url = URI.create("http://127.0.0.1:" + server.app.port());
    server.dashboard.base(server.url);
    ApiFiles.writeInfo(options.stateDir(), new ApiFiles.Info(server.url().toString(), ProcessHandle.current().pid(),
        options.project(), options.clock().instant()));
    log.info("API listening on {} (token in {})", server.url(), ApiFiles.token(options.stateDir()));
    return server;
  }

  public int port() {
    return url.getPort();
  }

  public URI url() {
    return url;
  }

  /** {@code GET /v1/status} shows this autoscaler's state per fleet. */
  public void autoscaler(dev.herd.control.autoscale.Autoscaler a) {
    routes.autoscaler(a);
  }

  /** The dashboard's node table shows the last probe this recorder saw. */
  public void probes(dev.herd.server.ui.LastProbes probes) {
    dashboard.probes(probes);
  }

  /** The dashboard's fleets page shows each exposed fleet's request rate from {@code rates}. */
  public void requestRates(dev.herd.server.ui.Dashboard.RequestRates rates) {
    dashboard.requestRates(rates);
  }

  /** A one-time dashboard login URL (what {@code POST /v1/ui/login} answers). */
  public dev.herd.server.ui.Dashboard.Login dashboardLogin() {
    return dashboard.login();
  }

  /** Completes with the down summary when a client asked the controller to stop ({@code POST /v1/down}). */
  public CompletableFuture<String> stopRequested() {
    return stopRequested;
  }

  /** Stops serving and removes api.json (only when it is still this server's). */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopping = true;
    app.stop();
    dashboard.close();
    if (ownMetrics) {
      metrics.close();
    }
    try {
      Optional<ApiFiles.Info> info = ApiFiles.readInfo(options.stateDir());
      if (info.isPresent() && info.get().url().equals(url().toString())
          && info.get().pid() == ProcessHandle.current().pid()) {
        Files.deleteIfExists(ApiFiles.info(options.stateDir()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + ApiFiles.info(options.stateDir()), e);
    } catch (IllegalStateException garbled) {
      log.warn("left {} alone: {}", ApiFiles.info(options.stateDir()), garbled.getMessage());
    }
    log.info("API on port {} stopped", port());
  }

  // ---- plumbing ------------------------------------------------------------------------------

  /** Prometheus' text format; behind the bearer token like every API route (docs/metrics.md). */
  private void metrics(Context ctx) {
    ctx.contentType(HerdMetrics.CONTENT_TYPE).result(metrics.scrape());
  }

  private void healthz(Context ctx) {
    ctx.json(new Api.Done("", stopping ? "stopping" : "ok"));
  }

  private void authenticate(Context ctx) {
    if (ctx.path().equals("/healthz") || ctx.path().equals("/v1/watch")) {
      // the watch API authenticates nodes with their own token, never the operator's
      return;
    }
    if (dev.herd.server.ui.Dashboard.owns(ctx.path())) {
      // the dashboard has its own login (a one-time code, then a session cookie and CSRF tokens)
      return;
    }
    String header = ctx.header("Authorization");
    if (header == null || header.isBlank()) {
      ctx.header("WWW-Authenticate", "Bearer");
      throw new ApiError(401, "missing bearer token: send 'Authorization: Bearer <token>' with the token from "
          + ApiFiles.token(options.stateDir()));
    }
    if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || !token.matches(header.substring(7).strip())) {
      ctx.header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      throw new ApiError(401, "wrong bearer token (the token changes each time herd up starts; read it again from "
          + ApiFiles.token(options.stateDir()) + ")");
    }
    if (stopping) {
      throw new ApiError(503, "the herd controller is shutting down");
    }
  }

  /** Javalin streams only to exactly this Accept header and answers anything else with an empty 200. */
  private static void acceptsEventStream(Context ctx) {
    if (!"text/event-stream".equals(ctx.header("Accept"))) {
      throw new ApiError(406, ctx.path() + " streams server-sent events: send 'Accept: text/event-stream'"
          + (ctx.path().startsWith("/v1/events") ? " (GET /v1/events lists events as JSON)" : " (GET /v1/logs lists lines as JSON)"));
    }
  }

  /** Called by the down route once the nodes are gone: answer first, then stop. */
  private void down(String summary) {
    stopping = true;
    Thread.ofVirtual().name("herd-down").start(() -> stopRequested.complete(summary));
  }

  private void apiError(ApiError e, Context ctx) {
    if (dev.herd.server.ui.Dashboard.owns(ctx.path())) {
      dashboard.refusal(ctx, e.status(), e.getMessage());
      return;
    }
    String reason = redactor.redact(e.getMessage());
    if (e.status() >= 500) {
      log.warn("{} {} → {}: {}", ctx.method(), redactor.redact(ctx.path()), e.status(), reason);
    }
    if (e.status() == 413) {
      ctx.header("Connection", "close"); // the rest of the body is not worth reading
    }
    ctx.status(e.status()).json(new Api.Error(reason, e.details().stream().map(redactor::redact).toList()));
  }

  private void httpError(HttpResponseException e, Context ctx) {
    if (dev.herd.server.ui.Dashboard.owns(ctx.path())) {
      dashboard.refusal(ctx, e.getStatus(), e.getStatus() == 404 ? "no such page: " + ctx.path()
          : e.getStatus() == 405 ? "method " + ctx.method() + " is not allowed on " + ctx.path() : "request failed");
      return;
    }
    String reason = switch (e.getStatus()) {
      case 404 -> "no such endpoint: " + ctx.method() + " " + ctx.path() + " (see docs/api.md)";
      case 405 -> "method " + ctx.method() + " is not allowed on " + ctx.path();
      default -> e.getMessage() == null ? "request failed" : e.getMessage();
    };
    ctx.status(e.getStatus()).json(new Api.Error(redactor.redact(reason)));
  }

  private static String stackTrace(Throwable e) {
    java.io.StringWriter w = new java.io.StringWriter();
    e.printStackTrace(new java.io.PrintWriter(w));
    return w.toString();
  }

  private void unexpected(Exception e, Context ctx) {
    // the stack trace may quote a value: log the redacted text of the failure, not the raw exception
    log.error("{} {} failed: {}", ctx.method(), redactor.redact(ctx.path()), redactor.redact(stackTrace(e)));
    if (dev.herd.server.ui.Dashboard.owns(ctx.path())) {
      dashboard.refusal(ctx, 500, INTERNAL);
      return;
    }
    ctx.status(500).json(new Api.Error(INTERNAL));
  }
}
