package dev.herd.config;

/**
 * Who asks for a flag. {@code key} is the caller's bucketing key (a user or account id); when it
 * is empty the node name is used, which rolls a flag out node by node. Empty strings mean unknown.
 */
public record FlagContext(String key, String fleet, String node) {
  public FlagContext {
    key = key == null ? "" : key;
    fleet = fleet == null ? "" : fleet;
    node = node == null ? "" : node;
  }

  public static FlagContext ofKey(String key) {
    return new FlagContext(key, "", "");
  }

  public static FlagContext ofNode(String fleet, String node) {
    return new FlagContext("", fleet, node);
  }

  /** What percentage bucketing hashes: the key, else the node. */
  String bucketingKey() {
    return key.isEmpty() ? node : key;
  }
}
