package dev.herd.spec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Immutable copies that keep the order written in herd.yaml. */
final class Immutable {
  private Immutable() {}

  static <K, V> Map<K, V> map(Map<K, V> m) {
    Objects.requireNonNull(m, "map");
    LinkedHashMap<K, V> copy = new LinkedHashMap<>();
    m.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "key"), Objects.requireNonNull(v, "value of " + k)));
    return Collections.unmodifiableMap(copy);
  }

  static <T> List<T> list(List<T> l) {
    return List.copyOf(l);
  }
}
