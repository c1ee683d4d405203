package dev.herd.bake.verify;

import dev.herd.bake.tree.Origin;
import java.util.Objects;

/**
 * One image test's outcome.
 *
 * @param name what was checked: "file /srv/www/index.html", "package nginx"
 * @param implied true for checks herd derived from a resource (the origin is the resource)
 * @param expected what the test asked for, e.g. "mode 0644"; empty when it passed
 * @param found what the image has, e.g. "mode 0600"; empty when it passed
 */
public record TestResult(String name, Origin origin, boolean implied, boolean passed, String expected, String found) {
  public TestResult {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(found, "found");
  }

  static TestResult pass(String name, Origin origin, boolean implied) {
    return new TestResult(name, origin, implied, true, "", "");
  }

  static TestResult fail(String name, Origin origin, boolean implied, String expected, String found) {
    return new TestResult(name, origin, implied, false, expected, found);
  }

  /** "herd.yaml:30:7: roles.web.tests[0]: file /etc/motd: expected mode 0644, found mode 0600". */
  @Override
  public String toString() {
    String head = origin + ": " + (implied ? "implied by this resource: " : "") + name;
    return passed ? head + ": ok" : head + ": expected " + expected + ", found " + found;
  }
}
