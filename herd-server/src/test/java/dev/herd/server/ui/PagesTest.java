package dev.herd.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.control.ControllerEvent;
import dev.herd.control.FleetStatus;
import dev.herd.control.NodeLogLine;
import dev.herd.control.NodeStatus;
import dev.herd.control.RolloutStatus;
import dev.herd.spec.Fleet;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Whatever a name, reason or log line holds, the pages show it as text: no markup, no attribute break-out. */
class PagesTest {
  static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
  static final String SCRIPT = "<script>alert(1)</script>";
  static final String ATTR = "\"><img src=x onerror=alert(1)>";
  static final Pages.Viewer VIEWER = new Pages.Viewer("p" + SCRIPT, "tok\"en");

  static NodeStatus node(String name, String reason) {
    return new NodeStatus(name, name + "-g1", 1, "web:v1" + SCRIPT, 20000, NodeStatus.Phase.HEALTHY, true, "c1",
        NOW.minusSeconds(90), NOW.minusSeconds(85), NOW.minusSeconds(80), reason, null);
  }

  static FleetStatus fleet(String name, List<NodeStatus> nodes) {
    RolloutStatus r = new RolloutStatus("web:v1", "web:v2" + ATTR, Fleet.Strategy.ROLLING, RolloutStatus.State.RUNNING, false,
        false, NOW.minusSeconds(30), null, null, "because " + SCRIPT);
    return new FleetStatus(name, "web" + SCRIPT, 1, 1, OptionalInt.empty(), "web:v1" + ATTR, Optional.of("web:v0"),
        Optional.of(r), false, nodes, Optional.of("http://127.0.0.1:8080/" + SCRIPT));
  }

  @Test
  void everyPageEscapesNamesReasonsAndAddresses() {
    FleetStatus f = fleet("web" + ATTR + SCRIPT, List.of(node("web-1" + ATTR + SCRIPT, "exit " + SCRIPT)));
    List<String> pages = List.of(
        Pages.fleets(VIEWER, List.of(new Pages.FleetRow(f, "immutable " + SCRIPT, OptionalDouble.of(1.5))), NOW, 7),
        Pages.fleet(VIEWER, f, List.of(new Pages.NodeRow(f.nodes().getFirst(),
            Optional.of(new LastProbes.Probe(NOW, false, "HTTP 500 " + SCRIPT, java.time.Duration.ofMillis(3))))), List.of(), NOW, 7),
        Pages.rollouts(VIEWER, List.of(f), NOW, 7),
        Pages.events(VIEWER, List.of(new ControllerEvent(3, NOW, "web" + ATTR, "web-1" + SCRIPT, "node_replaced",
            "replaced: " + SCRIPT + ATTR)), 3),
        Pages.logs(VIEWER, "web" + ATTR, "web-1" + SCRIPT, true, List.of(new NodeLogLine(NOW, "web", "web-1", 1, "stdout",
            "GET /" + SCRIPT)), "1h"),
        Pages.error(VIEWER, 409, "refused " + SCRIPT, "/ui/"),
        Pages.loginNeeded("why " + SCRIPT));
    for (String page : pages) {
      assertThat(page).doesNotContain("<script>alert").doesNotContain("<img src=x").doesNotContain("\"><img")
          .doesNotContain("tok\"en");
      // every script tag is one of the two assets
      assertThat(page.split("<script", -1).length - 1).isEqualTo(page.contains("/ui/assets/htmx.min.js") ? 2 : 0);
    }
    assertThat(pages.get(3)).contains("replaced: &lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x");
  }

  @Test
  void urlsCarryNamesPercentEncoded() {
    FleetStatus f = fleet("a b/c?d", List.of(node("n#1", "")));
    String page = Pages.fleet(VIEWER, f, List.of(new Pages.NodeRow(f.nodes().getFirst(), Optional.empty())), List.of(), NOW, 0);
    assertThat(page).contains("href=\"/ui/fleets/a%20b%2Fc%3Fd/nodes/n%231/logs\"");
  }

  @Test
  void anEventRowIsOneLineForTheStream() {
    String row = Pages.eventRow(new ControllerEvent(9, NOW, "web", "web-1", "rebake", "line one\nline two\r\n"));
    assertThat(row).doesNotContain("\n").doesNotContain("\r").contains("line one&#10;line two");
  }

  @Test
  void escapingTable() {
    String[][] cases = {
        {"plain", "plain"},
        {"<b>", "&lt;b&gt;"},
        {"a&b", "a&amp;b"},
        {"\"q\"", "&quot;q&quot;"},
        {"it's", "it&#39;s"},
        {"bell\u0007", "bell\uFFFD"},
        {"", ""},
    };
    for (String[] c : cases) {
      assertThat(Html.esc(c[0])).as(c[0]).isEqualTo(c[1]);
    }
    assertThat(Html.esc(null)).isEmpty();
    assertThat(Html.cls("NODE_REPLACED\"x")).isEqualTo("node-replaced-x");
  }
}
