package dev.herd.bake.base;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One role's entry in herd.lock: where its Debian packages come from and the exact versions.
 *
 * @param releaseDate the mirror's Release date when the lock was written (informational: a
 *     mirror may re-sign its Release without changing packages, so it is not compared)
 * @param packages every package in the role's tree, name → version
 */
@JsonPropertyOrder({"image", "suite", "variant", "architecture", "sources", "releaseDate", "packages"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RoleLock(
    String suite, String variant, String architecture, List<String> sources, String releaseDate, SortedMap<String, String> packages,
    String image) {
  public RoleLock {
    if (image == null) {
      Objects.requireNonNull(suite, "suite");
      Objects.requireNonNull(variant, "variant");
      Objects.requireNonNull(architecture, "architecture");
    }
    sources = sources == null ? List.of() : List.copyOf(sources);
    packages = packages == null ? new TreeMap<>() : new TreeMap<>(packages);
  }

  /** A Debian lock (no registry image). */
  public RoleLock(String suite, String variant, String architecture, List<String> sources, String releaseDate,
      SortedMap<String, String> packages) {
    this(suite, variant, architecture, sources, releaseDate, packages, null);
  }

  /** The lock of a registry base: {@code REF@sha256:...}, the digest the tag named when it was pinned. */
  public static RoleLock ofImage(String pin) {
    return new RoleLock(null, null, null, List.of(), null, new TreeMap<>(), Objects.requireNonNull(pin, "pin"));
  }

  @Override
  public SortedMap<String, String> packages() {
    return java.util.Collections.unmodifiableSortedMap(packages);
  }

  /** The lock entry that pins {@code resolution}. */
  public static RoleLock of(Resolution resolution) {
    BaseRecipe recipe = resolution.recipe();
    SortedMap<String, String> packages = new TreeMap<>();
    resolution.packages().forEach(p -> packages.put(p.name(), p.version()));
    return new RoleLock(recipe.suite(), recipe.variant().name().toLowerCase(), recipe.architecture(), recipe.sources(),
        resolution.releaseDate().map(Object::toString).orElse(null), packages);
  }

  /**
   * What differs between this lock and a resolution of the same role's full package set; empty
   * when the resolution is exactly what is locked.
   */
  public List<String> differences(Resolution resolution) {
    List<String> out = recipeDifferences(resolution.recipe());
    SortedMap<String, String> resolved = new TreeMap<>();
    resolution.packages().forEach(p -> resolved.put(p.name(), p.version()));
    TreeSet<String> names = new TreeSet<>(packages.keySet());
    names.addAll(resolved.keySet());
    for (String name : names) {
      String locked = packages.get(name);
      String now = resolved.get(name);
      if (locked == null) {
        out.add(name + ": not locked, resolved " + now);
      } else if (now == null) {
        out.add(name + ": locked " + locked + ", no longer resolved");
      } else if (!locked.equals(now)) {
        out.add(name + ": locked " + locked + ", resolved " + now);
      }
    }
    return out;
  }

  /**
   * Differences for a stage that holds a subset of the role's packages (the base stage): every
   * package it resolves must be locked at the version it resolves to.
   */
  public List<String> subsetDifferences(Resolution resolution) {
    List<String> out = recipeDifferences(resolution.recipe());
    for (DebianPackage p : resolution.packages()) {
      String locked = packages.get(p.name());
      if (locked == null) {
        out.add(p.name() + ": not locked, resolved " + p.version());
      } else if (!locked.equals(p.version())) {
        out.add(p.name() + ": locked " + locked + ", resolved " + p.version());
      }
    }
    return out;
  }

  private List<String> recipeDifferences(BaseRecipe recipe) {
    List<String> out = new ArrayList<>();
    compare(out, "suite", suite, recipe.suite());
    compare(out, "variant", variant, recipe.variant().name().toLowerCase());
    compare(out, "architecture", architecture, recipe.architecture());
    compare(out, "sources", String.join(" | ", sources), String.join(" | ", recipe.sources()));
    return out;
  }

  private static void compare(List<String> out, String what, String locked, String now) {
    if (!locked.equals(now)) {
      out.add(what + ": locked " + locked + ", spec has " + now);
    }
  }

  /** Versions to install, for building exactly what is locked. */
  public Map<String, String> pins() {
    return packages();
  }
}
