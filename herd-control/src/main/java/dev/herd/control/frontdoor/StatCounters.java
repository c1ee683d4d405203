package dev.herd.control.frontdoor;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One exposed fleet's counters from HAProxy's {@code show stat}, as HAProxy gives them: totals
 * since the process (or the last reload) started, and averages over its last 1024 requests. It
 * gives no percentiles; herd computes those from the access log ({@link LatencyWindow}).
 *
 * @param requests HTTP requests (frontend {@code req_tot}); sessions ({@code stot}) in tcp mode
 * @param responses {@code hrsp_1xx..5xx}, {@code hrsp_other} of the frontend, as 1..5 and 0
 * @param connectionErrors backend {@code econ}: a node refused or dropped the connection
 * @param responseErrors backend {@code eresp}: a node closed without (a whole) answer
 * @param retries backend {@code wretr}; {@code redispatches} {@code wredis} (retried on another node)
 * @param avgResponseMs backend {@code rtime}, {@code avgTotalMs} {@code ttime}: averages of the last 1024 requests
 * @param maxTotalMs backend {@code ttime_max}
 */
public record StatCounters(String fleet, long requests, long[] responses, long connectionErrors, long responseErrors,
    long retries, long redispatches, long avgResponseMs, long avgTotalMs, long maxTotalMs, long sessions) {

  public StatCounters {
    if (responses.length != 6) {
      throw new IllegalArgumentException("responses are other,1xx..5xx, got " + responses.length);
    }
    responses = responses.clone();
  }

  /** Responses of class {@code n}xx (1-5), or other (0). */
  public long responses(int hundreds) {
    return responses[hundreds];
  }

  /** The rows of herd's backends ({@code fleet_NAME}) by fleet. */
  static Map<String, StatCounters> parse(String csv) throws IOException {
    List<String> lines = csv.lines().toList();
    if (lines.isEmpty() || !lines.get(0).startsWith("# ")) {
      throw new IOException("haproxy's show stat answered without a header: " + (lines.isEmpty() ? "nothing" : lines.get(0)));
    }
    String[] header = lines.get(0).substring(2).split(",", -1);
    Map<String, Integer> col = new HashMap<>();
    for (int i = 0; i < header.length; i++) {
      col.putIfAbsent(header[i], i);
    }
    Map<String, String[]> frontends = new HashMap<>();
    Map<String, String[]> backends = new HashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",", -1);
      if (f.length < header.length || !f[0].startsWith("fleet_")) {
        continue;
      }
      switch (f[col.get("svname")]) {
        case "FRONTEND" -> frontends.put(f[0], f);
        case "BACKEND" -> backends.put(f[0], f);
        default -> { }
      }
    }
    Map<String, StatCounters> out = new TreeMap<>();
    frontends.forEach((name, fe) -> {
      String[] be = backends.getOrDefault(name, new String[header.length]);
      boolean http = "http".equals(get(fe, col, "mode"));
      long[] rsp = {num(fe, col, "hrsp_other"), num(fe, col, "hrsp_1xx"), num(fe, col, "hrsp_2xx"), num(fe, col, "hrsp_3xx"),
          num(fe, col, "hrsp_4xx"), num(fe, col, "hrsp_5xx")};
      out.put(name.substring("fleet_".length()), new StatCounters(name.substring("fleet_".length()),
          http ? num(fe, col, "req_tot") : num(fe, col, "stot"), rsp, num(be, col, "econ"), num(be, col, "eresp"),
          num(be, col, "wretr"), num(be, col, "wredis"), num(be, col, "rtime"), num(be, col, "ttime"),
          num(be, col, "ttime_max"), num(fe, col, "scur")));
    });
    return out;
  }

  private static String get(String[] row, Map<String, Integer> col, String name) {
    Integer i = col.get(name);
    return i == null || i >= row.length || row[i] == null ? "" : row[i];
  }

  private static long num(String[] row, Map<String, Integer> col, String name) {
    String v = get(row, col, name);
    try {
      return v.isEmpty() ? 0 : Long.parseLong(v);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StatCounters s && fleet.equals(s.fleet) && requests == s.requests
        && java.util.Arrays.equals(responses, s.responses) && connectionErrors == s.connectionErrors
        && responseErrors == s.responseErrors && retries == s.retries && redispatches == s.redispatches
        && avgResponseMs == s.avgResponseMs && avgTotalMs == s.avgTotalMs && maxTotalMs == s.maxTotalMs
        && sessions == s.sessions;
  }

  @Override
  public int hashCode() {
    return fleet.hashCode() * 31 + Long.hashCode(requests);
  }
}
