package dev.herd.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herd.config.ConfigDiff;
import dev.herd.config.ConfigException;
import dev.herd.config.ConfigRevision;
import dev.herd.config.ConfigWatch;
import dev.herd.config.Discovery;
import dev.herd.config.Edit;
import dev.herd.config.EffectiveConfig;
import dev.herd.config.Endpoint;
import dev.herd.config.Evaluation;
import dev.herd.config.Flag;
import dev.herd.config.FlagContext;
import dev.herd.config.FlagSet;
import dev.herd.config.HerdConfig;
import dev.herd.config.NodeIdentity;
import dev.herd.config.SecretNames;
import dev.herd.config.SecretRevision;
import dev.herd.config.SecretStore;
import dev.herd.control.Controller;
import dev.herd.control.FleetStatus;
import dev.herd.control.config.ConfigDelivery;
import dev.herd.server.api.ConfigApi;
import dev.herd.server.api.Json;
import dev.herd.spec.Durations;
import dev.herd.spec.Fleet;
import dev.herd.spec.Spec;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Config, secret, flag and node-watch endpoints (docs/api.md). Every answer is run through the
 * {@link dev.herd.config.Redactor}; secret values come in only as raw request bodies and never go
 * out. The environments and roles are those of the herd.yaml last applied.
 */
