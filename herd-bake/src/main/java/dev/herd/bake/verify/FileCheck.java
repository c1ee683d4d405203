package dev.herd.bake.verify;

import dev.herd.bake.tree.Node;
import java.util.List;
import java.util.Optional;

/**
 * What can be asserted about one path: the superset of a declared {@code file} test and the
 * checks a file, template, directory, symlink or absent resource implies.
 */
record FileCheck(
    String path,
    boolean exists,
    Optional<Node.Type> type,
    Optional<Integer> mode,
    Optional<String> owner,
    Optional<String> group,
    List<String> contains,
    Optional<String> sha256,
    Optional<String> linkTarget) {

  FileCheck {
    contains = List.copyOf(contains);
  }

  static FileCheck absent(String path) {
    return new FileCheck(path, false, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of(),
        Optional.empty(), Optional.empty());
  }
}
