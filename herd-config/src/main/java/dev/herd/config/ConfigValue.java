package dev.herd.config;

import java.util.Objects;

/**
 * One effective config value and where it came from.
 *
 * @param revision the config revision that set it; 0 when it comes from herd.yaml
 */
public record ConfigValue(String key, String value, Source source, long revision) {
  public enum Source {
    /** {@code environments.<env>.config} in herd.yaml. */
    SPEC,
    /** Set with {@code herd config set}; overrides herd.yaml. */
    STORED
  }

  public ConfigValue {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(source, "source");
  }
}
