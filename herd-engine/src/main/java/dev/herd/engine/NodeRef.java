package dev.herd.engine;

/**
 * Names one node of one project. The container is named {@code <project>-<node>}; herd makes
 * node names unique within a project (a replacement gets a new name).
 */
public record NodeRef(String project, String node) {
  public NodeRef {
    Names.name("project", project);
    Names.name("node", node);
  }

  public String containerName() {
    return project + "-" + node;
  }

  @Override
  public String toString() {
    return project + "/" + node;
  }
}
