package dev.herd.server;

import dev.herd.control.Controller;
import dev.herd.control.FleetStatus;
import dev.herd.control.NodeStatus;
import dev.herd.control.ControllerEvent;
import dev.herd.control.NodeLogLine;
import dev.herd.server.api.Api;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The request/response endpoints; each validates its input and answers with an API body. */
final class Routes {
  private static final Logger log = LoggerFactory.getLogger(Routes.class);
  static final int DEFAULT_LIMIT = 1000;

  private final Controller controller;
  private final SpecApplier applier;
  private final Clock clock;
  private final Consumer<String> stopAfterDown;
  private final HerdServer.Down down;
  private final String project;
  private volatile dev.herd.control.autoscale.Autoscaler autoscaler;

  /** The autoscaler whose state status shows (none: no autoscale line). */
  void autoscaler(dev.herd.control.autoscale.Autoscaler a) {
    this.autoscaler = a;
  }

  Routes(String project, Controller controller, SpecApplier applier, Clock clock, Consumer<String> stopAfterDown,
      HerdServer.Down down) {
    this.project = project;
    this.controller = controller;
    this.applier = applier;
    this.clock = clock;
    this.stopAfterDown = stopAfterDown;
    this.down = down;
  }

  void status(Context ctx) {
    Instant now = clock.instant();
    List<FleetStatus> statuses = controller.status();
    String only = ctx.queryParam("fleet");
    if (only != null) {
      // one fleet: the others are neither viewed nor scored
      List<FleetStatus> one = statuses.stream().filter(f -> f.fleet().equals(only)).toList();
      if (one.isEmpty()) {
        throw ApiError.notFound("no fleet " + Params.quote(only) + " (fleets: "
            + String.join(", ", statuses.stream().map(FleetStatus::fleet).toList()) + ")");
      }
      statuses = one;
    }
    List<Api.FleetView> fleets = statuses.stream().map(f -> Views.fleet(f, controller.traffic(f.fleet()), now)).toList();
    java.util.Map<String, String> immutability = new java.util.TreeMap<>();
    java.util.Optional<dev.herd.image.catalog.Catalog> catalog = applier.catalog();
    List<Api.FleetView> viewed = new java.util.ArrayList<>();
    for (Api.FleetView f : fleets) {
      if (!f.deleted()) {
        try {
          dev.herd.control.drift.ImmutabilityScore score = controller.immutability(f.name(), catalog);
          immutability.put(f.name(), score.summary());
          f = f.withConsistency(score.consistency().map(Views::consistency).orElse(null));
        } catch (RuntimeException e) {
          log.debug("no immutability score for fleet {}: {}", f.name(), e.toString());
        }
      }
      viewed.add(f);
    }
    fleets = viewed;
    java.util.Map<String, String> autoscale = new java.util.TreeMap<>();
    if (autoscaler != null) {
      for (Api.FleetView f : fleets) {
        autoscaler.state(f.name()).ifPresent(a -> autoscale.put(f.name(), Views.autoscale(a, now)));
      }
    }
    Api.Status status = new Api.Status(project, now, fleets, immutability, autoscale);
    if (Params.wantsText(ctx)) {
      Params.text(ctx, dev.herd.server.api.ApiText.status(status));
    } else {
      ctx.json(status);
    }
  }

  void apply(Context ctx) {
    Api.Changes changes = applier.apply();
    ctx.json(changes);
  }

  void plan(Context ctx) {
    ctx.json(applier.plan());
  }

  void events(Context ctx) {
    int limit = Params.limit(ctx, DEFAULT_LIMIT);
    Instant since = Params.since(ctx, clock);
    long after = Params.nonNegativeLong(ctx, "after", 0);
    if (since != null && ctx.queryParam("after") != null) {
      throw ApiError.badRequest("give since or after, not both");
    }
    java.time.ZoneId zone = Params.zone(ctx);
    List<ControllerEvent> events = since != null ? controller.events(since, limit) : controller.events(after, limit);
    List<Api.EventView> views = events.stream().map(Views::event).toList();
    if (Params.wantsText(ctx)) {
      Params.text(ctx, dev.herd.server.api.ApiText.events(views, zone));
    } else {
      ctx.json(new Api.Events(views));
    }
  }

  void logs(Context ctx) {
    LogTarget target = logTarget(ctx);
    int limit = Params.limit(ctx, DEFAULT_LIMIT);
    Instant since = Params.since(ctx, clock);
    List<NodeLogLine> lines = controller.logs(target.fleet(), target.node(), since, limit);
    ctx.json(new Api.Logs(lines.stream().map(Views::log).toList()));
  }

