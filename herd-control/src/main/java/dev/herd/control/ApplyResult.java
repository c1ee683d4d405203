package dev.herd.control;

import java.util.List;
import java.util.NoSuchElementException;

/** The changes of one apply (or plan), one entry per fleet, sorted by fleet name. */
public record ApplyResult(List<FleetChange> fleets) {
  public ApplyResult {
    fleets = List.copyOf(fleets);
  }

  public boolean changed() {
    return fleets.stream().anyMatch(f -> f.kind() != FleetChange.Kind.UNCHANGED);
  }

  public FleetChange fleet(String name) {
    return fleets.stream().filter(f -> f.fleet().equals(name)).findFirst()
        .orElseThrow(() -> new NoSuchElementException("no fleet " + name + " in this result"));
  }
}
