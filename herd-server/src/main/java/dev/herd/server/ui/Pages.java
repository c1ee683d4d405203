package dev.herd.server.ui;

import static dev.herd.server.ui.Html.age;
import static dev.herd.server.ui.Html.cls;
import static dev.herd.server.ui.Html.esc;
import static dev.herd.server.ui.Html.seg;
import static dev.herd.server.ui.Html.time;

import dev.herd.config.ConfigDiff;
import dev.herd.config.ConfigRevision;
import dev.herd.config.SecretRevision;
import dev.herd.control.ControllerEvent;
import dev.herd.control.FleetStatus;
import dev.herd.control.NodeLogLine;
import dev.herd.control.NodeStatus;
import dev.herd.control.ReleaseInfo;
import dev.herd.control.RolloutStatus;
import dev.herd.control.drift.DriftFinding;
import dev.herd.image.catalog.CatalogImage;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SortedMap;
import java.util.function.Function;

/**
 * The dashboard's HTML, rendered on the server from the controller's records. Pure functions of
 * their arguments (no I/O), so escaping is tested in memory. Every page reads without
 * JavaScript; with it, htmx refreshes tables when the event stream says something happened.
 */
final class Pages {
  private Pages() {}

  /** Who is looking: the project's name and the session's CSRF token for the forms. */
  record Viewer(String project, String csrf) {}

  /** One fleet's line on the fleets page. */
  record FleetRow(FleetStatus fleet, String immutability, OptionalDouble requestsPerSecond) {}

  /** One node's last probe, when there was one. */
  record NodeRow(NodeStatus node, Optional<LastProbes.Probe> probe) {}

  private static final String[][] NAV = {{"/ui/", "fleets"}, {"/ui/rollouts", "rollouts"}, {"/ui/events", "events"},
      {"/ui/images", "images"}, {"/ui/config", "config"}, {"/ui/drift", "drift"}};

  // ---- layout ------------------------------------------------------------------------------

  static String layout(Viewer v, String active, String title, String body) {
    StringBuilder h = new StringBuilder(4096);
    h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        // no inline style (CSP) and no eval: htmx only swaps server-rendered HTML
        .append("<meta name=\"htmx-config\" content=\"{&quot;includeIndicatorStyles&quot;:false,&quot;allowEval&quot;:false,")
        .append("&quot;allowScriptTags&quot;:false}\">")
        .append("<title>").append(esc(title)).append(" · ").append(esc(v.project())).append(" · herd</title>")
        .append("<link rel=\"stylesheet\" href=\"/ui/assets/herd.css\">")
        .append("<script src=\"/ui/assets/htmx.min.js\" defer></script>")
        .append("<script src=\"/ui/assets/sse.js\" defer></script></head><body>")
        .append("<header><a class=\"brand\" href=\"/ui/\">herd</a><span class=\"project\">").append(esc(v.project()))
        .append("</span><nav>");
    for (String[] n : NAV) {
      h.append("<a href=\"").append(n[0]).append('"').append(n[1].equals(active) ? " class=\"active\"" : "").append('>')
          .append(n[1]).append("</a>");
    }
    h.append("</nav><form class=\"logout\" method=\"post\" action=\"/ui/logout\">").append(csrf(v))
        .append("<button type=\"submit\">log out</button></form></header><main><h1>").append(esc(title)).append("</h1>")
        .append(body).append("</main></body></html>");
    return h.toString();
  }

  /** The page a browser without a session gets: how to log in, and nothing of the project. */
  static String loginNeeded(String why) {
    return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<title>login needed · herd</title><link rel=\"stylesheet\" href=\"/ui/assets/herd.css\"></head><body>"
        + "<header><span class=\"brand\">herd</span></header><main class=\"narrow\"><h1>Login needed</h1>"
        + "<p>" + esc(why) + "</p><p>Run <code>herd dashboard</code> in the project (add <code>--open</code> to open"
        + " a browser) and follow the URL it prints. Each URL works once, for two minutes.</p></main></body></html>";
  }

