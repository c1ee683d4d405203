package dev.herd.spec;

import java.util.Objects;

/** How a role picks up changed config files without a restart (for on_config_change: reload). */
public record Reload(Signal signal, Location location) {
  public Reload {
    Objects.requireNonNull(signal, "signal");
    Objects.requireNonNull(location, "location");
  }

  public enum Signal implements Keyword {
    HUP,
    USR1,
    USR2,
    INT,
    QUIT,
    TERM,
    WINCH;

    @Override
    public String keyword() {
      return name();
    }
  }
}
