package dev.herd.spec;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.Supplier;

/** What the readers that turn checked values into records share: errors, guards, file checks. */
abstract class Binding {
  final Problems problems;
  /** The project directory: {@code source} paths resolve against it. */
  final Path dir;

  Binding(Problems problems, Path dir) {
    this.problems = problems;
    this.dir = dir;
  }

  void error(Fields f, String key, String message) {
    problems.add(f.locOf(key), f.pathOf(key), message);
  }

  /**
   * Builds a record; a constructor that refuses its values becomes an error at {@code at}
   * unless an error was already reported at or under {@code path} (then the values were
   * placeholders and the real problem is already said).
   */
  <T> Optional<T> guard(Location at, String path, Supplier<T> make) {
    try {
      return Optional.of(make.get());
    } catch (RuntimeException e) {
      if (!problems.anyUnder(path)) {
        problems.add(at, path, e.getMessage() == null ? e.toString() : e.getMessage());
      }
      return Optional.empty();
    }
  }

  /** "no role "wbe" (did you mean "web"?)" for a name that is not declared. */
  static String dangling(String what, String name, Collection<String> declared, String where) {
    if (declared.isEmpty()) {
      return "no " + what + " " + Texts.quote(name) + " (" + where + " declares none)";
    }
    return "no " + what + " " + Texts.quote(name) + " in " + where
        + Texts.closest(name, declared).map(n -> " (did you mean \"" + n + "\"?)").orElse(" (declared: " + String.join(", ", declared) + ")");
  }

  /**
   * Checks a {@code source}-like path by {@link SourcePaths}: it exists inside the project
   * directory, also after symlinks, and outside herd's state directory.
   */
  void checkSource(Fields f, String key, boolean directoryAllowed) {
    Optional<String> source = f.optString(key);
    if (source.isEmpty()) {
      return;
    }
    try {
      new SourcePaths(dir, null).locate(source.get(), directoryAllowed);
    } catch (SourcePaths.Refused e) {
      error(f, key, e.getMessage());
    }
  }

  Limits limits(Fields l) {
    OptionalLong memory = OptionalLong.empty();
    Optional<Size> m = l.opt("memory", Size.class);
    if (m.isPresent()) {
      if (m.get().bytes() < 4L << 20) {
        error(l, "memory", "must be at least 4Mi, got " + m.get());
      } else {
        memory = OptionalLong.of(m.get().bytes());
      }
    }
    OptionalDouble cpus = OptionalDouble.empty();
    Optional<Double> c = l.opt("cpus", Double.class);
    if (c.isPresent()) {
      if (!(c.get() > 0 && c.get() <= 1024)) {
        error(l, "cpus", "must be more than 0 and at most 1024, got " + java.math.BigDecimal.valueOf(c.get()).stripTrailingZeros().toPlainString());
      } else {
        cpus = OptionalDouble.of(c.get());
      }
    }
    return new Limits(memory, cpus);
  }
}
