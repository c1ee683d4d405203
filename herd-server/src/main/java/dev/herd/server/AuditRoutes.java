package dev.herd.server;

import dev.herd.bake.audit.AuditFinding;
import dev.herd.bake.audit.AuditReport;
import dev.herd.bake.audit.TreeAudit;
import dev.herd.bake.tree.TreeException;
import dev.herd.server.api.Api;
import dev.herd.spec.Role;
import dev.herd.spec.Spec;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/audit}: an operator's {@code herd audit ROLE --root DIR} run by the controller,
 * in its warm JVM (hashing at full speed from the first file), against the controller's herd.yaml.
 * With {@code Accept: text/plain} the answer is the CLI's output, as {@link BakeRoutes} streams a
 * bake's: {@code out: } a difference (the CLI's stdout), {@code err: } the summary or an error,
 * and {@code exit: N}, the CLI's exit code (0 matches, 2 differs, 4 could not audit). Otherwise
 * JSON. It reads the tree and changes nothing; the caller holds the API token, so it may read
 * what the controller's user may.
 */
final class AuditRoutes {
  private static final Logger log = LoggerFactory.getLogger(AuditRoutes.class);
  private static final String EXAMPLE = "{\"role\": \"web\", \"root\": \"/srv/pet-root\"}";

  private final SpecApplier applier;
  private final Path stateDir;
  private final String sourceDateEpoch;
  private final String user;

  AuditRoutes(SpecApplier applier, Path stateDir, String sourceDateEpoch, String user) {
    this.applier = applier;
    this.stateDir = stateDir;
    this.sourceDateEpoch = sourceDateEpoch;
    this.user = user;
  }

  void audit(Context ctx) {
    Api.AuditRequest body = Bodies.read(ctx, Api.AuditRequest.class, EXAMPLE);
    if (body.role() == null || body.role().isBlank()) {
      throw ApiError.badRequest("role is required, e.g. " + EXAMPLE);
    }
    if (body.root() == null || !Path.of(body.root()).isAbsolute()) {
      throw ApiError.badRequest("root must be an absolute path, e.g. " + EXAMPLE);
    }
    Path specFile = applier.specFile();
    if (body.spec() != null && !SpecFiles.same(Path.of(body.spec()), specFile)) {
      throw ApiError.conflict("this controller's herd.yaml is " + specFile + ", not " + Params.quote(body.spec()));
    }
    if (body.user() != null && !body.user().equals(user)) {
      throw ApiError.conflict("this controller runs as " + user + ", not " + Params.quote(body.user())
          + ": it would not read the tree as the client would");
    }
    if (body.environment() != null && !Objects.equals(body.environment().get("SOURCE_DATE_EPOCH"), sourceDateEpoch)) {
      // templates render with it: the expected content would not be the client's
      throw ApiError.conflict("the client's SOURCE_DATE_EPOCH differs from this controller's: an audit here would not be the client's");
    }
    Spec spec = SpecFiles.load(specFile, "nothing was audited");
    Role role = spec.roles().get(body.role());
    if (role == null) {
      throw ApiError.badRequest("no role " + Params.quote(body.role()) + " in " + specFile.getFileName() + " (roles: "
          + String.join(", ", spec.roles().keySet()) + ")");
    }
    Path root = Path.of(body.root());
    if (!Files.isDirectory(root)) {
      throw ApiError.badRequest("--root " + root + " is not a directory");
    }
    AuditReport report;
    try {
      report = TreeAudit.ofDirectory(spec, role, stateDir, root, sourceDateEpoch);
    } catch (UncheckedIOException | IllegalArgumentException | TreeException e) {
      throw new ApiError(422, "audit of role " + role.name() + " failed: " + e.getMessage());
    }
    log.info("role {}: audited {} through the API: {}", role.name(), root, report.summary());
    if (!Params.wantsText(ctx)) {
      ctx.json(new Api.Audited(role.name(), report.matches(), report.findings().stream().map(AuditFinding::line).toList(),
          report.summary()));
      return;
    }
    StringBuilder text = new StringBuilder();
    for (AuditFinding f : report.findings()) {
      text.append("out: ").append(f.line()).append('\n');
    }
    text.append("err: ").append(report.summary()).append('\n');
    text.append("exit: ").append(report.matches() ? 0 : 2).append('\n');
    ctx.status(200).contentType("text/plain; charset=utf-8");
    ctx.res().setHeader("Cache-Control", "no-store");
    try (OutputStream out = ctx.res().getOutputStream()) {
      out.write(text.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      log.info("audit client went away before the answer: {}", e.getMessage());
    }
  }
}
