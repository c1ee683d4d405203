package dev.herd.spec;

import java.util.List;
import java.util.Map;

/**
 * A value of the document after checking it against {@link SpecKeys}: typed scalars, lists,
 * maps and fixed-key objects, each with where it was written. Values that had an error are
 * left out, so readers fall back to defaults and the load fails with the errors already found.
 */
sealed interface Val permits Val.Scalar, Val.Items, Val.Entries, Fields {
  Location loc();

  String path();

  record Scalar(Object value, Location loc, String path) implements Val {}

  record Items(List<Val> items, Location loc, String path) implements Val {}

  /** A map with user-chosen keys; {@code keyLocs} says where each key was written. */
  record Entries(Map<String, Val> values, Map<String, Location> keyLocs, Location loc, String path) implements Val {}
}
