package dev.herd.bake.base;

import dev.herd.spec.Base;
import dev.herd.spec.Location;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Everything that decides what mmdebstrap puts into a Debian root filesystem, normalized: the
 * same recipe always means the same tree for the same mirror content.
 *
 * @param sources apt source lines ({@code deb URI SUITE COMPONENTS}), in apt's order
 * @param packages requested package names, sorted and without duplicates
 * @param location where the base is declared, for error messages
 */
public record BaseRecipe(
    String suite, Base.Variant variant, String architecture, List<String> sources, List<String> packages, Location location) {
  public static final String DEFAULT_MIRROR = "http://deb.debian.org/debian";

  private static final Pattern SUITE = Pattern.compile("[a-z][a-z0-9.+-]*");
  private static final Pattern PACKAGE = Pattern.compile("[a-z0-9][a-z0-9.+-]+");
  private static final Set<String> ROLLING = Set.of("sid", "unstable", "experimental", "rc-buggy");

  public BaseRecipe {
    Objects.requireNonNull(variant, "variant");
    Objects.requireNonNull(location, "location");
    if (suite == null || !SUITE.matcher(suite).matches()) {
      throw new IllegalArgumentException(location + ": Debian suite '" + suite + "' is not a suite name like bookworm");
    }
    if (architecture == null || architecture.isBlank()) {
      throw new IllegalArgumentException("architecture is required");
    }
    sources = List.copyOf(sources);
    if (sources.isEmpty()) {
      throw new IllegalArgumentException(location + ": no apt sources for suite " + suite);
    }
    for (String line : sources) {
      if (!line.startsWith("deb ") || line.contains("\n")) {
        throw new IllegalArgumentException(location + ": apt source must be one 'deb URI SUITE COMPONENT...' line, got '" + line + "'");
      }
    }
    TreeSet<String> sorted = new TreeSet<>();
    for (String name : packages) {
      if (name == null || !PACKAGE.matcher(name).matches()) {
        throw new IllegalArgumentException(location + ": '" + name + "' is not a Debian package name");
      }
      sorted.add(name);
    }
    packages = List.copyOf(sorted);
  }

  /** The base stage: {@code base.debian.packages} only. */
  public static BaseRecipe base(Base.Debian debian, String architecture) {
    return new BaseRecipe(debian.suite(), debian.variant(), architecture, sources(debian.suite(), debian.mirror(), debian.location()),
        debian.packages(), debian.location());
  }

  /** The packages stage: the base's packages plus the role's own. */
  public static BaseRecipe withRolePackages(Base.Debian debian, List<String> rolePackages, String architecture) {
    List<String> all = new ArrayList<>(debian.packages());
    all.addAll(rolePackages);
    return new BaseRecipe(debian.suite(), debian.variant(), architecture, sources(debian.suite(), debian.mirror(), debian.location()),
        all, debian.location());
  }

  /**
   * apt sources for a mirror. A URI gets the suite and, for a stable release on a mirror laid out
   * like deb.debian.org ({@code .../debian}), the {@code -updates} suite and the security archive
   * beside it, so every bake picks up security fixes. Lines starting with {@code deb } are used
   * verbatim (one per line) for mirrors laid out otherwise.
   */
  static List<String> sources(String suite, String mirror, Location location) {
    String uri = mirror == null || mirror.isBlank() ? DEFAULT_MIRROR : mirror.strip();
    if (uri.startsWith("deb ")) {
      return uri.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }
    if (!uri.matches("(https?|file)://\\S+")) {
      throw new IllegalArgumentException(location + ": mirror '" + uri + "' is not an http(s):// or file:// URI");
    }
    uri = uri.replaceAll("/+$", "");
    List<String> lines = new ArrayList<>();
    lines.add("deb " + uri + " " + suite + " main");
    if (!ROLLING.contains(suite)) {
      lines.add("deb " + uri + " " + suite + "-updates main");
      if (uri.endsWith("/debian")) {
        lines.add("deb " + uri + "-security " + suite + "-security main");
      }
    }
    return List.copyOf(lines);
  }

  /** The architecture dpkg on this host installs by default (the image's architecture). */
  public static String hostArchitecture() {
    return switch (System.getProperty("os.arch")) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      case "ppc64le" -> "ppc64el";
      case "s390x" -> "s390x";
      case "riscv64" -> "riscv64";
      default -> throw new IllegalStateException("no Debian architecture known for os.arch " + System.getProperty("os.arch"));
    };
  }
}
