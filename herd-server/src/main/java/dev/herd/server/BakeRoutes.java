package dev.herd.server;

import dev.herd.bake.BakeException;
import dev.herd.bake.BakeListener;
import dev.herd.bake.BakeResult;
import dev.herd.bake.ProgressLines;
import dev.herd.common.Refusal;
import dev.herd.server.api.Api;
import dev.herd.spec.Spec;
import io.javalin.http.Context;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/bake}: an operator's {@code herd bake} run by the controller, in its warm JVM
 * with the same store and caches, one bake at a time with apply's. With {@code Accept:
 * text/plain} the answer is the CLI's output as it happens, one line each: {@code err: } a
 * progress line (the CLI's stderr), {@code out: } a result line (its stdout), lines that are only
 * {@code :} keep an idle connection open, and the last line is {@code exit: N}, the CLI's exit
 * code ({@link TextStream}). Otherwise the answer is JSON once every role is baked.
 */
final class BakeRoutes {
  private static final Logger log = LoggerFactory.getLogger(BakeRoutes.class);
  /** Variables a bake reads from its environment: a client whose values differ is refused. */
  static final List<String> BAKE_ENVIRONMENT = List.of("SOURCE_DATE_EPOCH", "XDG_CACHE_HOME", "HERD_INDEX_MAX_AGE",
      "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY");
  private static final String EXAMPLE = "{\"roles\": [\"web\"], \"locked\": false}";

  private final SpecApplier applier;
  private final Map<String, String> environment;
  private final String user;

  BakeRoutes(SpecApplier applier, Map<String, String> environment, String user) {
    this.applier = applier;
    this.environment = Map.copyOf(environment.entrySet().stream().filter(e -> BAKE_ENVIRONMENT.contains(e.getKey()))
        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    this.user = user;
  }

  void bake(Context ctx) {
    Api.BakeRequest body = Bodies.read(ctx, Api.BakeRequest.class, EXAMPLE);
    RoleImages.Bakery bakery = applier.images().bakery().orElseThrow(() -> ApiError.conflict(
        "this controller does not bake (herd up --no-bake): run herd bake without it"));
    Path specFile = applier.specFile();
    if (body.spec() != null && !SpecFiles.same(Path.of(body.spec()), specFile)) {
      throw ApiError.conflict("this controller bakes " + specFile + ", not " + Params.quote(body.spec()));
    }
    if (body.user() != null && !body.user().equals(user)) {
      throw ApiError.conflict("this controller runs as " + user + ", not " + Params.quote(body.user())
          + ": a bake as another user would differ");
    }
    if (body.environment() != null) {
      for (String k : BAKE_ENVIRONMENT) {
        // values are compared, never echoed: a proxy URL may hold a password
        if (!Objects.equals(body.environment().get(k), environment.get(k))) {
          throw ApiError.conflict("the client's " + k + " differs from this controller's: a bake here would not be the"
              + " client's");
        }
      }
    }
    Spec spec = SpecFiles.load(specFile, "nothing was baked");
    List<String> roles = body.roles() == null || body.roles().isEmpty() ? List.copyOf(spec.roles().keySet()) : body.roles();
    for (String r : roles) {
      if (!spec.roles().containsKey(r)) {
        throw ApiError.badRequest("no role " + Params.quote(r) + " in " + specFile.getFileName() + " (roles: "
            + String.join(", ", spec.roles().keySet()) + ")");
      }
    }
    boolean locked = Boolean.TRUE.equals(body.locked());
    if (Params.wantsText(ctx)) {
      stream(ctx, bakery, spec, roles, locked);
      return;
    }
    List<Api.BakedImage> baked = new ArrayList<>();
    for (String r : roles) {
      try {
        BakeResult result = bakery.bake(spec, r, locked, BakeListener.NONE);
        log.info("role {}: baked through the API: {}", r, result.line());
        baked.add(new Api.BakedImage(r, result.image().ref().toString(), result.image().digest().toString(), result.line()));
      } catch (BakeException e) {
        throw new ApiError(422, "bake of role " + r + " failed: " + e.getMessage());
      }
    }
    ctx.json(new Api.Baked(baked));
  }

  private void stream(Context ctx, RoleImages.Bakery bakery, Spec spec, List<String> roles, boolean locked) {
    TextStream out = TextStream.open(ctx, "bake");
    int code = 0;
    try {
      for (String r : roles) {
        BakeResult result;
        try {
          result = bakery.bake(spec, r, locked, new ProgressLines(r, false, out::err));
        } catch (BakeException e) {
          out.err("herd: bake of role " + r + " failed: " + e.getMessage());
          code = 1;
          break;
        }
        out.out(result.line());
        log.info("role {}: baked through the API: {}", r, result.line());
      }
    } catch (RuntimeException e) {
      // as the CLI says it: a refusal plainly, anything else as unexpected (no stack trace here)
      Refusal refusal = Refusal.in(e);
      if (refusal != null) {
        out.err("herd: " + refusal.getMessage());
        code = refusal.environmental() ? 4 : 1;
      } else {
        log.warn("bake through the API failed unexpectedly", e);
        String what = e instanceof UncheckedIOException u ? u.getCause().toString() : e.toString();
        out.err("herd: unexpected error: " + what);
        out.err("herd: run again with -v for details");
        code = 1;
      }
    }
    out.exit(code);
    if (out.broken()) {
      log.info("bake client went away before the end; the bake ran to its end ({})", code == 0 ? "baked" : "failed");
    }
  }
}
