package dev.herd.bake;

/** The stages of a bake, in order; the CLI shows progress per stage. */
public enum Stage {
  RESOLVE("resolving"),
  BASE("base"),
  PACKAGES("packages"),
  RESOURCES("resources"),
  RUN("run"),
  TESTS("tests"),
  SCAN("scan"),
  WRITE("write");

  private final String label;

  Stage(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
