package dev.herd.bake.tree;

import java.util.List;
import java.util.stream.Collectors;

/** The changes of one run over a role's resources, in resource order. */
public record ChangeReport(List<Change> changes) {
  public ChangeReport {
    changes = List.copyOf(changes);
  }

  public List<Change> changed() {
    return changes.stream().filter(Change::changed).toList();
  }

  /** True when the tree already matched every resource. */
  public boolean isUnchanged() {
    return changes.stream().noneMatch(Change::changed);
  }

  /** One line per change, for the CLI and logs. */
  public String render() {
    return changes.stream().map(Change::toString).collect(Collectors.joining("\n"));
  }
}