  /** A fleet's logs, or one node's (all its generations). */
  record LogTarget(String fleet, String node) {}

  LogTarget logTarget(Context ctx) {
    String node = ctx.queryParam("node");
    String fleet = ctx.queryParam("fleet");
    if ((node == null) == (fleet == null)) {
      throw ApiError.badRequest("give exactly one of node=NAME or fleet=NAME");
    }
    if (fleet != null) {
      return new LogTarget(fleetStatus(fleet).fleet(), null);
    }
    for (FleetStatus f : controller.status()) {
      for (NodeStatus n : f.nodes()) {
        if (n.name().equals(node)) {
          return new LogTarget(f.fleet(), node);
        }
      }
    }
    throw ApiError.notFound("no node " + Params.quote(node) + " (nodes: " + String.join(", ",
        controller.status().stream().flatMap(f -> f.nodes().stream()).map(NodeStatus::name).distinct().toList()) + ")");
  }

  void endpoints(Context ctx) {
    FleetStatus f = fleetStatus(ctx.pathParam("fleet"));
    List<Api.Endpoint> out = f.nodes().stream().filter(NodeStatus::inService)
        .map(n -> new Api.Endpoint(n.name(), "127.0.0.1:" + n.port())).toList();
    ctx.json(new Api.Endpoints(f.fleet(), out));
  }

  void revoke(Context ctx) {
    Api.Revoke body = Bodies.read(ctx, Api.Revoke.class, "{\"image\": \"web:7\", \"reason\": \"CVE-2026-1234\"}");
    if (body.image() == null || body.reason() == null || body.reason().isBlank()) {
      throw ApiError.badRequest("image and reason are required: send {\"image\": \"web:7\", \"reason\": \"...\"}");
    }
    dev.herd.image.catalog.ImageRef ref;
    try {
      ref = dev.herd.image.catalog.ImageRef.parse(body.image());
    } catch (IllegalArgumentException | dev.herd.image.oci.ImageException e) {
      throw ApiError.badRequest(e.getMessage());
    }
    List<dev.herd.control.ImageRevocation.Decision> decisions;
    try {
      decisions = applier.revoke(ref, body.reason(), Boolean.TRUE.equals(body.force()));
    } catch (dev.herd.control.ImageRevocation.Stranded e) {
      throw ApiError.conflict(e.getMessage());
    } catch (dev.herd.image.oci.ImageException e) {
      throw ApiError.conflict(e.getMessage());
    }
    decisions.forEach(d -> log.info("fleet {}: {}", d.fleet(), d.event()));
    ctx.json(new Api.Revoked(body.image(), decisions.stream()
        .map(d -> new Api.RevokedFleet(d.fleet(), d.replacement().map(i -> i.ref()).orElse(null), d.event())).toList()));
  }

  void scale(Context ctx) {
    String fleet = ctx.pathParam("fleet");
    Api.Scale body = Bodies.read(ctx, Api.Scale.class, "{\"count\": 3}");
    if (body.count() == null) {
      throw ApiError.badRequest("count is missing: send {\"count\": N}");
    }
    int count = body.count();
    boolean deleteVolumes = "true".equals(ctx.queryParam("delete_volumes"));
    act(fleet, () -> {
      List<String> volumes = controller.scale(fleet, count, deleteVolumes);
      return "fleet " + fleet + " scaled to " + count + " (until the next apply)" + (volumes.isEmpty() ? ""
          : deleteVolumes ? "; deleting volume" + (volumes.size() == 1 ? " " : "s ") + String.join(", ", volumes) + " once the nodes are gone"
          : "; keeping volume" + (volumes.size() == 1 ? " " : "s ") + String.join(", ", volumes) + " (--delete-volumes deletes them)");
    }, ctx);
  }

  void backup(Context ctx) {
    String fleet = ctx.pathParam("fleet");
    Api.BackupRequest body = ctx.body().isBlank() ? new Api.BackupRequest(null)
        : Bodies.read(ctx, Api.BackupRequest.class, "{\"node\": \"db-1\"}");
    MDC.put("fleet", fleet);
    try {
      dev.herd.control.BackupStore.BackupInfo b = controller.backup(fleet, java.util.Optional.ofNullable(body.node()));
      log.info("backup {} of {} taken ({} bytes)", b.id(), b.node(), b.bytes());
      ctx.json(view(b));
    } catch (NoSuchElementException e) {
      throw ApiError.notFound(e.getMessage());
    } catch (dev.herd.control.BackupStore.BackupRefused e) {
      throw ApiError.conflict(e.getMessage());
    } finally {
      MDC.remove("fleet");
    }
  }

