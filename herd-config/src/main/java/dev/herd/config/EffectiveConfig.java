package dev.herd.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The config a node of {@code scope} gets at {@code revision}: herd.yaml's
 * {@code environments.<env>.config} overlaid by the values stored up to that revision.
 */
public record EffectiveConfig(Scope scope, long revision, Map<String, ConfigValue> values) {
  public EffectiveConfig {
    Objects.requireNonNull(scope, "scope");
    values = Collections.unmodifiableMap(new TreeMap<>(values));
  }

  public Optional<ConfigValue> get(String key) {
    return Optional.ofNullable(values.get(key));
  }

  /** Key → value, sorted by key. */
  public Map<String, String> asMap() {
    Map<String, String> out = new LinkedHashMap<>();
    values.forEach((k, v) -> out.put(k, v.value()));
    return Collections.unmodifiableMap(out);
  }
}