  /** A refused request or action, with a way back. */
  static String error(Viewer v, int status, String reason, String back) {
    String body = "<p class=\"refused\">" + esc(reason) + "</p>"
        + (back == null ? "" : "<p><a href=\"" + esc(back) + "\">back</a></p>");
    return v == null
        ? "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + status + " · herd</title>"
            + "<link rel=\"stylesheet\" href=\"/ui/assets/herd.css\"></head><body><main class=\"narrow\"><h1>" + status
            + "</h1>" + body + "</main></body></html>"
        : layout(v, "", status == 404 ? "Not found" : "Refused (" + status + ")", body);
  }

  static String csrf(Viewer v) {
    return "<input type=\"hidden\" name=\"csrf\" value=\"" + esc(v.csrf()) + "\">";
  }

  /** Live refresh: re-fetch {@code fragment} into this element on every controller event. */
  private static String live(String fragment, long after, String inner) {
    return "<div class=\"live\" hx-ext=\"sse\" sse-connect=\"/ui/events/stream?after=" + after + "\">"
        + "<div hx-get=\"" + esc(fragment) + "\" hx-trigger=\"sse:herd throttle:300ms\" hx-swap=\"innerHTML\">"
        + inner + "</div></div>";
  }

  // ---- fleets ------------------------------------------------------------------------------

  static String fleets(Viewer v, List<FleetRow> rows, Instant now, long lastEvent) {
    return layout(v, "fleets", "Fleets", live("/ui/fragments/fleets", lastEvent, fleetTable(rows, now)));
  }

  static String fleetTable(List<FleetRow> rows, Instant now) {
    if (rows.isEmpty()) {
      return "<p class=\"empty\">No fleets yet: <code>herd apply</code> creates them from herd.yaml.</p>";
    }
    StringBuilder h = new StringBuilder("<table class=\"fleets\"><thead><tr><th>fleet</th><th>role</th><th>release</th>"
        + "<th>health</th><th>rollout</th><th>immutability</th><th>front door</th><th>requests/s</th></tr></thead><tbody>");
    for (FleetRow r : rows) {
      FleetStatus f = r.fleet();
      long live = f.nodes().stream().filter(n -> n.phase().live()).count();
      String health = f.deleted() ? "deleted" : f.healthy() + "/" + f.count() + " healthy"
          + (live > f.count() ? " (" + live + " running)" : "");
      h.append("<tr class=\"fleet ").append(f.healthy() >= f.count() ? "ok" : "degraded").append("\">")
          .append("<td data-label=\"fleet\"><a href=\"/ui/fleets/").append(esc(seg(f.fleet()))).append("\">")
          .append(esc(f.fleet())).append("</a></td>")
          .append("<td data-label=\"role\">").append(esc(f.role())).append("</td>")
          .append("<td data-label=\"release\">").append(esc(f.currentRelease())).append("</td>")
          .append("<td data-label=\"health\">").append(esc(health)).append("</td>")
          .append("<td data-label=\"rollout\">").append(f.rollout().map(ro -> esc(ro.state().name().toLowerCase())
              + " → " + esc(ro.toRelease())).orElse("–")).append("</td>")
          .append("<td data-label=\"immutability\">").append(esc(r.immutability())).append("</td>")
          .append("<td data-label=\"front door\">").append(esc(f.address().orElse("–"))).append("</td>")
          .append("<td data-label=\"requests/s\">").append(f.address().isEmpty() ? "–"
              : r.requestsPerSecond().isPresent() ? esc(String.format(java.util.Locale.ROOT, "%.1f",
                  r.requestsPerSecond().getAsDouble())) : "not measured").append("</td></tr>");
    }
    return h.append("</tbody></table>").toString();
  }

  // ---- one fleet: nodes --------------------------------------------------------------------

  static String fleet(Viewer v, FleetStatus f, List<NodeRow> nodes, List<ReleaseInfo> releases, Instant now,
      long lastEvent) {
    String fleetUrl = "/ui/fleets/" + seg(f.fleet());
    StringBuilder b = new StringBuilder();
    b.append("<p class=\"summary\">role <b>").append(esc(f.role())).append("</b> · release <b>")
        .append(esc(f.currentRelease())).append("</b> · last good ").append(esc(f.lastGoodRelease().orElse("–")))
        .append(" · ").append(f.count()).append(" nodes").append(f.scaleOverride().isPresent()
            ? " (scaled; herd.yaml says " + f.specCount() + ")" : "")
        .append(f.address().map(a -> " · front door " + esc(a)).orElse("")).append("</p>");
    b.append(live(fleetUrl + "/nodes", lastEvent, nodeTable(f, nodes, now)));
    b.append("<h2>Releases</h2>").append(releases(releases, now));
    return layout(v, "fleets", "Fleet " + f.fleet(), b.toString());
  }

