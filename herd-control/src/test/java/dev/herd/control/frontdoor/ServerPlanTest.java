package dev.herd.control.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.control.frontdoor.RuntimeApi.ServerState;
import dev.herd.control.frontdoor.ServerPlan.Add;
import dev.herd.control.frontdoor.ServerPlan.Delete;
import dev.herd.control.frontdoor.ServerPlan.Drain;
import dev.herd.control.frontdoor.ServerPlan.Ready;
import dev.herd.control.frontdoor.ServerPlan.Step;
import dev.herd.control.frontdoor.ServerPlan.Weight;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ServerPlanTest {
  static final Instant NOW = Instant.parse("2026-12-06T04:00:00Z");
  static final Server A = Server.of("web-1", "127.0.0.1", 18081);
  static final Server B = Server.of("web-2", "127.0.0.1", 18082);

  static ServerState up(Server s, int sessions) {
    return new ServerState(s.name(), s.address(), "UP", s.weight(), sessions, 0);
  }

  static ServerState draining(Server s, int sessions) {
    return new ServerState(s.name(), s.address(), "DRAIN", s.weight(), sessions, 0);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("a new node is added", List.of(A), List.of(), Map.of(), List.of(new Add(A, 0))),
        Arguments.of("nothing to do", List.of(A), List.of(up(A, 3)), Map.of(), List.of()),
        Arguments.of("a replacement is added before the old one drains", List.of(B), List.of(up(A, 1)), Map.of(),
            List.of(new Add(B, 0), new Drain(A.name()))),
        Arguments.of("a draining server with connections stays", List.of(B), List.of(up(B, 0), draining(A, 2)),
            Map.of(A.name(), NOW.minusSeconds(5)), List.of()),
        Arguments.of("a drained server is deleted", List.of(B), List.of(up(B, 0), draining(A, 0)),
            Map.of(A.name(), NOW.minusSeconds(5)), List.of(new Delete(A.name()))),
        Arguments.of("drain_timeout ends a drain with connections", List.of(B), List.of(up(B, 0), draining(A, 2)),
            Map.of(A.name(), NOW.minusSeconds(30)), List.of(new Delete(A.name()))),
        Arguments.of("an adopted drain counts from now", List.of(B), List.of(up(B, 0), draining(A, 2)), Map.of(), List.of()),
        Arguments.of("a drained node wanted again is back in service", List.of(A), List.of(draining(A, 0)), Map.of(),
            List.of(new Ready(A.name()))),
        Arguments.of("a canary weight is set", List.of(new Server(A.name(), A.host(), A.port(), 10)), List.of(up(A, 0)),
            Map.of(), List.of(new Weight(A.name(), 10))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void plans(String why, List<Server> desired, List<ServerState> actual, Map<String, Instant> since, List<Step> expected) {
    assertThat(ServerPlan.plan(desired, actual, since, NOW, Duration.ofSeconds(30), 0)).containsExactlyElementsOf(expected);
  }
}
