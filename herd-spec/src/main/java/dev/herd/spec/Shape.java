package dev.herd.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The shape of a value in herd.yaml. {@link SpecKeys} describes every key once with these; the
 * loader checks documents against it and {@link SpecSchema} turns it into a JSON Schema, so the
 * two cannot disagree about which keys exist, their types and their defaults.
 */
sealed interface Shape {
  /** For messages: "expected a list of strings, got a map". */
  String what();

  /** The kinds of scalar herd.yaml knows; each has one parser and one JSON Schema form. */
  enum Kind {
    /** A YAML string. */
    STRING,
    /** A string, number or boolean, kept as the text written (vars, env, config values). */
    TEXT,
    /** A user or group: a name or a numeric id. */
    ID,
    INT,
    NUMBER,
    BOOL,
    DURATION,
    SIZE,
    MODE,
    ENUM,
    PORT_RANGE,
    AMOUNT,
    IMAGE_REF,
    NAME_PATTERN,
    /** An absolute path inside the image. */
    ABS_PATH,
    /** A path relative to the project directory (where herd.yaml is). */
    REL_PATH,
    /** Where a symlink points: absolute or relative, normalized as the link will be stored. */
    LINK_TARGET
  }

  record Scalar(
      Kind kind, String what, Optional<Pattern> pattern, List<String> choices, Optional<Long> min, Optional<Long> max)
      implements Shape {
    public Scalar {
      choices = List.copyOf(choices);
    }

    static Scalar of(Kind kind, String what) {
      return new Scalar(kind, what, Optional.empty(), List.of(), Optional.empty(), Optional.empty());
    }

    Scalar matching(Pattern p, String what) {
      return new Scalar(kind, what, Optional.of(p), choices, min, max);
    }

    Scalar between(long lo, long hi) {
      return new Scalar(kind, what, pattern, choices, Optional.of(lo), Optional.of(hi));
    }
  }

  record ListOf(Shape item, boolean nonEmpty) implements Shape {
    @Override
    public String what() {
      return (nonEmpty ? "a non-empty list of " : "a list of ") + plural(item);
    }
  }

  /**
   * A map with names chosen by the user (roles, env vars ...).
   *
   * @param secretRefusal when set, keys that look like secrets are refused with this reason
   */
  record MapOf(String what, Shape value, Pattern keyPattern, String keyRule, Optional<String> secretRefusal)
      implements Shape {}

  /**
   * A map with fixed keys.
   *
   * @param exactlyOne keys of which exactly one must be given (empty: no such rule)
   */
  record Obj(List<Field> fields, List<String> exactlyOne) implements Shape {
    public Obj {
      fields = List.copyOf(fields);
      exactlyOne = List.copyOf(exactlyOne);
      List<String> names = fields.stream().map(Field::name).toList();
      for (String k : exactlyOne) {
        if (!names.contains(k)) {
          throw new IllegalArgumentException("exactlyOne names unknown key " + k);
        }
      }
    }

    Optional<Field> field(String name) {
      return fields.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    List<String> names() {
      return fields.stream().map(Field::name).toList();
    }

    Obj exactlyOneOf(String... keys) {
      return new Obj(fields, List.of(keys));
    }

    @Override
    public String what() {
      return "a map";
    }
  }

  /** List items that each have exactly one kind key ({@code - file: /etc/motd}) plus its own keys. */
  record Variants(List<Variant> variants) implements Shape {
    public Variants {
      variants = List.copyOf(variants);
    }

    List<String> kinds() {
      return variants.stream().map(Variant::kind).toList();
    }

    Optional<Variant> variant(String kind) {
      return variants.stream().filter(v -> v.kind().equals(kind)).findFirst();
    }

    @Override
    public String what() {
      return "a map with one of the keys " + Texts.orList(kinds());
    }
  }

  /** One kind of a {@link Variants} item: the kind key, its value, and the other keys allowed. */
  record Variant(String kind, Shape value, String description, Obj rest) {
    /** The item as one map shape: the kind key (required) plus the rest. */
    Obj asObj() {
      List<Field> all = new ArrayList<>();
      all.add(new Field(kind, value, true, null, description));
      all.addAll(rest.fields());
      return new Obj(all, rest.exactlyOne());
    }
  }

  /**
   * One key of an {@link Obj}.
   *
   * @param defaultValue the default as YAML would give it (String, Integer, Boolean, Double), or
   *     null when there is none or it depends on other values (then the description says so)
   */
  record Field(String name, Shape shape, boolean required, Object defaultValue, String description) {}

  private static String plural(Shape s) {
    return switch (s) {
      case Scalar sc when sc.kind() == Kind.INT || sc.kind() == Kind.NUMBER -> "numbers";
      case Scalar sc when sc.kind() == Kind.BOOL -> "booleans";
      case Scalar sc -> "strings";
      case ListOf l -> "lists";
      case MapOf m -> "maps";
      case Obj o -> "maps";
      case Variants v -> "maps";
    };
  }
}