  static String nodeTable(FleetStatus f, List<NodeRow> nodes, Instant now) {
    StringBuilder h = new StringBuilder();
    f.rollout().ifPresent(r -> h.append("<p class=\"rollout-line\">").append(rolloutLine(r, f)).append(" · <a href=\"/ui/rollouts#")
        .append(esc(seg(f.fleet()))).append("\">steer</a></p>"));
    if (nodes.isEmpty()) {
      return h.append("<p class=\"empty\">No nodes.</p>").toString();
    }
    h.append("<table class=\"nodes\"><thead><tr><th>node</th><th>state</th><th>gen</th><th>age</th><th>port</th>"
        + "<th>release</th><th>last probe</th><th>logs</th></tr></thead><tbody>");
    for (NodeRow row : nodes) {
      NodeStatus n = row.node();
      String probe = row.probe().map(p -> (p.ok() ? "ok" : "failed") + " " + age(p.at(), now) + " ago: " + p.detail())
          .orElse("–");
      h.append("<tr class=\"node ").append(cls(n.phase().name())).append("\" data-node=\"").append(esc(n.name()))
          .append("\" data-generation=\"").append(n.generation()).append("\">")
          .append("<td data-label=\"node\">").append(esc(n.name())).append("</td>")
          .append("<td data-label=\"state\"><span class=\"state ").append(cls(n.phase().name())).append("\">")
          .append(esc(n.phase().name().toLowerCase())).append("</span>").append(n.inService() ? " · in service" : "")
          .append(n.reason() == null || n.reason().isEmpty() ? "" : "<br><small>" + esc(n.reason()) + "</small>")
          .append("</td><td data-label=\"gen\">").append(n.generation()).append("</td>")
          .append("<td data-label=\"age\">").append(age(n.createdAt(), now)).append("</td>")
          .append("<td data-label=\"port\">").append(n.port()).append("</td>")
          .append("<td data-label=\"release\">").append(esc(n.release())).append("</td>")
          .append("<td data-label=\"last probe\">").append(esc(probe)).append("</td>")
          .append("<td data-label=\"logs\"><a href=\"/ui/fleets/").append(esc(seg(f.fleet()))).append("/nodes/")
          .append(esc(seg(n.name()))).append("/logs\">logs</a></td></tr>");
    }
    return h.append("</tbody></table>").toString();
  }

  private static String releases(List<ReleaseInfo> releases, Instant now) {
    if (releases.isEmpty()) {
      return "<p class=\"empty\">No releases.</p>";
    }
    StringBuilder h = new StringBuilder("<table class=\"releases\"><thead><tr><th>release</th><th>image</th>"
        + "<th>config rev</th><th>secrets (revisions)</th><th>created</th></tr></thead><tbody>");
    for (ReleaseInfo r : releases.subList(0, Math.min(releases.size(), 20))) {
      h.append("<tr><td data-label=\"release\">").append(esc(r.id())).append("</td><td data-label=\"image\"><code>")
          .append(esc(shortDigest(r.image()))).append("</code></td><td data-label=\"config rev\">").append(r.configRevision())
          .append("</td><td data-label=\"secrets\">").append(esc(revisions(r.secretRevisions())))
          .append("</td><td data-label=\"created\">").append(age(r.createdAt(), now)).append(" ago</td></tr>");
    }
    return h.append("</tbody></table>").toString();
  }

  private static String revisions(Map<String, Long> secretRevisions) {
    if (secretRevisions.isEmpty()) {
      return "–";
    }
    StringBuilder s = new StringBuilder();
    new java.util.TreeMap<>(secretRevisions).forEach((k, rev) -> s.append(s.isEmpty() ? "" : ", ").append(k).append(" r").append(rev));
    return s.toString();
  }

  // ---- rollouts ----------------------------------------------------------------------------

