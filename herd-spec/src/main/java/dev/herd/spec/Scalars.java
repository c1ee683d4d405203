package dev.herd.spec;

import dev.herd.spec.Shape.Scalar;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Turns a YAML scalar into the typed value its {@link Shape.Kind} asks for, or says why not. */
final class Scalars {
  private Scalars() {}

  /** What YAML (core schema) made of a scalar. */
  enum YamlType {
    STR,
    INT,
    FLOAT,
    BOOL,
    NULL
  }

  /** Thrown with a message ready for the user. */
  static final class Bad extends Exception {
    Bad(String message) {
      super(message, null, false, false);
    }
  }

  /** How a scalar is shown after "got": strings quoted, numbers and booleans as written. */
  static String got(YamlType type, String raw) {
    return switch (type) {
      case STR -> Texts.quote(raw);
      case NULL -> "nothing";
      default -> raw;
    };
  }

  static Object convertDefault(Scalar s, Object yamlValue) {
    YamlType t =
        switch (yamlValue) {
          case String x -> YamlType.STR;
          case Integer x -> YamlType.INT;
          case Long x -> YamlType.INT;
          case Boolean x -> YamlType.BOOL;
          default -> YamlType.FLOAT;
        };
    try {
      return convert(s, t, String.valueOf(yamlValue));
    } catch (Bad e) {
      throw new IllegalStateException("herd bug: bad default " + yamlValue + ": " + e.getMessage());
    }
  }

