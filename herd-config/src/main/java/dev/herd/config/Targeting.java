package dev.herd.config;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Explicit include and exclude lists of a flag, by caller-supplied key, node and fleet. An
 * exclusion wins over an inclusion; both win over the percentage.
 */
public record Targeting(
    Set<String> includeKeys, Set<String> excludeKeys,
    Set<String> includeNodes, Set<String> excludeNodes,
    Set<String> includeFleets, Set<String> excludeFleets) {
  public static final Targeting NONE = new Targeting(Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), Set.of());
  public static final int MAX_ENTRIES = 10_000;

  public Targeting {
    includeKeys = sorted("include_keys", includeKeys);
    excludeKeys = sorted("exclude_keys", excludeKeys);
    includeNodes = sorted("include_nodes", includeNodes);
    excludeNodes = sorted("exclude_nodes", excludeNodes);
    includeFleets = sorted("include_fleets", includeFleets);
    excludeFleets = sorted("exclude_fleets", excludeFleets);
  }

  private static Set<String> sorted(String what, Set<String> s) {
    Set<String> out = new TreeSet<>(s == null ? Set.of() : s);
    if (out.size() > MAX_ENTRIES) {
      throw ConfigException.invalid(what + " has " + out.size() + " entries, at most " + MAX_ENTRIES);
    }
    for (String v : out) {
      if (v == null || v.isEmpty() || v.length() > 256) {
        throw ConfigException.invalid(what + " entries must be 1-256 characters, got " + Texts.quote(v));
      }
    }
    return Collections.unmodifiableSet(out);
  }

  public static Targeting ofKeys(String... keys) {
    return NONE.with(List.of(keys), List.of(), List.of(), List.of(), List.of(), List.of());
  }

  /** These lists plus the given entries. */
  public Targeting with(List<String> incKeys, List<String> excKeys, List<String> incNodes, List<String> excNodes,
      List<String> incFleets, List<String> excFleets) {
    return new Targeting(plus(includeKeys, incKeys), plus(excludeKeys, excKeys), plus(includeNodes, incNodes),
        plus(excludeNodes, excNodes), plus(includeFleets, incFleets), plus(excludeFleets, excFleets));
  }

  private static Set<String> plus(Set<String> a, List<String> b) {
    Set<String> out = new TreeSet<>(a);
    out.addAll(Objects.requireNonNull(b));
    return out;
  }
}