  static String rollouts(Viewer v, List<FleetStatus> fleets, Instant now, long lastEvent) {
    return layout(v, "rollouts", "Rollouts", live("/ui/fragments/rollouts", lastEvent, rolloutList(v, fleets, now)));
  }

  static String rolloutList(Viewer v, List<FleetStatus> fleets, Instant now) {
    if (fleets.isEmpty()) {
      return "<p class=\"empty\">No fleets.</p>";
    }
    StringBuilder h = new StringBuilder();
    for (FleetStatus f : fleets) {
      if (f.deleted()) {
        continue;
      }
      String base = "/ui/fleets/" + seg(f.fleet());
      h.append("<section class=\"rollout\" id=\"").append(esc(seg(f.fleet()))).append("\" data-fleet=\"").append(esc(f.fleet()))
          .append("\"><h2><a href=\"").append(esc(base)).append("\">").append(esc(f.fleet())).append("</a></h2>");
      if (f.rollout().isEmpty()) {
        h.append("<p>No rollout: on <b>").append(esc(f.currentRelease())).append("</b> (last good ")
            .append(esc(f.lastGoodRelease().orElse("–"))).append(").</p>");
      } else {
        RolloutStatus r = f.rollout().get();
        int[] p = progress(r, f);
        h.append("<p class=\"state ").append(cls(r.state().name())).append("\" data-state=\"")
            .append(esc(r.state().name().toLowerCase())).append("\">").append(rolloutLine(r, f)).append("</p>")
            .append("<progress max=\"").append(Math.max(1, f.count())).append("\" value=\"").append(p[1]).append("\">")
            .append(p[1]).append('/').append(f.count()).append("</progress>")
            .append("<p><small>started ").append(age(r.startedAt(), now)).append(" ago")
            .append(r.reason().isEmpty() ? "" : " · " + esc(r.reason())).append("</small></p>");
      }
      h.append("<div class=\"actions\">");
      for (String action : List.of("pause", "resume", "abort", "promote")) {
        boolean useful = f.rollout().isPresent() && switch (action) {
          case "pause" -> f.rollout().get().state() == RolloutStatus.State.RUNNING;
          case "resume" -> f.rollout().get().state() != RolloutStatus.State.RUNNING;
          case "promote" -> f.rollout().get().strategy() == dev.herd.spec.Fleet.Strategy.CANARY
              && !f.rollout().get().promoted();
          default -> true;
        };
        h.append(button(v, base + "/rollout/" + action, action, useful));
      }
      h.append(button(v, base + "/rollback", "rollback", f.lastGoodRelease().isPresent()));
      h.append("</div></section>");
    }
    return h.toString();
  }

  private static String button(Viewer v, String action, String label, boolean enabled) {
    return "<form method=\"post\" action=\"" + esc(action) + "\">" + csrf(v) + "<button type=\"submit\" name=\"do\" value=\""
        + esc(label) + "\" class=\"" + esc(label) + "\"" + (enabled ? "" : " disabled") + ">" + esc(label) + "</button></form>";
  }

  /** "rolling web:v1 → web:v2 running: 2/3 updated, 1 ready". */
  private static String rolloutLine(RolloutStatus r, FleetStatus f) {
    int[] p = progress(r, f);
    return esc((r.rollback() ? "rollback " : r.strategy().keyword().replace('_', '-') + " ") + r.fromRelease() + " → "
        + r.toRelease() + " " + r.state().name().toLowerCase() + ": " + p[0] + "/" + f.count() + " updated, " + p[1]
        + " ready");
  }

  private static int[] progress(RolloutStatus r, FleetStatus f) {
    int updated = 0;
    int ready = 0;
    for (NodeStatus n : f.nodes()) {
      if (n.phase().live() && n.release().equals(r.toRelease())) {
        updated++;
        if (n.phase() == NodeStatus.Phase.HEALTHY) {
          ready++;
        }
      }
    }
    return new int[] {updated, ready};
  }

  // ---- events ------------------------------------------------------------------------------

