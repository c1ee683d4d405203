package dev.herd.control.frontdoor;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One request (http) or connection (tcp) as the front door logged it, in herd's log format
 * ({@link #HTTP_FORMAT}, {@link #TCP_FORMAT}).
 *
 * @param process HAProxy worker pid and {@code counter} its request counter: together they name a
 *     request once, so a re-read of the ring is not counted twice
 * @param status HTTP status, -1 when none was sent (tcp mode, or the client gave up)
 * @param totalMs {@code %Ta} (http, the request's active time) or {@code %Tt} (tcp, the session)
 * @param responseMs {@code %Tr}, the node's time to answer headers; -1 when it did not
 * @param termination HAProxy's termination state ({@code ----} when nothing went wrong)
 */
public record AccessLogEntry(long process, long counter, Instant time, String fleet, String server, int status,
    long totalMs, long responseMs, long bytes, String termination, String request) {

  /** Tag first so a foreign line in the ring is never taken for one of herd's. */
  static final String TAG = "herd1";
  static final String HTTP_FORMAT = TAG + " %pid %rt %Ts%ms %f %s %ST %Ta %Tr %B %tsc %{+Q}r";
  static final String TCP_FORMAT = TAG + " %pid %rt %Ts%ms %f %s -1 %Tt -1 %B %ts -";

  public AccessLogEntry {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(fleet, "fleet");
  }

  /**
   * A request that failed for its client: a 5xx, or no response at all (reset, timeout). A 4xx
   * is the client's error, not the fleet's.
   */
  public boolean failed() {
    return status >= 500 || status < 0 && !termination.startsWith("-") && !termination.startsWith("C");
  }

  /** The line as {@code herd logs} shows it. */
  public String text() {
    return request + " " + (status < 0 ? "-" : Integer.toString(status)) + " " + server + " " + totalMs + "ms "
        + bytes + "B " + termination;
  }

  /** Parses one line of the ring; empty for a line that is not herd's or is cut. */
  public static Optional<AccessLogEntry> parse(String line) {
    String l = line.strip();
    // ring lines may carry a syslog header before the message: start at herd's tag
    int at = l.indexOf(TAG + " ");
    if (at < 0) {
      return Optional.empty();
    }
    String[] f = l.substring(at).split(" ", 12);
    if (f.length < 12) {
      return Optional.empty();
    }
    try {
      String frontend = f[4];
      if (!frontend.startsWith("fleet_")) {
        return Optional.empty();
      }
      String request = f[11];
      if (request.length() >= 2 && request.startsWith("\"") && request.endsWith("\"")) {
        request = request.substring(1, request.length() - 1);
      }
      return Optional.of(new AccessLogEntry(Long.parseLong(f[1]), Long.parseLong(f[2]), Instant.ofEpochMilli(Long.parseLong(f[3])),
          frontend.substring("fleet_".length()), f[5], Integer.parseInt(f[6]), Long.parseLong(f[7]), Long.parseLong(f[8]),
          Long.parseLong(f[9].replace("+", "")), f[10], request));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
