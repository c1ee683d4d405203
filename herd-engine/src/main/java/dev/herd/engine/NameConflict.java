package dev.herd.engine;

/** A container already has the node's name. herd never removes it for you. */
public final class NameConflict extends EngineException {
  private final String containerName;
  private final boolean foreign;

  public NameConflict(String containerName, boolean foreign) {
    super("a container named " + containerName + " already exists"
        + (foreign ? " and is not herd's (no herd labels for this project); remove or rename it yourself" : ""),
        null);
    this.containerName = containerName;
    this.foreign = foreign;
  }

  public String containerName() {
    return containerName;
  }

  /** True when the container is not one of herd's nodes of this project. */
  public boolean foreign() {
    return foreign;
  }
}
