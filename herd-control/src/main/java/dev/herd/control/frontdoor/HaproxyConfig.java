package dev.herd.control.frontdoor;

import dev.herd.spec.Fleet;
import java.nio.file.Path;
import java.util.List;

/**
 * The project's HAProxy configuration. herd changes servers through the Runtime API and
 * rewrites this file with the same set after each change, so a restarted HAProxy comes back
 * serving what it served.
 */
public final class HaproxyConfig {
  private HaproxyConfig() {}

  /** How many times a request is tried (once on the chosen server, the rest elsewhere). */
  static final int RETRIES = 3;
  /** The in-memory ring the access log goes to; herd follows it on the Runtime API. */
  public static final String ACCESS_RING = "herd-access";

  public static String render(String project, Path runtimeSocket, List<Backend> backends) {
    StringBuilder b = new StringBuilder();
    b.append("# Written by herd for project ").append(project).append("; do not edit (herd rewrites it).\n");
    b.append("global\n");
    // admin level: herd adds, drains and deletes servers through this socket; 0600 keeps it herd's.
    b.append("  stats socket ").append(quote(runtimeSocket.toString())).append(" mode 600 level admin\n");
    b.append("  stats timeout 10s\n");
    // Access log: to a ring in HAProxy's memory, never to a socket or file herd must keep open.
    b.append("ring ").append(ACCESS_RING).append('\n');
    b.append("  description \"herd: access log of the front door\"\n");
    b.append("  format raw\n");
    b.append("  maxlen 2048\n");
    b.append("  size 4194304\n");
    b.append("defaults\n");
    b.append("  timeout connect 2s\n");
    b.append("  timeout client 60s\n");
    b.append("  timeout server 60s\n");
    b.append("  timeout queue 5s\n");
    b.append("  retries ").append(RETRIES).append('\n');
    // Every retry goes to another server: a node dying under a request is not tried again.
    b.append("  option redispatch 1\n");
    for (Backend be : backends) {
      Fleet.Expose e = be.expose();
      String mode = e.protocol() == Fleet.Protocol.HTTP ? "http" : "tcp";
      b.append("frontend ").append(be.name()).append('\n');
      b.append("  mode ").append(mode).append('\n');
      b.append("  bind ").append(e.address()).append('\n');
      b.append("  log ring@").append(ACCESS_RING).append(" local0 info\n");
      b.append("  log-format \"").append((e.protocol() == Fleet.Protocol.HTTP ? AccessLogEntry.HTTP_FORMAT
          : AccessLogEntry.TCP_FORMAT).replace("\"", "\\\"")).append("\"\n");
      b.append("  default_backend ").append(be.name()).append('\n');
      b.append("backend ").append(be.name()).append('\n');
      b.append("  mode ").append(mode).append('\n');
      b.append("  balance roundrobin\n");
      if (e.protocol() == Fleet.Protocol.HTTP) {
        // HAProxy replays only requests it may safely send twice; a refused or reset
        // connection, or a node closing without an answer, is tried on another server.
        b.append("  retry-on conn-failure empty-response response-timeout\n");
      }
      if (be.sticky()) {
        // A client keeps the server that answered it first: its cookie (a random id, made on
        // its first request) maps to that server in a stick table, stored when the request is
        // sent (dynamic servers take no per-server "cookie"; a gone server's clients move on).
        String c = be.cookie();
        b.append("  stick-table type string len 40 size 100k expire 1h\n");
        b.append("  http-request set-var(txn.herd_cookie) req.cook(").append(c).append(")\n");
        b.append("  http-request set-var(txn.herd_sticky) var(txn.herd_cookie) if { var(txn.herd_cookie) -m found }\n");
        b.append("  http-request set-var(txn.herd_sticky) uuid unless { var(txn.herd_cookie) -m found }\n");
        b.append("  stick on var(txn.herd_sticky)\n");
        b.append("  http-response add-header Set-Cookie \"").append(c)
            .append("=%[var(txn.herd_sticky)]; Path=/; HttpOnly; SameSite=Lax\" unless { var(txn.herd_cookie) -m found }\n");
      }
      for (Server s : be.servers()) {
        b.append("  server ").append(s.name()).append(' ').append(s.address()).append(" weight ").append(s.weight());
        if (e.maxConnections() > 0) {
          // more requests wait in the backend's queue (timeout queue) for a free server
          b.append(" maxconn ").append(e.maxConnections());
        }
        b.append('\n');
      }
    }
    return b.toString();
  }

  private static String quote(String s) {
    if (s.contains("\"") || s.contains("\n")) {
      throw new IllegalArgumentException("a path HAProxy could not read back: " + s);
    }
    return "\"" + s + "\"";
  }
}