  static String events(Viewer v, List<ControllerEvent> newestFirst, long lastEvent) {
    StringBuilder h = new StringBuilder("<p class=\"hint\">Newest first; new events appear as they happen.</p>")
        .append("<table class=\"events\"><thead><tr><th>time</th><th>fleet</th><th>node</th><th>kind</th><th>reason</th>")
        .append("</tr></thead><tbody id=\"event-rows\" hx-ext=\"sse\" sse-connect=\"/ui/events/stream?after=")
        .append(lastEvent).append("\" sse-swap=\"herd\" hx-swap=\"afterbegin\">");
    newestFirst.forEach(e -> h.append(eventRow(e)));
    return layout(v, "events", "Events", h.append("</tbody></table>").toString());
  }

  /** One event as a table row: one line of HTML (it travels as one SSE data line). */
  static String eventRow(ControllerEvent e) {
    String row = "<tr class=\"event " + cls(e.kind()) + "\" data-id=\"" + e.id() + "\"><td data-label=\"time\">"
        + time(e.time()) + "</td><td data-label=\"fleet\">" + esc(e.fleet()) + "</td><td data-label=\"node\">"
        + esc(e.node()) + "</td><td data-label=\"kind\">" + esc(e.kind()) + "</td><td data-label=\"reason\">"
        + esc(e.reason()) + "</td></tr>";
    return row.replace("\r", "&#13;").replace("\n", "&#10;");
  }

  // ---- logs --------------------------------------------------------------------------------

  static String logs(Viewer v, String fleet, String node, boolean gone, List<NodeLogLine> lines, String window) {
    String base = "/ui/fleets/" + seg(fleet) + "/nodes/" + seg(node) + "/logs";
    StringBuilder h = new StringBuilder("<p class=\"summary\">fleet <a href=\"/ui/fleets/").append(esc(seg(fleet)))
        .append("\">").append(esc(fleet)).append("</a>").append(gone ? " · this node is gone; its lines are kept" : "")
        .append(" · last ").append(esc(window)).append(": ");
    for (String w : List.of("5m", "1h", "24h", "all")) {
      h.append("<a href=\"").append(esc(base)).append("?since=").append(w).append("\">").append(w).append("</a> ");
    }
    h.append("</p>");
    if (lines.isEmpty()) {
      h.append("<p class=\"empty\">No lines in this window.</p>");
    } else {
      h.append("<pre class=\"logs\">");
      for (NodeLogLine l : lines) {
        h.append("<span class=\"").append(cls(l.stream())).append("\">").append(time(l.time())).append(" g")
            .append(l.generation()).append(' ').append(esc(l.stream())).append("  ").append(esc(l.text())).append("</span>\n");
      }
      h.append("</pre>");
    }
    return layout(v, "fleets", "Logs of " + node, h.toString());
  }

  // ---- images ------------------------------------------------------------------------------

  static String images(Viewer v, Map<String, List<CatalogImage>> byRole, Instant now) {
    StringBuilder h = new StringBuilder();
    if (byRole.isEmpty()) {
      h.append("<p class=\"empty\">No images: <code>herd bake</code> makes them.</p>");
    }
    byRole.forEach((role, images) -> {
      h.append("<h2>").append(esc(role)).append("</h2><table class=\"images\"><thead><tr><th>image</th><th>digest</th>")
          .append("<th>registered</th><th>size</th><th>channels</th><th>revoked</th></tr></thead><tbody>");
      for (CatalogImage i : images) {
        h.append("<tr class=\"").append(i.revoked() ? "revoked" : "").append("\"><td data-label=\"image\"><a href=\"/ui/images/")
            .append(esc(seg(i.role()))).append('/').append(i.version()).append("\">").append(esc(i.ref())).append("</a></td>")
            .append("<td data-label=\"digest\"><code>").append(esc(i.digest().shortHex())).append("</code></td>")
            .append("<td data-label=\"registered\">").append(age(i.created(), now)).append(" ago</td>")
            .append("<td data-label=\"size\">").append(size(i.size())).append("</td>")
            .append("<td data-label=\"channels\">").append(i.channels().isEmpty() ? "–" : esc(String.join(", ", i.channels())))
            .append("</td><td data-label=\"revoked\">").append(i.revocation().map(r -> esc(time(r.at()) + ": " + r.reason()))
                .orElse("–")).append("</td></tr>");
      }
      h.append("</tbody></table>");
    });
    return layout(v, "images", "Images", h.toString());
  }

