package dev.herd.control.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.control.frontdoor.RuntimeApi.ServerState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What one backend's change sends to HAProxy: one batch, adds first, so a switch lands whole. */
class FrontDoorCommandsTest {
  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  @Test
  void aBlueGreenSwitchIsOneBatchThatEnablesTheNewSetAndDrainsTheOld() {
    List<ServerPlan.Step> steps = ServerPlan.plan(
        List.of(Server.of("web-1-g2", "127.0.0.1", 18083), Server.of("web-2-g2", "127.0.0.1", 18084)),
        List.of(new ServerState("web-1-g1_18081", "127.0.0.1:18081", "UP", 100, 3, 0),
            new ServerState("web-2-g1_18082", "127.0.0.1:18082", "UP", 100, 1, 0)),
        Map.of(), NOW, Duration.ofSeconds(30), 0);
    assertThat(FrontDoor.commands("fleet_web", false, steps)).containsExactly(
        "add server fleet_web/web-1-g2_18083 127.0.0.1:18083 weight 100",
        "enable server fleet_web/web-1-g2_18083",
        "add server fleet_web/web-2-g2_18084 127.0.0.1:18084 weight 100",
        "enable server fleet_web/web-2-g2_18084",
        "set server fleet_web/web-1-g1_18081 state drain",
        "set server fleet_web/web-2-g1_18082 state drain");
  }

  @Test
  void aSwitchBackReadiesTheKeptSetAndDrainsTheOtherInOneBatch() {
    List<ServerPlan.Step> steps = ServerPlan.plan(
        List.of(Server.of("web-1-g1", "127.0.0.1", 18081)),
        List.of(new ServerState("web-1-g1_18081", "127.0.0.1:18081", "DRAIN", 100, 0, 0),
            new ServerState("web-1-g2_18083", "127.0.0.1:18083", "UP", 100, 2, 0)),
        Map.of("web-1-g1_18081", NOW.minusSeconds(5)), NOW, Duration.ofSeconds(30), 0);
    assertThat(FrontDoor.commands("fleet_web", false, steps)).containsExactly(
        "set server fleet_web/web-1-g1_18081 state ready",
        "set server fleet_web/web-1-g2_18083 state drain");
  }

  @Test
  void canaryWeightsChangeInOneBatchAndAStickyBackendMovesItsClientsOffALeavingServer() {
    List<ServerPlan.Step> steps = ServerPlan.plan(
        List.of(new Server("web-1-g2_18083", "127.0.0.1", 18083, 57), new Server("web-2-g1_18082", "127.0.0.1", 18082, 256)),
        List.of(new ServerState("web-1-g1_18081", "127.0.0.1:18081", "UP", 100, 0, 0),
            new ServerState("web-2-g1_18082", "127.0.0.1:18082", "UP", 100, 0, 0)),
        Map.of(), NOW, Duration.ofSeconds(30), 0);
    assertThat(FrontDoor.commands("fleet_web", true, steps)).containsExactly(
        "add server fleet_web/web-1-g2_18083 127.0.0.1:18083 weight 57",
        "enable server fleet_web/web-1-g2_18083",
        "set server fleet_web/web-2-g1_18082 weight 256",
        "set server fleet_web/web-1-g1_18081 state maint");
  }

  @Test
  void aConnectionLimitRidesOnEachAddAndChangesInPlaceOnServersThatStay() {
    Server stays = Server.of("web-1-g1", "127.0.0.1", 18081);
    Server fresh = Server.of("web-2-g2", "127.0.0.1", 18084);
    // (table) the limit HAProxy has for web-1-g1, the fleet's max_connections, the batch
    Object[][] cases = {
        {0, 8, List.of("add server fleet_web/web-2-g2_18084 127.0.0.1:18084 weight 100 maxconn 8",
            "enable server fleet_web/web-2-g2_18084", "set maxconn server fleet_web/web-1-g1_18081 8")},
        {8, 8, List.of("add server fleet_web/web-2-g2_18084 127.0.0.1:18084 weight 100 maxconn 8",
            "enable server fleet_web/web-2-g2_18084")},
        {8, 20, List.of("add server fleet_web/web-2-g2_18084 127.0.0.1:18084 weight 100 maxconn 20",
            "enable server fleet_web/web-2-g2_18084", "set maxconn server fleet_web/web-1-g1_18081 20")},
        // the limit taken off: 0 is HAProxy's "none"
        {8, 0, List.of("add server fleet_web/web-2-g2_18084 127.0.0.1:18084 weight 100",
            "enable server fleet_web/web-2-g2_18084", "set maxconn server fleet_web/web-1-g1_18081 0")},
    };
    for (Object[] c : cases) {
      List<ServerPlan.Step> steps = ServerPlan.plan(List.of(stays, fresh),
          List.of(new ServerState("web-1-g1_18081", "127.0.0.1:18081", "UP", 100, 1, (int) c[0])),
          Map.of(), NOW, Duration.ofSeconds(30), (int) c[1]);
      assertThat(FrontDoor.commands("fleet_web", false, steps)).as("limit %s → %s", c[0], c[1]).isEqualTo(c[2]);
    }
  }