  void backups(Context ctx) {
    java.util.Optional<String> fleet = java.util.Optional.ofNullable(ctx.queryParam("fleet")).filter(f -> !f.isBlank());
    try {
      ctx.json(new Api.Backups(controller.backups(fleet).stream().map(Routes::view).toList()));
    } catch (NoSuchElementException e) {
      throw ApiError.notFound(e.getMessage());
    } catch (dev.herd.control.BackupStore.BackupRefused e) {
      throw ApiError.conflict(e.getMessage());
    }
  }

  void restore(Context ctx) {
    String fleet = ctx.pathParam("fleet");
    Api.Restore body = Bodies.read(ctx, Api.Restore.class, "{\"backup\": \"db-1-20260101T120000000Z\"}");
    if (body.backup() == null || body.backup().isBlank()) {
      throw ApiError.badRequest("backup is missing: send {\"backup\": \"ID\"} (herd backups " + fleet + ")");
    }
    MDC.put("fleet", fleet);
    try {
      boolean byCommand = controller.backups(java.util.Optional.of(fleet)).stream()
          .anyMatch(b -> b.id().equals(body.backup()) && b.kind().equals("command"));
      String node = controller.restore(fleet, body.backup(), java.util.Optional.ofNullable(body.node()));
      String message = byCommand ? node + " took backup " + body.backup() + " through backup.restore (it kept running)"
          : node + " is restarting on the volumes of backup " + body.backup();
      log.info("{} ({} {})", message, ctx.method(), ctx.path());
      ctx.json(new Api.Restoring(fleet, node, body.backup(), !byCommand, message));
    } catch (NoSuchElementException e) {
      throw ApiError.notFound(e.getMessage());
    } catch (dev.herd.control.BackupStore.BackupRefused e) {
      throw ApiError.conflict(e.getMessage());
    } finally {
      MDC.remove("fleet");
    }
  }

  private static Api.Backup view(dev.herd.control.BackupStore.BackupInfo b) {
    return new Api.Backup(b.id(), b.fleet(), b.node(), b.kind(), b.created(), b.took().toMillis(), b.bytes(), b.files());
  }

  void rollback(Context ctx) {
    String fleet = ctx.pathParam("fleet");
    act(fleet, () -> "fleet " + fleet + " rolling back to " + controller.rollback(fleet), ctx);
  }

  void rollout(Context ctx) {
    String fleet = ctx.pathParam("fleet");
    String action = ctx.pathParam("action");
    Runnable op = switch (action) {
      case "pause" -> () -> controller.pause(fleet);
      case "resume" -> () -> controller.resume(fleet);
      case "abort" -> () -> controller.abort(fleet);
      case "promote" -> () -> controller.promote(fleet);
      default -> throw ApiError.badRequest("unknown rollout action " + Params.quote(action)
          + " (pause, resume, abort or promote)");
    };
    act(fleet, () -> {
      op.run();
      return "rollout of " + fleet + ": " + action + " done";
    }, ctx);
  }

  void down(Context ctx) {
    log.info("down requested: stopping the controller and removing every node");
    String summary;
    try {
      summary = down.stopAndRemoveAll("true".equals(ctx.queryParam("delete_volumes")));
    } catch (RuntimeException e) {
      // the controller is stopped either way: answer, and stop the server too, never half-alive
      summary = "controller stopped; removing the nodes failed: " + e.getMessage();
      log.warn("down: {}", summary);
    }
    // Write and flush the answer before anything starts stopping the server under it.
    ctx.contentType("application/json");
    try {
      byte[] body = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(new Api.Done("", summary));
      ctx.res().setContentLength(body.length);
      ctx.res().getOutputStream().write(body);
      ctx.res().flushBuffer();
    } catch (java.io.IOException e) {
      log.info("down: the client went away before the answer ({}); stopping anyway", e.toString());
    }
    stopAfterDown.accept(summary);
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** Runs an operator action, mapping the controller's refusals to 400/404/409. */
  private void act(String fleet, Supplier<String> action, Context ctx) {
    MDC.put("fleet", fleet);
    try {
      String message = action.get();
      log.info("{} ({} {})", message, ctx.method(), ctx.path());
      ctx.json(new Api.Done(fleet, message));
    } catch (NoSuchElementException e) {
      throw ApiError.notFound(e.getMessage());
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(e.getMessage());
    } catch (IllegalStateException e) {
      throw ApiError.conflict(e.getMessage());
    } finally {
      MDC.remove("fleet");
    }
  }

  private FleetStatus fleetStatus(String fleet) {
    try {
      return controller.status(fleet);
    } catch (NoSuchElementException e) {
      throw ApiError.notFound(e.getMessage());
    }
  }
}
