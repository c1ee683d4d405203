package dev.herd.config;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A feature flag of one environment. A boolean flag serves "true" or "false"; a variant flag
 * serves one of its variants (chosen by weight, sticky per key) or its off value.
 *
 * @param enabled off serves {@code offValue} to everyone
 * @param killed the kill switch: serves {@code offValue} to everyone, whatever else is set; kept
 *     separate from {@code enabled} so flipping it back restores the rollout exactly
 * @param offValue what is served when the flag is off, killed, excluded or outside the rollout
 * @param variants what is served when on ({@code [true]} for a boolean flag)
 * @param rolloutBasisPoints the share of keys that get it, in 1/100 of a percent (3000 = 30%)
 */
public record Flag(
    String name, Kind kind, boolean enabled, boolean killed, String offValue, List<Variant> variants,
    int rolloutBasisPoints, Targeting targeting, String description) {

  public enum Kind {
    BOOLEAN,
    VARIANT
  }

  /** A served value and its relative weight among the variants. */
  public record Variant(String value, int weight) {
    public Variant {
      checkValue("variant", value);
      if (weight < 1 || weight > 10_000) {
        throw ConfigException.invalid("variant " + Texts.quote(value) + " weight must be 1-10000, got " + weight);
      }
    }
  }

  public static final int ALL = 10_000;
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  public Flag {
    checkName(name);
    Objects.requireNonNull(kind, "kind");
    checkValue("off value", offValue);
    variants = List.copyOf(variants);
    Objects.requireNonNull(targeting, "targeting");
    Objects.requireNonNull(description, "description");
    if (rolloutBasisPoints < 0 || rolloutBasisPoints > ALL) {
      throw ConfigException.invalid("flag " + name + ": rollout must be 0-100%, got " + Percent.format(rolloutBasisPoints));
    }
    if (kind == Kind.BOOLEAN && !(offValue.equals("false") && variants.equals(List.of(new Variant("true", 1))))) {
      throw ConfigException.invalid("flag " + name + ": a boolean flag serves \"true\" when on and \"false\" when off");
    }
    if (kind == Kind.VARIANT) {
      if (variants.isEmpty()) {
        throw ConfigException.invalid("flag " + name + ": a variant flag needs at least one variant");
      }
      if (variants.stream().map(Variant::value).distinct().count() != variants.size()) {
        throw ConfigException.invalid("flag " + name + ": variants must be distinct");
      }
    }
    if (description.length() > 1000) {
      throw ConfigException.invalid("flag " + name + ": description is longer than 1000 characters");
    }
  }

  static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw ConfigException.invalid("flag name " + Texts.quote(name) + " must be 1-64 of lowercase letters, digits,"
          + " '.', '_', '-', starting with a letter or digit");
    }
  }

  private static void checkValue(String what, String v) {
    if (v == null || v.isEmpty() || v.length() > 256) {
      throw ConfigException.invalid(what + " must be 1-256 characters, got " + Texts.quote(v));
    }
  }

  /**
   * A flag as an operator first creates it: off (everyone gets the off value) until turned on,
   * then served to 100% of keys unless a rollout is given. A variant flag when {@code variants}
   * is non-empty, else a boolean one.
   *
   * @param offValue a variant flag's off value, null for "off"
   */
  public static Flag created(String name, String offValue, List<Variant> variants) {
    Flag f = variants == null || variants.isEmpty()
        ? bool(name, 100)
        : variants(name, offValue == null ? "off" : offValue, variants, 100);
    return f.withEnabled(false);
  }

  /** A boolean flag, on, served to {@code percent}% of keys. */
  public static Flag bool(String name, double percent) {
    return new Flag(name, Kind.BOOLEAN, true, false, "false", List.of(new Variant("true", 1)), Percent.parse(percent),
        Targeting.NONE, "");
  }

  /** A variant flag, on, serving {@code variants} (by weight) to {@code percent}% of keys and {@code offValue} to the rest. */
  public static Flag variants(String name, String offValue, List<Variant> variants, double percent) {
    return new Flag(name, Kind.VARIANT, true, false, offValue, variants, Percent.parse(percent), Targeting.NONE, "");
  }

  public Flag withEnabled(boolean on) {
    return new Flag(name, kind, on, killed, offValue, variants, rolloutBasisPoints, targeting, description);
  }

  public Flag withKilled(boolean kill) {
    return new Flag(name, kind, enabled, kill, offValue, variants, rolloutBasisPoints, targeting, description);
  }

  public Flag withRollout(double percent) {
    return new Flag(name, kind, enabled, killed, offValue, variants, Percent.parse(percent), targeting, description);
  }

  public Flag withTargeting(Targeting t) {
    return new Flag(name, kind, enabled, killed, offValue, variants, rolloutBasisPoints, t, description);
  }

  public Flag withDescription(String d) {
    return new Flag(name, kind, enabled, killed, offValue, variants, rolloutBasisPoints, targeting, d);
  }

  /** Percentages as basis points: 30 → 3000, 0.5 → 50. */
  static final class Percent {
    private Percent() {}

    static int parse(double percent) {
      if (Double.isNaN(percent) || percent < 0 || percent > 100) {
        throw ConfigException.invalid("a rollout percentage must be 0-100, got " + percent);
      }
      double bp = percent * 100;
      if (Math.abs(bp - Math.rint(bp)) > 1e-6) {
        throw ConfigException.invalid("a rollout percentage has at most 2 decimals (buckets are 0.01%), got " + percent);
      }
      return (int) Math.rint(bp);
    }

    static String format(int basisPoints) {
      if (basisPoints % 100 == 0) {
        return (basisPoints / 100) + "%";
      }
      return java.math.BigDecimal.valueOf(basisPoints, 2).stripTrailingZeros().toPlainString() + "%";
    }
  }
}
