package dev.herd.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** What differs in a scope's effective config between two revisions, sorted by key. */
public record ConfigDiff(Scope scope, long from, long to, List<Change> changes) {
  public ConfigDiff {
    Objects.requireNonNull(scope, "scope");
    changes = List.copyOf(changes);
  }

  public boolean isEmpty() {
    return changes.isEmpty();
  }

  /** One key: absent before means added, absent after means removed. */
  public record Change(String key, Optional<String> before, Optional<String> after) {
    public Change {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(before, "before");
      Objects.requireNonNull(after, "after");
    }
  }
}
