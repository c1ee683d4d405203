package dev.herd.spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The errors found while loading one spec, and which keys the loader read (for tests). */
final class Problems {
  final Path file;
  private final List<SpecError> errors = new ArrayList<>();
  /** Schema paths of keys the binder read, e.g. {@code roles.*.health.interval}. */
  final Set<String> consumed = new LinkedHashSet<>();

  Problems(Path file) {
    this.file = file;
  }

  void add(Location at, String keyPath, String message) {
    errors.add(new SpecError(at, keyPath, message));
  }

  void add(int line, int column, String keyPath, String message) {
    add(new Location(file, line, column), keyPath, message);
  }

  /** Whether an error was reported at {@code path} or anywhere under it. */
  boolean anyUnder(String path) {
    return errors.stream().anyMatch(e -> path.isEmpty() || e.keyPath().equals(path)
        || e.keyPath().startsWith(path + ".") || e.keyPath().startsWith(path + "["));
  }

  int count() {
    return errors.size();
  }

  boolean any() {
    return !errors.isEmpty();
  }

  /** In file order, each distinct error once (an aliased subtree can repeat the same error). */
  List<SpecError> sorted() {
    List<SpecError> l = new ArrayList<>(new LinkedHashSet<>(errors));
    l.sort(Comparator.comparingInt((SpecError e) -> e.location().line()).thenComparingInt(e -> e.location().column()));
    return l;
  }
}