  static String image(Viewer v, CatalogImage i, Optional<SortedMap<String, String>> packages) {
    StringBuilder h = new StringBuilder("<dl class=\"facts\">");
    fact(h, "digest", "<code>" + esc(i.digest()) + "</code>");
    fact(h, "registered", esc(time(i.created())));
    fact(h, "size", size(i.size()));
    fact(h, "channels", i.channels().isEmpty() ? "–" : esc(String.join(", ", i.channels())));
    fact(h, "revoked", i.revocation().map(r -> esc(time(r.at()) + ": " + r.reason())).orElse("no"));
    fact(h, "spec digest", "<code>" + esc(orDash(i.lineage().specDigest())) + "</code>");
    fact(h, "git commit", "<code>" + esc(orDash(i.lineage().gitCommit())) + "</code>");
    fact(h, "base", "<code>" + esc(orDash(i.lineage().baseDigest())) + "</code>");
    h.append("</dl><h2>Packages (SBOM)</h2>");
    if (packages.isEmpty()) {
      h.append("<p class=\"empty\">No SBOM recorded for this image.</p>");
    } else if (packages.get().isEmpty()) {
      h.append("<p class=\"empty\">The SBOM lists no packages.</p>");
    } else {
      h.append("<table class=\"packages\"><thead><tr><th>package</th><th>version</th></tr></thead><tbody>");
      packages.get().forEach((name, version) -> h.append("<tr><td data-label=\"package\">").append(esc(name))
          .append("</td><td data-label=\"version\">").append(esc(version)).append("</td></tr>"));
      h.append("</tbody></table>");
    }
    return layout(v, "images", "Image " + i.ref(), h.toString());
  }

  private static void fact(StringBuilder h, String name, String html) {
    h.append("<dt>").append(esc(name)).append("</dt><dd>").append(html).append("</dd>");
  }

  // ---- config ------------------------------------------------------------------------------

  /** One env/role scope: its config history (keys only) and secrets (names and revisions only). */
  record ConfigScope(String env, String role, List<ConfigRevision> history, List<SecretRevision> secrets) {}

  static String config(Viewer v, List<ConfigScope> scopes, Instant now) {
    StringBuilder h = new StringBuilder("<p class=\"hint\">Keys and revisions; secret values are never shown.</p>");
    if (scopes.isEmpty()) {
      h.append("<p class=\"empty\">No fleet runs an environment with config yet.</p>");
    }
    for (ConfigScope s : scopes) {
      String base = "/ui/config/" + seg(s.env()) + "/" + seg(s.role());
      h.append("<h2><a href=\"").append(esc(base)).append("\">").append(esc(s.env() + "/" + s.role())).append("</a></h2>")
          .append(history(s.history(), now)).append(secrets(s.secrets(), now));
    }
    return layout(v, "config", "Config", h.toString());
  }

  static String configScope(Viewer v, ConfigScope s, Optional<ConfigDiff> diff, Function<String, String> redact,
      Instant now) {
    String base = "/ui/config/" + seg(s.env()) + "/" + seg(s.role());
    StringBuilder h = new StringBuilder("<form class=\"diff\" method=\"get\" action=\"").append(esc(base))
        .append("\"><label>diff from revision <input name=\"from\" inputmode=\"numeric\" size=\"4\" value=\"")
        .append(diff.map(d -> Long.toString(d.from())).orElse("")).append("\"></label> <label>to <input name=\"to\" ")
        .append("inputmode=\"numeric\" size=\"4\" value=\"").append(diff.map(d -> Long.toString(d.to())).orElse(""))
        .append("\"></label> <button type=\"submit\">diff</button></form>");
    diff.ifPresent(d -> {
      h.append("<h2>Revision ").append(d.from()).append(" → ").append(d.to()).append("</h2>");
      if (d.changes().isEmpty()) {
        h.append("<p class=\"empty\">No difference.</p>");
      } else {
        h.append("<table class=\"diff\"><thead><tr><th>key</th><th>before</th><th>after</th></tr></thead><tbody>");
        for (ConfigDiff.Change c : d.changes()) {
          h.append("<tr><td data-label=\"key\">").append(esc(c.key())).append("</td><td data-label=\"before\" class=\"before\">")
              .append(c.before().map(b -> esc(redact.apply(b))).orElse("<i>unset</i>"))
              .append("</td><td data-label=\"after\" class=\"after\">")
              .append(c.after().map(a -> esc(redact.apply(a))).orElse("<i>unset</i>")).append("</td></tr>");
        }
        h.append("</tbody></table>");
      }
    });
    h.append("<h2>History</h2>").append(history(s.history(), now)).append(secrets(s.secrets(), now));
    return layout(v, "config", "Config " + s.env() + "/" + s.role(), h.toString());
  }