  static Object convert(Scalar s, YamlType type, String raw) throws Bad {
    String expected = "expected " + s.what() + ", got " + got(type, raw);
    if (type == YamlType.NULL) {
      throw new Bad(expected);
    }
    try {
      return switch (s.kind()) {
        case STRING -> matching(s, text(type, raw, expected, true));
        case TEXT -> raw;
        case ID -> {
          if (type != YamlType.STR && type != YamlType.INT) {
            throw new Bad(expected);
          }
          yield matching(s, raw);
        }
        case INT -> bounded(s, integer(type, raw, expected));
        case NUMBER -> {
          if (type != YamlType.INT && type != YamlType.FLOAT) {
            throw new Bad(expected);
          }
          double d = Double.parseDouble(raw.replace("_", ""));
          if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new Bad(expected);
          }
          yield d;
        }
        case BOOL -> {
          if (type != YamlType.BOOL) {
            throw new Bad(expected);
          }
          yield Boolean.parseBoolean(raw.toLowerCase());
        }
        case DURATION -> {
          if (type == YamlType.INT) {
            throw new Bad(expected + " (add a unit, e.g. " + raw + "s)");
          }
          yield Durations.parse(text(type, raw, expected, false));
        }
        case SIZE -> type == YamlType.INT ? Size.ofBytes(integer(type, raw, expected)) : Size.parse(text(type, raw, expected, false));
        case MODE -> {
          if (type == YamlType.INT) {
            throw new Bad("write the mode as a quoted string like \"" + raw + "\" (unquoted, YAML reads " + raw + " as a decimal number)");
          }
          yield Mode.parse(text(type, raw, expected, false));
        }
        case ENUM -> {
          String t = text(type, raw, expected, false);
          if (!s.choices().contains(t)) {
            Optional<String> near = Texts.closest(t, s.choices());
            throw new Bad(expected + near.map(n -> " (did you mean \"" + n + "\"?)").orElse(""));
          }
          yield t;
        }
        case PORT_RANGE -> PortRange.parse(text(type, raw, expected, false));
        case AMOUNT -> type == YamlType.INT ? Amount.nodes(Math.toIntExact(integer(type, raw, expected))) : Amount.parse(text(type, raw, expected, false));
        case IMAGE_REF -> ImageRef.parse(text(type, raw, expected, false));
        case NAME_PATTERN -> new NamePattern(text(type, raw, expected, false));
        case ABS_PATH -> absolutePath(text(type, raw, expected, false), expected);
        case REL_PATH -> relativePath(text(type, raw, expected, false), expected);
        case LINK_TARGET -> linkTarget(text(type, raw, expected, false), expected);
      };
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new Bad(e.getMessage());
    }
  }

  private static String text(YamlType type, String raw, String expected, boolean hintQuotes) throws Bad {
    if (type != YamlType.STR) {
      throw new Bad(expected + (hintQuotes ? " (write \"" + raw + "\" to use it as text)" : ""));
    }
    return raw;
  }

  private static String matching(Scalar s, String value) throws Bad {
    if (s.pattern().isPresent() && !s.pattern().get().matcher(value).matches()) {
      throw new Bad("expected " + s.what() + ", got " + Texts.quote(value));
    }
    return value;
  }

  private static long integer(YamlType type, String raw, String expected) throws Bad {
    if (type != YamlType.INT) {
      throw new Bad(expected);
    }
    String t = raw.replace("_", "");
    boolean negative = t.startsWith("-");
    if (negative || t.startsWith("+")) {
      t = t.substring(1);
    }
    int radix = 10;
    if (t.startsWith("0x")) {
      radix = 16;
      t = t.substring(2);
    } else if (t.startsWith("0o")) {
      radix = 8;
      t = t.substring(2);
    }
    BigInteger v = new BigInteger(t, radix);
    if (negative) {
      v = v.negate();
    }
    if (v.bitLength() > 62) {
      throw new Bad("number is too large: " + raw);
    }
    return v.longValue();
  }

  private static long bounded(Scalar s, long v) throws Bad {
    long lo = s.min().orElse(Long.MIN_VALUE);
    long hi = s.max().orElse(Long.MAX_VALUE);
    if (v < lo || v > hi) {
      throw new Bad(
          hi == Long.MAX_VALUE || hi == Integer.MAX_VALUE
              ? "must be at least " + lo + ", got " + v
              : "must be between " + lo + " and " + hi + ", got " + v);
    }
    return v;
  }

  /** An absolute path inside the image, normalized ("/srv//www/" → "/srv/www"). */
  static String absolutePath(String p, String expected) throws Bad {
    if (!p.startsWith("/")) {
      throw new Bad(expected);
    }
    if (p.indexOf('\0') >= 0) {
      throw new Bad("a path must not contain NUL characters");
    }
    StringBuilder out = new StringBuilder();
    for (String part : p.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        throw new Bad("\"..\" is not allowed in a path, got " + Texts.quote(p));
      }
      out.append('/').append(part);
    }
    return out.isEmpty() ? "/" : out.toString();
  }

  /**
   * A symlink target as the filesystem will store it: "//" and "." components and a trailing
   * "/" are dropped ("/srv/" → "/srv", "./a//b/" → "a/b"), so the link baked and the link the
   * image tests expect are the same string. ".." is kept: for a relative target it is meaning,
   * not noise (whether it stays in the image is checked with the link's own path).
   */
  static String linkTarget(String p, String expected) throws Bad {
    if (p.isEmpty()) {
      throw new Bad(expected);
    }
    if (p.indexOf('\0') >= 0) {
      throw new Bad("a path must not contain NUL characters");
    }
    List<String> parts = new ArrayList<>();
    for (String part : p.split("/")) {
      if (!part.isEmpty() && !part.equals(".")) {
        parts.add(part);
      }
    }
    String joined = String.join("/", parts);
    if (p.startsWith("/")) {
      return "/" + joined;
    }
    if (joined.isEmpty()) {
      throw new Bad("a link to its own directory (" + Texts.quote(p) + ") is a loop; point it at a path");
    }
    return joined;
  }

  /** A path relative to the project directory that stays inside it. */
  static String relativePath(String p, String expected) throws Bad {
    if (p.isEmpty() || p.startsWith("/") || p.startsWith("~")) {
      throw new Bad(expected);
    }
    if (p.indexOf('\0') >= 0) {
      throw new Bad("a path must not contain NUL characters");
    }
    int depth = 0;
    StringBuilder out = new StringBuilder();
    for (String part : p.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        depth--;
        if (depth < 0) {
          throw new Bad("path escapes the project directory: " + Texts.quote(p));
        }
        out.setLength(Math.max(0, out.lastIndexOf("/")));
        continue;
      }
      depth++;
      out.append(out.isEmpty() ? "" : "/").append(part);
    }
    if (out.isEmpty()) {
      throw new Bad(expected);
    }
    return out.toString();
  }
}
