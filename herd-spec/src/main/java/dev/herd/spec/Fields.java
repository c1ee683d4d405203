package dev.herd.spec;

import dev.herd.spec.Shape.Field;
import dev.herd.spec.Shape.Obj;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A checked map with fixed keys. Readers ask for keys by name and get the written value or the
 * default from {@link SpecKeys}; asking for a key the table does not have is a bug in herd.
 */
final class Fields implements Val {
  private final Obj shape;
  private final Map<String, Val> values;
  private final Map<String, Location> keyLocs;
  private final Location loc;
  private final Location keyLoc;
  private final String path;
  private final String schemaPath;
  private final Problems problems;

  Fields(
      Obj shape,
      Map<String, Val> values,
      Map<String, Location> keyLocs,
      Location loc,
      Location keyLoc,
      String path,
      String schemaPath,
      Problems problems) {
    this.shape = shape;
    this.values = new LinkedHashMap<>(values);
    this.keyLocs = Map.copyOf(keyLocs);
    this.loc = loc;
    this.keyLoc = keyLoc;
    this.path = path;
    this.schemaPath = schemaPath;
    this.problems = problems;
  }

  @Override
  public Location loc() {
    return loc;
  }

  /** Where the key introducing this map was written (its own start for list items). */
  Location keyLoc() {
    return keyLoc;
  }

  @Override
  public String path() {
    return path;
  }

  String pathOf(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** Where a key's value was written, else where this map was introduced. */
  Location locOf(String key) {
    Val v = values.get(key);
    return v != null ? v.loc() : keyLocs.getOrDefault(key, keyLoc);
  }

  /** Where the key itself was written, else where this map was introduced. */
  Location keyLocOf(String key) {
    return keyLocs.getOrDefault(key, keyLoc);
  }

  /** Whether the key was written (and its value had no error). */
  boolean has(String key) {
    field(key);
    return values.containsKey(key);
  }

  /** Whether the key was written at all, even with a bad value. */
  boolean written(String key) {
    field(key);
    return keyLocs.containsKey(key);
  }

  private Field field(String key) {
    Field f =
        shape.field(key).orElseThrow(() -> new IllegalStateException("herd bug: no key " + key + " under " + schemaPath));
    problems.consumed.add(schemaPath + "." + key);
    return f;
  }

  private Optional<Object> scalar(String key) {
    Field f = field(key);
    Val v = values.get(key);
    if (v instanceof Val.Scalar s) {
      return Optional.of(s.value());
    }
    if (v != null) {
      throw new IllegalStateException("herd bug: " + key + " is not a scalar");
    }
    if (f.defaultValue() != null && f.shape() instanceof Shape.Scalar sc) {
      return Optional.of(Scalars.convertDefault(sc, f.defaultValue()));
    }
    return Optional.empty();
  }

  <T> Optional<T> opt(String key, Class<T> type) {
    return scalar(key).map(type::cast);
  }

  /** A value that has a default or is required; a placeholder when it had an error. */
  <T> T get(String key, Class<T> type, T placeholder) {
    return opt(key, type).orElse(placeholder);
  }

  String string(String key) {
    return get(key, String.class, "");
  }

  Optional<String> optString(String key) {
    return opt(key, String.class);
  }

  int integer(String key) {
    return get(key, Long.class, 0L).intValue();
  }

  Optional<Long> optLong(String key) {
    return opt(key, Long.class);
  }

  boolean bool(String key) {
    return get(key, Boolean.class, false);
  }

  Duration duration(String key) {
    return get(key, Duration.class, Duration.ofSeconds(1));
  }

  Optional<Duration> optDuration(String key) {
    return opt(key, Duration.class);
  }

  /** An enum value, written as its {@link Keyword}. */
  <E extends Enum<E> & Keyword> E choice(String key, Class<E> type) {
    String word = get(key, String.class, type.getEnumConstants()[0].keyword());
    for (E e : type.getEnumConstants()) {
      if (e.keyword().equals(word)) {
        return e;
      }
    }
    throw new IllegalStateException("herd bug: " + word + " is not a " + type.getSimpleName());
  }

  /** For an item of a list of variants: its kind key (the first key of its shape). */
  String variantKind() {
    return shape.fields().get(0).name();
  }

  List<String> strings(String key) {
    field(key);
    if (values.get(key) instanceof Val.Items items) {
      return items.items().stream().map(v -> (String) ((Val.Scalar) v).value()).toList();
    }
    return List.of();
  }

  List<Val> items(String key) {
    field(key);
    return values.get(key) instanceof Val.Items items ? items.items() : List.of();
  }

  Val.Entries entries(String key) {
    field(key);
    return values.get(key) instanceof Val.Entries e
        ? e
        : new Val.Entries(Map.of(), Map.of(), keyLocOf(key), pathOf(key));
  }

  /** Text values of a map with user-chosen keys, in the order written. */
  Map<String, String> texts(String key) {
    Map<String, String> out = new LinkedHashMap<>();
    entries(key).values().forEach((k, v) -> out.put(k, (String) ((Val.Scalar) v).value()));
    return out;
  }

  Optional<Fields> optObj(String key) {
    field(key);
    return values.get(key) instanceof Fields f ? Optional.of(f) : Optional.empty();
  }

  /** A nested map; when absent, an empty one so its defaults apply. */
  Fields obj(String key) {
    Field f = field(key);
    if (values.get(key) instanceof Fields fields) {
      return fields;
    }
    return new Fields(
        (Obj) f.shape(), Map.of(), Map.of(), keyLocOf(key), keyLocOf(key), pathOf(key), schemaPath + "." + key, problems);
  }

  /** An object with no values: every key takes its default (used by tests of defaults). */
  static Fields empty(Obj shape, Location at, String path, Problems problems) {
    return new Fields(shape, Map.of(), Map.of(), at, at, path, path, problems);
  }
}