  private static String history(List<ConfigRevision> revs, Instant now) {
    if (revs.isEmpty()) {
      return "<p class=\"empty\">No config changes: herd.yaml's config only (revision 0).</p>";
    }
    StringBuilder h = new StringBuilder("<table class=\"history\"><thead><tr><th>rev</th><th>when</th><th>author</th>")
        .append("<th>message</th><th>keys set</th><th>keys unset</th></tr></thead><tbody>");
    for (ConfigRevision r : revs) {
      h.append("<tr><td data-label=\"rev\">").append(r.revision()).append("</td><td data-label=\"when\">")
          .append(age(r.time(), now)).append(" ago</td><td data-label=\"author\">").append(esc(r.author()))
          .append("</td><td data-label=\"message\">").append(esc(r.message())).append("</td><td data-label=\"keys set\">")
          .append(esc(String.join(", ", r.set().keySet()))).append("</td><td data-label=\"keys unset\">")
          .append(esc(String.join(", ", r.unset()))).append("</td></tr>");
    }
    return h.append("</tbody></table>").toString();
  }

  private static String secrets(List<SecretRevision> secrets, Instant now) {
    if (secrets.isEmpty()) {
      return "<p class=\"empty\">No secrets.</p>";
    }
    StringBuilder h = new StringBuilder("<table class=\"secrets\"><thead><tr><th>secret</th><th>revision</th><th>state</th>")
        .append("<th>changed</th><th>by</th></tr></thead><tbody>");
    for (SecretRevision s : secrets) {
      h.append("<tr><td data-label=\"secret\">").append(esc(s.name())).append("</td><td data-label=\"revision\">")
          .append(s.revision()).append("</td><td data-label=\"state\">").append(s.removed() ? "removed" : "set")
          .append("</td><td data-label=\"changed\">").append(age(s.time(), now)).append(" ago</td><td data-label=\"by\">")
          .append(esc(s.author())).append("</td></tr>");
    }
    return h.append("</tbody></table>").toString();
  }

  // ---- drift -------------------------------------------------------------------------------

  static String drift(Viewer v, List<DriftFinding> newestFirst, Instant now) {
    StringBuilder h = new StringBuilder("<p class=\"hint\">Findings of the last 7 days, newest first.</p>");
    if (newestFirst.isEmpty()) {
      h.append("<p class=\"empty\">No drift found.</p>");
    } else {
      h.append("<table class=\"drift\"><thead><tr><th>when</th><th>fleet</th><th>node</th><th>kind</th><th>what</th>")
          .append("<th>action</th></tr></thead><tbody>");
      for (DriftFinding d : newestFirst) {
        h.append("<tr><td data-label=\"when\">").append(age(d.time(), now)).append(" ago</td><td data-label=\"fleet\">")
            .append(esc(d.fleet())).append("</td><td data-label=\"node\">").append(esc(d.node()))
            .append("</td><td data-label=\"kind\">").append(esc(d.kind().keyword())).append("</td><td data-label=\"what\">")
            .append(esc(d.detail())).append("</td><td data-label=\"action\">").append(esc(d.action())).append("</td></tr>");
      }
      h.append("</tbody></table>");
    }
    return layout(v, "drift", "Drift", h.toString());
  }

  // ---- small helpers -----------------------------------------------------------------------

  private static String orDash(String s) {
    return s == null || s.isEmpty() ? "–" : s;
  }

  private static String shortDigest(String digest) {
    int colon = digest.indexOf(':');
    String hex = colon < 0 ? digest : digest.substring(colon + 1);
    return hex.length() > 12 ? hex.substring(0, 12) : hex;
  }

  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"kB", "MB", "GB", "TB"};
    double value = bytes;
    int u = -1;
    while (value >= 1024 && u < units.length - 1) {
      value /= 1024;
      u++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[u]);
  }
}