  @Test
  void theFileCarriesTheLimitOnEveryServerAndOnlyAReloadChangesModeAddressOrStickiness() {
    dev.herd.spec.Location at = dev.herd.spec.Location.UNKNOWN;
    java.util.function.BiFunction<dev.herd.spec.Fleet.Protocol, Integer, dev.herd.spec.Fleet.Expose> expose =
        (p, port) -> new dev.herd.spec.Fleet.Expose(port, "127.0.0.1", p, Duration.ofSeconds(30), 8, at, at);
    List<Server> servers = List.of(Server.of("web-1-g1", "127.0.0.1", 18081), Server.of("web-2-g1", "127.0.0.1", 18082));
    java.nio.file.Path sock = java.nio.file.Path.of("/tmp/rt.sock");
    String cfg = HaproxyConfig.render("shop", sock, List.of(new Backend("web", expose.apply(dev.herd.spec.Fleet.Protocol.HTTP, 8080), servers)));
    assertThat(cfg).contains("  server web-1-g1_18081 127.0.0.1:18081 weight 100 maxconn 8\n",
        "  server web-2-g1_18082 127.0.0.1:18082 weight 100 maxconn 8\n");
    // (table) what a running HAProxy's file says it listens with equals what herd wants of the same backends
    List<List<Backend>> sets = List.of(
        List.of(new Backend("web", expose.apply(dev.herd.spec.Fleet.Protocol.HTTP, 8080), servers)),
        List.of(new Backend("web", expose.apply(dev.herd.spec.Fleet.Protocol.TCP, 8080), servers)),
        List.of(new Backend("web", expose.apply(dev.herd.spec.Fleet.Protocol.HTTP, 8080), servers, true),
            new Backend("db", expose.apply(dev.herd.spec.Fleet.Protocol.TCP, 5432), List.of())));
    List<String> seen = new java.util.ArrayList<>();
    for (List<Backend> set : sets) {
      String listeners = FrontDoor.listenersOf(set);
      assertThat(FrontDoor.listenersIn(HaproxyConfig.render("shop", sock, set))).isEqualTo(listeners);
      seen.add(listeners);
    }
    assertThat(seen).doesNotHaveDuplicates(); // http → tcp is a reload, as a new address or stickiness is
  }

  @Test
  void aDeletionsWriteShutsTheSessionsAndLeavesTheDelForWhenNoneIsAttached() {
    // HAProxy refuses "del server" while a session it was told to shut is still attached
    assertThat(FrontDoor.commands("fleet_web", false, List.of(new ServerPlan.Delete("web-1-g1_18081")))).containsExactly(
        "set server fleet_web/web-1-g1_18081 state maint",
        "shutdown sessions server fleet_web/web-1-g1_18081");
  }

  @Test
  void aBatchAnswerIsRefusedByItsErrorLinesOnly() {
    assertThat(RuntimeApi.refusals("New server registered.\n\n\n\nServer deleted.\n\n")).isEmpty();
    assertThat(RuntimeApi.refusals("\n\nNo such server.\n\n\n'cookie' option is not accepted for dynamic server\n\n"))
        .containsExactly("No such server.", "'cookie' option is not accepted for dynamic server");
  }

  @Test
  void aStickyBackendCarriesItsCookieAndStickTable() {
    dev.herd.spec.Location at = dev.herd.spec.Location.UNKNOWN;
    Backend be = new Backend("web", new dev.herd.spec.Fleet.Expose(8080, "127.0.0.1", dev.herd.spec.Fleet.Protocol.HTTP,
        Duration.ofSeconds(30), 0, at, at), List.of(), true);
    String cfg = HaproxyConfig.render("shop", java.nio.file.Path.of("/tmp/rt.sock"), List.of(be));
    assertThat(cfg).contains("  http-request set-var(txn.herd_cookie) req.cook(herd_web)\n", "  stick on var(txn.herd_sticky)\n",
        "Set-Cookie \"herd_web=%[var(txn.herd_sticky)]; Path=/; HttpOnly; SameSite=Lax\" unless { var(txn.herd_cookie) -m found }");
    assertThat(HaproxyConfig.render("shop", java.nio.file.Path.of("/tmp/rt.sock"), List.of(new Backend("web", be.expose(), List.of()))))
        .doesNotContain("stick", "Set-Cookie");
  }
}
