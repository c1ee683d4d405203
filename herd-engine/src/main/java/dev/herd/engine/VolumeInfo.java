package dev.herd.engine;

import java.util.Map;
import java.util.Optional;

/**
 * One of herd's named volumes as the engine sees it: which node of which fleet it belongs to
 * and the volume's name in the fleet's spec.
 *
 * @param name the engine's name, {@code <project>-<fleet>-<node>-<volume>}
 */
public record VolumeInfo(String name, String project, String fleet, String node, String volume) {
  /** Marks a volume as herd's and names it in the fleet's spec (beside the node labels). */
  public static final String LABEL = "herd.volume";

  public VolumeInfo {
    Names.name("project", project);
    Names.name("fleet", fleet);
    Names.name("node", node);
    Names.name("volume", volume);
    if (!name.equals(engineName(project, fleet, node, volume))) {
      throw new IllegalArgumentException("volume " + name + " is not named like herd names volumes");
    }
  }

  /** The engine's name of a node's volume (herd-spec's {@code Fleet.volumeName} is the same join). */
  public static String engineName(String project, String fleet, String node, String volume) {
    return project + "-" + fleet + "-" + node + "-" + volume;
  }

  /** The labels a node's volume carries. */
  public static Map<String, String> labels(String project, String fleet, String node, String volume) {
    return Map.of(Labels.MANAGED, "true", Labels.PROJECT, project, Labels.FLEET, fleet, Labels.NODE, node, LABEL, volume);
  }

  /** The volume herd's labels describe, or empty when they are not herd's volume labels of {@code project}. */
  public static Optional<VolumeInfo> fromLabels(String name, String project, Map<String, String> labels) {
    if (labels == null || !"true".equals(labels.get(Labels.MANAGED)) || !project.equals(labels.get(Labels.PROJECT))
        || labels.get(LABEL) == null || labels.get(Labels.FLEET) == null || labels.get(Labels.NODE) == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(new VolumeInfo(name, project, labels.get(Labels.FLEET), labels.get(Labels.NODE), labels.get(LABEL)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
