package dev.herd.spec;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * {@code roles.NAME.rebake}: when the running controller bakes the role again by itself.
 *
 * @param on what makes a rebake worth it: a security update of an installed package, or any
 *     newer version of one (the base moved on: a point release)
 * @param every how often the controller checks
 */
public record Rebake(Set<Trigger> on, Duration every, Location location) {
  /** Checking more often than this would only hammer the mirror. */
  public static final Duration MIN_EVERY = Duration.ofMinutes(5);

  public Rebake {
    if (on == null || on.isEmpty()) {
      throw new IllegalArgumentException("rebake.on must name at least one trigger");
    }
    on = Set.copyOf(EnumSet.copyOf(on));
    Objects.requireNonNull(every, "every");
    if (every.compareTo(MIN_EVERY) < 0) {
      throw new IllegalArgumentException("rebake.every must be at least " + Durations.format(MIN_EVERY));
    }
    Objects.requireNonNull(location, "location");
  }

  public enum Trigger implements Keyword {
    SECURITY_UPDATES("security_updates"),
    BASE_UPDATE("base_update");

    private final String keyword;

    Trigger(String keyword) {
      this.keyword = keyword;
    }

    @Override
    public String keyword() {
      return keyword;
    }
  }
}
