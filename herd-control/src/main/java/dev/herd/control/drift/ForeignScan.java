package dev.herd.control.drift;

import dev.herd.engine.Engine;
import dev.herd.engine.ForeignContainer;
import dev.herd.spec.NamePattern;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finds containers that are not herd's but use a fleet's node names ({@code web-3},
 * {@code shop-web-3}, {@code shop-web-3-g2}) or publish a port herd leased. Only reports: the
 * engine call it uses cannot stop or remove anything.
 */
public final class ForeignScan {
  private ForeignScan() {}

  /**
   * @param patterns fleet → its node name pattern
   * @param leases leased host port → fleet
   */
  public static List<DriftFinding> scan(Engine engine, String project, Map<String, NamePattern> patterns,
      Map<Integer, String> leases, Instant now) {
    Set<String> prefixes = new LinkedHashSet<>();
    Map<String, Pattern> regexes = new java.util.TreeMap<>();
    patterns.forEach((fleet, p) -> {
      String pat = p.pattern();
      int at = pat.indexOf(NamePattern.PLACEHOLDER);
      String before = at < 0 ? pat : pat.substring(0, at);
      String after = at < 0 ? "" : pat.substring(at + NamePattern.PLACEHOLDER.length());
      prefixes.add(before);
      prefixes.add(project + "-" + before);
      regexes.put(fleet, Pattern.compile("(" + Pattern.quote(project + "-") + ")?" + Pattern.quote(before)
          + (at < 0 ? "" : "[0-9]+") + Pattern.quote(after) + "(-g[0-9]+)?"));
    });
    List<DriftFinding> out = new ArrayList<>();
    for (ForeignContainer c : engine.listForeign(prefixes, leases.keySet())) {
      String fleet = null;
      String why = null;
      for (Map.Entry<String, Pattern> e : regexes.entrySet()) {
        if (e.getValue().matcher(c.name()).matches()) {
          fleet = e.getKey();
          why = "uses fleet " + fleet + "'s node names (" + patterns.get(fleet).pattern() + ")";
          break;
        }
      }
      for (int port : c.ports()) {
        if (leases.containsKey(port)) {
          fleet = fleet == null ? leases.get(port) : fleet;
          why = (why == null ? "" : why + " and ") + "publishes port " + port + ", leased to fleet " + leases.get(port);
          break;
        }
      }
      if (why == null) {
        continue; // a prefix match only: web-db is not web-{n}
      }
      String detail = "container " + c.name() + (c.image().isEmpty() ? "" : " (image " + c.image() + ")") + " is not herd's but "
          + why + ": reported, never touched";
      out.add(new DriftFinding(now, fleet, c.name(), c.name(), DriftKind.FOREIGN, detail, DriftFinding.LEFT_ALONE,
          "foreign:" + c.id()));
    }
    return out;
  }
}
