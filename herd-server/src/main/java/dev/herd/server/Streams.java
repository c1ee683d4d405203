package dev.herd.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herd.control.Controller;
import dev.herd.control.ControllerEvent;
import dev.herd.control.NodeLogLine;
import dev.herd.server.api.Json;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-sent event streams: controller events as they happen, and a node's or fleet's log lines
 * as they are collected. Each client is served by its own virtual thread.
 */
final class Streams {
  private static final Logger log = LoggerFactory.getLogger(Streams.class);
  /** A client this far behind is cut off rather than let its backlog grow without bound. */
  static final int MAX_BACKLOG = 10_000;
  private static final String AFTER = "herd.after";
  private static final String TARGET = "herd.target";
  private static final String SINCE = "herd.since";

  private final Controller controller;
  private final Clock clock;
  private final Duration logPoll;
  private final Routes routes;
  private final ObjectMapper json = Json.mapper();

  Streams(Controller controller, Clock clock, Duration logPoll, Routes routes) {
    this.controller = controller;
    this.clock = clock;
    this.logPoll = logPoll;
    this.routes = routes;
  }

  /**
   * {@code GET /v1/events/stream[?after=ID]}: events after ID (or the {@code Last-Event-ID} a
   * reconnecting client sends), then every new one. Without either, only new events.
   */
  void checkEvents(Context ctx) {
    String lastId = ctx.header("Last-Event-ID");
    long after;
    if (ctx.queryParam("after") != null) {
      after = Params.nonNegativeLong(ctx, "after", 0);
    } else if (lastId != null && lastId.strip().matches("\\d{1,18}")) {
      after = Long.parseLong(lastId.strip());
    } else {
      after = -1;
    }
    ctx.attribute(AFTER, after);
  }

  void events(SseClient client) {
    long after = client.ctx().attribute(AFTER);
    BlockingQueue<ControllerEvent> queue = new LinkedBlockingQueue<>(MAX_BACKLOG);
    // Subscribe before reading the backlog so nothing falls between the two; ids de-duplicate.
    AutoCloseable subscription = controller.onEvent(e -> {
      if (!queue.offer(e)) {
        log.warn("event stream client is {} events behind; closing its stream", MAX_BACKLOG);
        client.close();
      }
    });
    client.keepAlive();
    client.onClose(() -> closeQuietly(subscription));
    Thread.ofVirtual().name("herd-sse-events").start(() -> {
      try {
        long last = after;
        if (after >= 0) {
          List<ControllerEvent> backlog;
          do {
            backlog = controller.events(last, Routes.DEFAULT_LIMIT);
            for (ControllerEvent e : backlog) {
              send(client, e);
              last = e.id();
            }
          } while (backlog.size() == Routes.DEFAULT_LIMIT && !client.terminated());
        }
        client.sendComment("live");
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
        log.warn("event stream ended: {}", e.toString());
      } finally {
        closeQuietly(subscription);
        client.close();
      }
    });
  }

  /** {@code GET /v1/logs/stream?node=…|fleet=…[&since=…]}: lines so far, then new ones. */
  void checkLogs(Context ctx) {
    ctx.attribute(TARGET, routes.logTarget(ctx));
    ctx.attribute(SINCE, Optional.ofNullable(Params.since(ctx, clock)));
  }

  void logs(SseClient client) {
    Routes.LogTarget target = client.ctx().attribute(TARGET);
    Optional<Instant> sinceParam = client.ctx().attribute(SINCE);
    Instant since = sinceParam.orElse(null);
    client.keepAlive();
    Thread.ofVirtual().name("herd-sse-logs").start(() -> {
      try {
        Instant from = since;
        // Lines at the newest instant already sent, so polling from that instant repeats none.
        Set<NodeLogLine> atFrom = new HashSet<>();
        while (!client.terminated()) {
          List<NodeLogLine> lines = controller.logs(target.fleet(), target.node(), from, Params.MAX_LIMIT);
          boolean sent = false;
          for (NodeLogLine l : lines) {
            if (atFrom.contains(l)) {
              continue;
            }
            if (from == null || l.time().isAfter(from)) {
              from = l.time();
              atFrom.clear();
            }
            atFrom.add(l);
            client.sendEvent("log", json.writeValueAsString(Views.log(l)));
            sent = true;
          }
          if (!sent) {
            client.sendComment("keep-alive");
            Thread.sleep(logPoll.toMillis());
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (JsonProcessingException | RuntimeException e) {
        log.warn("log stream ended: {}", e.toString());
      } finally {
        client.close();
      }
    });
  }

  private void send(SseClient client, ControllerEvent e) {
    try {
      client.sendEvent("event", json.writeValueAsString(Views.event(e)), Long.toString(e.id()));
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot encode event " + e.id(), ex);
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      log.debug("closing a subscription failed: {}", e.toString());
    }
  }
}
