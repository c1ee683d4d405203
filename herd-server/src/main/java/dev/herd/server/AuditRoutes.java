package dev.herd.server;

import dev.herd.bake.audit.AuditFinding;
import dev.herd.bake.audit.AuditReport;
import dev.herd.bake.audit.TreeAudit;
import dev.herd.bake.tree.TreeException;
import dev.herd.server.api.Api;
import dev.herd.spec.Role;
import dev.herd.spec.Spec;
import io.javalin.http.Context;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/audit}: an operator's {@code herd audit ROLE --root DIR} run by the controller,
 * in its warm JVM (hashing at full speed from the first file), against the controller's herd.yaml.
 * With {@code Accept: text/plain} the answer is the CLI's output, streamed as a bake's ({@link
 * TextStream}: keep-alive lines while a big tree is hashed): {@code out: } a difference (the
 * CLI's stdout), {@code err: } the summary or an error, and {@code exit: N}, the CLI's exit code
 * (0 matches, 2 differs, 4 could not audit). Otherwise JSON. It reads the tree and changes nothing; the caller holds the API token, so it may read
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
    if (!Params.wantsText(ctx)) {
      AuditReport report;
      try {
        report = TreeAudit.ofDirectory(spec, role, stateDir, root, sourceDateEpoch);
      } catch (UncheckedIOException | IllegalArgumentException | TreeException e) {
        throw new ApiError(422, "audit of role " + role.name() + " failed: " + e.getMessage());
      }
      log.info("role {}: audited {} through the API: {}", role.name(), root, report.summary());
      ctx.json(new Api.Audited(role.name(), report.matches(), report.findings().stream().map(AuditFinding::line).toList(),
          report.summary()));
      return;
    }
    // the CLI's lines as it prints them; keep-alive lines while a big tree is hashed
    TextStream out = TextStream.open(ctx, "audit");
    int code;
    try {
      AuditReport report = TreeAudit.ofDirectory(spec, role, stateDir, root, sourceDateEpoch);
      report.findings().forEach(f -> out.out(f.line()));
      out.err(report.summary());
      code = report.matches() ? 0 : 2;
      log.info("role {}: audited {} through the API: {}", role.name(), root, report.summary());
    } catch (UncheckedIOException | IllegalArgumentException | TreeException e) {
      out.err("herd: audit of role " + role.name() + " failed: " + e.getMessage());
      code = 4;
    } catch (RuntimeException e) {
      log.warn("audit through the API failed unexpectedly", e);
      out.err("herd: unexpected error: " + e);
      out.err("herd: run again with -v for details");
      code = 1;
    }
    out.exit(code);
    if (out.broken()) {
      log.info("audit client went away before the end ({})", code);
    }
  }
}
