package dev.herd.engine;

import java.util.Map;

/** The labels herd puts on every node it creates; herd lists and touches nothing without them. */
public final class Labels {
  public static final String MANAGED = "herd.managed";
  public static final String PROJECT = "herd.project";
  public static final String FLEET = "herd.fleet";
  public static final String NODE = "herd.node";
  public static final String GENERATION = "herd.generation";
  public static final String RELEASE = "herd.release";
  public static final String IMAGE = "herd.image";
  public static final String PORT = "herd.port";

  private Labels() {}

  /** True when the labels mark a herd node of {@code project}. */
  public static boolean isHerdNode(Map<String, String> labels, String project) {
    return labels != null
        && "true".equals(labels.get(MANAGED))
        && project.equals(labels.get(PROJECT))
        && labels.get(NODE) != null;
  }
}
