package dev.herd.control.frontdoor;

import dev.herd.control.frontdoor.RuntimeApi.ServerState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What to change in one backend so HAProxy serves the desired servers: pure, so every case is
 * tested in memory. New servers come first, so a replacement never leaves the backend empty;
 * a server leaving is drained first and deleted when its connections end or the drain times out.
 */
public final class ServerPlan {
  private ServerPlan() {}

  public sealed interface Step {
    String server();
  }

  /**
   * add server, then enable it (HAProxy adds dynamic servers in maintenance).
   *
   * @param maxConnections the server's connection limit, 0 for none
   */
  public record Add(Server add, int maxConnections) implements Step {
    public String server() {
      return add.name();
    }
  }

  /** Back in service after a drain (the node is wanted again). */
  public record Ready(String server) implements Step {}

  public record Weight(String server, int weight) implements Step {}

  /** A new connection limit ({@code expose.max_connections}; 0: none) for a server that stays. */
  public record Limit(String server, int maxConnections) implements Step {}

  /** No new requests; the ones in flight finish. */
  public record Drain(String server) implements Step {}

  /** Maintenance, close what is left, delete. */
  public record Delete(String server) implements Step {}

  /**
   * @param drainingSince when herd set each draining server to drain; a drain herd did not see
   *     start (adopted after a controller restart) counts from now
   * @param maxConnections what every server of the backend is held to at once (0: no limit)
   */
  public static List<Step> plan(List<Server> desired, List<ServerState> actual, Map<String, Instant> drainingSince,
      Instant now, Duration drainTimeout, int maxConnections) {
    Map<String, ServerState> have = actual.stream().collect(Collectors.toMap(ServerState::name, Function.identity()));
    Map<String, Server> want = desired.stream().collect(Collectors.toMap(Server::name, Function.identity()));
    List<Step> adds = new ArrayList<>();
    List<Step> changes = new ArrayList<>();
    List<Step> leaving = new ArrayList<>();
    for (Server s : desired) {
      ServerState h = have.get(s.name());
      if (h == null) {
        adds.add(new Add(s, maxConnections));
        continue;
      }
      if (h.draining() || h.maintenance()) {
        changes.add(new Ready(s.name()));
      }
      if (h.weight() != s.weight()) {
        changes.add(new Weight(s.name(), s.weight()));
      }
      if (h.limit() != maxConnections) {
        changes.add(new Limit(s.name(), maxConnections));
      }
    }
    for (ServerState h : actual) {
      if (want.containsKey(h.name())) {
        continue;
      }
      if (!h.draining() && !h.maintenance()) {
        leaving.add(new Drain(h.name()));
        continue;
      }
      Instant since = drainingSince.getOrDefault(h.name(), now);
      if (h.sessions() == 0 || !now.isBefore(since.plus(drainTimeout))) {
        leaving.add(new Delete(h.name()));
      }
    }
    List<Step> all = new ArrayList<>(adds);
    all.addAll(changes);
    all.addAll(leaving);
    return all;
  }
}
