package dev.herd.spec;

import java.util.List;
import java.util.Optional;

/**
 * A declarative resource applied by herd itself to the image's staging tree (no shell). Paths
 * are absolute inside the image ("/srv/www/index.html"); owners/groups are names or numeric ids.
 */
public sealed interface Resource {
  /** The path in the image this resource manages (for users/groups: the account name). */
  String target();

  /** Where it is declared, for error messages ("herd.yaml:12:9: roles.web.resources[2]"). */
  Location location();

  /** The key path of this resource, e.g. {@code roles.web.resources[2]}. */
  String keyPath();

  /** A regular file from inline {@code content} or a {@code source} file relative to herd.yaml. */
  record File(
      String target,
      Optional<String> content,
      Optional<String> source,
      String mode,
      String owner,
      String group,
      Location location,
      String keyPath)
      implements Resource {}

  /** A Jinja2 (Jinjava) template rendered with the role's vars and build facts. */
  record Template(
      String target, String source, String mode, String owner, String group, Location location, String keyPath)
      implements Resource {}

  record Directory(String target, String mode, String owner, String group, Location location, String keyPath)
      implements Resource {}

  /** A symbolic link at {@code target} pointing to {@code to} (which must stay inside the image). */
  record Symlink(String target, String to, Location location, String keyPath) implements Resource {}

  /** A user account written to /etc/passwd, /etc/shadow (locked password) and /etc/group. */
  record User(
      String target,
      Optional<Integer> uid,
      Optional<String> group,
      List<String> groups,
      String home,
      String shell,
      boolean system,
      Location location,
      String keyPath)
      implements Resource {}

  record Group(String target, Optional<Integer> gid, boolean system, Location location, String keyPath)
      implements Resource {}

  /** A path that must not exist in the image (removed, recursively, if the base has it). */
  record Absent(String target, Location location, String keyPath) implements Resource {}
}