final class ConfigRoutes {
  private static final Logger log = LoggerFactory.getLogger(ConfigRoutes.class);
  static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);
  static final Duration MAX_WAIT = Duration.ofSeconds(60);

  private final ConfigDelivery delivery;
  private final HerdConfig cfg;
  private final Controller controller;
  private final Supplier<Spec> specOnDisk;
  private final ObjectMapper json = Json.mapper();

  ConfigRoutes(ConfigDelivery delivery, Controller controller, Supplier<Spec> specOnDisk) {
    this.delivery = delivery;
    this.cfg = delivery.config();
    this.controller = controller;
    this.specOnDisk = specOnDisk;
  }

  // ---- config ------------------------------------------------------------------------------

  void configList(Context ctx) {
    guard(ctx, () -> {
      EffectiveConfig e = cfg.config().list(spec(), env(ctx), role(ctx));
      return view(e);
    });
  }

  /** One key's effective value; {@code Accept: text/plain} answers what {@code herd config get} prints. */
  void configGet(Context ctx) {
    guard(ctx, () -> {
      String key = ctx.pathParam("key");
      EffectiveConfig e = cfg.config().list(spec(), env(ctx), role(ctx));
      return e.get(key).map(v -> new ConfigApi.Value(v.key(), v.value(), v.source().name().toLowerCase(), v.revision()))
          .orElseThrow(() -> ApiError.notFound("no config key " + Params.quote(key) + " in " + e.scope()
              + " (keys: " + String.join(", ", e.values().keySet()) + ")"));
    });
  }

  void configChange(Context ctx) {
    guard(ctx, () -> {
      ConfigApi.Change body = Bodies.read(ctx, ConfigApi.Change.class, "{\"set\": {\"KEY\": \"value\"}, \"unset\": [\"OLD\"]}");
      Map<String, String> set = body.set() == null ? Map.of() : body.set();
      List<String> unset = body.unset() == null ? List.of() : body.unset();
      if (set.values().stream().anyMatch(v -> v == null)) {
        throw ApiError.badRequest("set: a value is null; use unset to remove a key");
      }
      ConfigRevision r = cfg.config().change(spec(), env(ctx), role(ctx), set, unset, edit(body.author(), body.message()));
      return written(r);
    });
  }

  void configRollback(Context ctx) {
    guard(ctx, () -> {
      ConfigApi.Rollback body = Bodies.read(ctx, ConfigApi.Rollback.class, "{\"revision\": 3}");
      if (body.revision() == null) {
        throw ApiError.badRequest("revision is missing: send {\"revision\": N}");
      }
      ConfigRevision r = cfg.config().rollback(spec(), env(ctx), role(ctx), body.revision(), edit(body.author(), body.message()));
      return written(r);
    });
  }

  void configHistory(Context ctx) {
    guard(ctx, () -> {
      int limit = Params.limit(ctx, 100);
      List<ConfigRevision> revs = cfg.config().history(spec(), env(ctx), role(ctx), limit);
      return new ConfigApi.History(env(ctx) + "/" + role(ctx), revs.stream().map(r -> new ConfigApi.Revision(r.revision(),
          r.author(), r.time(), r.message(), r.set(), List.copyOf(r.unset()))).toList());
    });
  }

  void configDiff(Context ctx) {
    guard(ctx, () -> {
      long from = required(ctx, "from");
      long to = required(ctx, "to");
      ConfigDiff d = cfg.config().diff(spec(), env(ctx), role(ctx), from, to);
      return new ConfigApi.Diff(d.scope().toString(), d.from(), d.to(), d.changes().stream()
          .map(c -> new ConfigApi.DiffLine(c.key(), c.before().orElse(null), c.after().orElse(null))).toList());
    });
  }

  private ConfigApi.Written written(ConfigRevision r) {
    String env = r.scope().environment();
    String role = r.scope().role();
    StringBuilder m = new StringBuilder("config " + r.scope() + " revision " + r.revision());
    if (r.set().isEmpty() && r.unset().isEmpty() && r.revision() > 0) {
      m.append(" (no change)");
    }
    m.append(fleetsSay(env, role, true));
    log.info("{}", cfg.redactor().redact(m.toString()));
    return new ConfigApi.Written(r.scope().toString(), r.revision(), m.toString());
  }

  /** What the scope's fleets do about a change, e.g. "; fleet web: rolling out web:v4". */
  private String fleetsSay(String env, String role, boolean config) {
    StringBuilder m = new StringBuilder();
    for (Fleet f : spec().fleets().values()) {
      if (!f.environment().equals(env) || !f.role().equals(role)) {
        continue;
      }
      Fleet.OnConfigChange how = config ? f.onConfigChange() : Fleet.OnConfigChange.ROLLING;
      m.append("; fleet ").append(f.name()).append(": ");
      switch (how) {
        case ROLLING -> {
          Optional<FleetStatus> s = status(f.name());
          m.append(s.map(st -> st.rollout().map(ro -> "rolling out " + ro.toRelease()).orElse("on " + st.currentRelease()))
              .orElse("not running"));
        }
        case RELOAD -> m.append("files re-rendered and reload signal sent");
        case NONE -> m.append("new nodes get it (on_config_change: none)");
      }
    }
    return m.toString();
  }

  private Optional<FleetStatus> status(String fleet) {
    try {
      return Optional.of(controller.status(fleet));
    } catch (java.util.NoSuchElementException e) {
      return Optional.empty();
    }
  }

  private static ConfigApi.Config view(EffectiveConfig e) {
    return new ConfigApi.Config(e.scope().environment(), e.scope().role(), e.revision(), e.values().values().stream()
        .map(v -> new ConfigApi.Value(v.key(), v.value(), v.source().name().toLowerCase(), v.revision())).toList());
  }

  // ---- secrets -----------------------------------------------------------------------------

  void secretList(Context ctx) {
    guard(ctx, () -> {
      List<SecretRevision> list = cfg.secrets().list(spec(), env(ctx), role(ctx));
      return new ConfigApi.Secrets(env(ctx) + "/" + role(ctx), list.stream()
          .map(s -> new ConfigApi.SecretInfo(s.name(), s.revision(), s.removed(), s.author(), s.time())).toList());
    });
  }

  void secretSet(Context ctx) {
    guard(ctx, () -> {
      String name = secretName(ctx);
      byte[] value = ctx.bodyAsBytes();
      String author = Optional.ofNullable(ctx.header("X-Herd-Author")).filter(a -> !a.isBlank()).orElse("api");
      SecretRevision r = cfg.secrets().set(spec(), env(ctx), role(ctx), name, value, Edit.by(author));
      return secretWritten(r, "set");
    });
  }

  void secretRemove(Context ctx) {
    guard(ctx, () -> {
      String name = secretName(ctx);
      SecretRevision r = cfg.secrets().remove(spec(), env(ctx), role(ctx), name, Edit.by("api"));
      return secretWritten(r, "removed");
    });
  }

  private ConfigApi.Written secretWritten(SecretRevision r, String what) {
    List<String> released = delivery.secretsChanged(r.scope().environment(), r.scope().role());
    String m = "secret " + r.name() + " of " + r.scope() + " " + what + " (revision " + r.revision() + ")"
        + (released.isEmpty() ? "; no fleet runs " + r.scope() : "; new releases rolling out: " + String.join(", ", released));
    log.info("{}", cfg.redactor().redact(m));
    return new ConfigApi.Written(r.scope().toString(), r.revision(), m);
  }

  void rotateKey(Context ctx) {
    guard(ctx, () -> {
      SecretStore.Rotation r = cfg.secrets().rotateKey();
      return new ConfigApi.Rotation(r.oldKeys(), Integer.toUnsignedString(r.newPrimaryKeyId()), r.reencrypted(), r.resumed());
    });
  }

  private static String secretName(Context ctx) {
    String name = ctx.pathParam("name");
    SecretNames.check(name).ifPresent(m -> {
      throw ApiError.badRequest(m);
    });
    if (name.startsWith("herd-")) {
      throw ApiError.badRequest("secret name " + Params.quote(name) + " starts with herd-, which herd reserves for its own"
          + " files (herd-node-token)");
    }
    return name;
  }

  // ---- flags -------------------------------------------------------------------------------

  void flagList(Context ctx) {
    guard(ctx, () -> {
      String env = flagEnv(ctx);
      FlagSet set = cfg.flags().snapshot(env);
      return new ConfigApi.Flags(env, set.revision(), set.flags().values().stream().map(ConfigRoutes::flagView).toList());
    });
  }

  void flagGet(Context ctx) {
    guard(ctx, () -> {
      String env = flagEnv(ctx);
      FlagContext fc = new FlagContext(ctx.queryParam("key"), ctx.queryParam("fleet"), ctx.queryParam("node"));
      Evaluation e = cfg.flags().evaluate(env, ctx.pathParam("name"), fc);
      return new ConfigApi.Evaluation(e.flag(), e.value(), e.on(), e.reason(), e.revision());
    });
  }

  void flagPut(Context ctx) {
    guard(ctx, () -> {
      String env = flagEnv(ctx);
      String name = ctx.pathParam("name");
      ConfigApi.FlagChange c = Bodies.read(ctx, ConfigApi.FlagChange.class, "{\"on\": true, \"percent\": 30}");
      Edit edit = edit(c.author(), "");
      Optional<Flag> existing = cfg.flags().get(env, name);
      Flag f = existing.orElseGet(() -> Flag.created(name, c.offValue(), c.variants() == null ? null : variants(c)));
      if (existing.isPresent() && c.variants() != null && !c.variants().isEmpty()) {
        f = new Flag(name, Flag.Kind.VARIANT, f.enabled(), f.killed(), c.offValue() == null ? f.offValue() : c.offValue(),
            variants(c), f.rolloutBasisPoints(), f.targeting(), f.description());
      }
      if (c.on() != null) {
        f = f.withEnabled(c.on());
      }
      if (c.percent() != null) {
        f = f.withRollout(c.percent());
      }
      if (c.killed() != null) {
        f = f.withKilled(c.killed());
      }
      if (c.description() != null) {
        f = f.withDescription(c.description());
      }
      var r = cfg.flags().put(spec(), env, f, edit);
      String m = "flag " + name + " in " + env + " is now " + describe(f) + " (flag revision " + r.revision() + ")";
      log.info("{}", cfg.redactor().redact(m));
      return new ConfigApi.Written(env, r.revision(), m);
    });
  }

  void flagKill(Context ctx) {
    guard(ctx, () -> {
      String env = flagEnv(ctx);
      String name = ctx.pathParam("name");
      var r = cfg.flags().kill(spec(), env, name, Edit.by("api"));
      String m = "flag " + name + " in " + env + " killed: everyone gets its off value (flag revision " + r.revision() + ")";
      log.info("{}", m);
      return new ConfigApi.Written(env, r.revision(), m);
    });
  }

  private static List<Flag.Variant> variants(ConfigApi.FlagChange c) {
    return c.variants().stream().map(v -> new Flag.Variant(v.value(), v.weight() == null ? 1 : v.weight())).toList();
  }

  private static String describe(Flag f) {
    if (f.killed()) {
      return "killed";
    }
    return f.enabled() ? "on for " + f.rolloutBasisPoints() / 100.0 + "%" : "off";
  }

  private static ConfigApi.FlagView flagView(Flag f) {
    return new ConfigApi.FlagView(f.name(), f.kind().name().toLowerCase(), f.enabled(), f.killed(),
        f.rolloutBasisPoints() / 100.0 + "%", f.offValue(),
        f.variants().stream().map(v -> new ConfigApi.Variant(v.value(), v.weight())).toList(), f.description());
  }

  private String flagEnv(Context ctx) {
    String env = ctx.pathParam("env");
    if (!spec().environments().containsKey(env)) {
      throw ApiError.notFound("unknown environment " + Params.quote(env) + " (environments: "
          + String.join(", ", new java.util.TreeSet<>(spec().environments().keySet())) + ")");
    }
    return env;
  }

  // ---- node watch --------------------------------------------------------------------------

  /**
   * {@code GET /v1/watch?since=CURSOR&wait=30s} with the node's own token: answers when its
   * config, its environment's flags or discovery moved past the cursor, or after {@code wait}.
   */
  void watch(Context ctx) throws InterruptedException {
    String header = ctx.header("Authorization");
    String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip() : null;
    NodeIdentity node = token == null ? null : cfg.tokens().verify(token).orElse(null);
    if (node == null) {
      ctx.header("WWW-Authenticate", "Bearer");
      throw new ApiError(401, "the watch API needs the node's own token (/run/secrets/herd-node-token) as "
          + "'Authorization: Bearer <token>'");
    }
    Duration wait = DEFAULT_WAIT;
    String w = ctx.queryParam("wait");
    if (w != null && !w.isBlank()) {
      try {
        wait = Durations.parse(w);
      } catch (IllegalArgumentException e) {
        throw ApiError.badRequest("wait: expected a duration like 30s, got " + Params.quote(w));
      }
      if (wait.compareTo(MAX_WAIT) > 0) {
        throw ApiError.badRequest("wait: at most " + Durations.format(MAX_WAIT) + ", got " + Params.quote(w));
      }
    }
    Map<ConfigWatch.Topic, Long> since = new LinkedHashMap<>();
    ConfigWatch.Topic[] topics = {ConfigWatch.Topic.config(node.environment(), node.role()),
        ConfigWatch.Topic.flags(node.environment()), ConfigWatch.Topic.discovery(node.environment())};
    String cursor = ctx.queryParam("since");
    boolean changed = true;
    if (cursor != null && !cursor.isBlank()) {
      String[] parts = cursor.split("\\.");
      if (parts.length != 3) {
        throw ApiError.badRequest("since: expected the cursor of the last answer (three numbers a.b.c), got "
            + Params.quote(cursor));
      }
      for (int i = 0; i < 3; i++) {
        try {
          since.put(topics[i], Long.parseLong(parts[i]));
        } catch (NumberFormatException e) {
          throw ApiError.badRequest("since: expected the cursor of the last answer (three numbers a.b.c), got "
              + Params.quote(cursor));
        }
      }
      changed = !cfg.watch().awaitAny(since, wait).isEmpty();
    }
    Optional<ConfigDelivery.NodeView> view = delivery.view(node.fleet(), node.node());
    if (view.isEmpty()) {
      throw ApiError.notFound("node " + node.node() + " of fleet " + node.fleet() + " is not running");
    }
    String next = cfg.watch().revision(topics[0]) + "." + cfg.watch().revision(topics[1]) + "."
        + cfg.watch().revision(topics[2]);
    ConfigDelivery.NodeView v = view.get();
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("environment", node.environment());
    config.put("role", node.role());
    config.put("node", node.node());
    config.put("revision", v.config().revision());
    config.put("values", v.config().asMap());
    Map<String, Object> flags = new LinkedHashMap<>();
    flags.put("environment", node.environment());
    flags.put("revision", v.flags().revision());
    Map<String, Object> values = new TreeMap<>();
    v.flags().evaluateAll(FlagContext.ofNode(node.fleet(), node.node()))
        .forEach((n, e) -> values.put(n, Map.of("value", e.value(), "on", e.on(), "reason", e.reason())));
    flags.put("flags", values);
    Discovery d = v.discovery();
    Map<String, Object> discovery = new LinkedHashMap<>();
    discovery.put("revision", d.revision());
    Map<String, List<Map<String, Object>>> byFleet = new TreeMap<>();
    for (Endpoint e : d.endpoints()) {
      byFleet.computeIfAbsent(e.fleet(), k -> new ArrayList<>()).add(Map.of("node", e.node(), "host", e.host(), "port", e.port()));
    }
    discovery.put("fleets", byFleet);
    discovery.put("front_doors", dev.herd.config.NodeFiles.frontDoors(d));
    respond(ctx, new ConfigApi.Watch(changed, next, config, flags, discovery));
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** Runs a request, maps config errors to statuses and answers with the redacted JSON. */
  private void guard(Context ctx, Supplier<Object> work) {
    Object result;
    try {
      result = work.get();
    } catch (ConfigException e) {
      throw new ApiError(switch (e.kind()) {
        case INVALID -> 400;
        case NOT_FOUND -> 404;
        case KEY -> 409;
        case STORAGE -> 500;
      }, e.getMessage());
    } catch (IllegalStateException e) {
      throw ApiError.conflict(e.getMessage());
    }
    respond(ctx, result);
  }

  private void respond(Context ctx, Object body) {
    if (body instanceof ConfigApi.Value v && Params.wantsText(ctx)) {
      Params.text(ctx, cfg.redactor().redact(v.value()) + System.lineSeparator());
      return;
    }
    try {
      ctx.contentType("application/json").result(cfg.redactor().redact(json.writeValueAsString(body)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the answer", e);
    }
  }

  private Spec spec() {
    return delivery.spec().orElseGet(specOnDisk);
  }

  private static String env(Context ctx) {
    return ctx.pathParam("env");
  }

  private static String role(Context ctx) {
    return ctx.pathParam("role");
  }

  private static long required(Context ctx, String name) {
    if (ctx.queryParam(name) == null) {
      throw ApiError.badRequest(name + " is missing (diff?from=A&to=B)");
    }
    return Params.nonNegativeLong(ctx, name, 0);
  }

  private static Edit edit(String author, String message) {
    try {
      return new Edit(author == null || author.isBlank() ? "api" : author, message == null ? "" : message);
    } catch (ConfigException e) {
      throw ApiError.badRequest(e.getMessage());
    }
  }
}
