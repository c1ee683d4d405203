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
      implements Resource {
    public File {
      java.util.Objects.requireNonNull(target, "target");
      java.util.Objects.requireNonNull(location, "location");
      java.util.Objects.requireNonNull(keyPath, "keyPath");
      java.util.Objects.requireNonNull(content, "content");
      java.util.Objects.requireNonNull(source, "source");
      if (content.isPresent() == source.isPresent()) {
        throw new IllegalArgumentException("a file needs exactly one of content and source");
      }
      mode = Mode.parse(mode).toString();
      java.util.Objects.requireNonNull(owner, "owner");
      java.util.Objects.requireNonNull(group, "group");
    }
  }

  /** A Jinja2 (Jinjava) template rendered with the role's vars and build facts. */
  record Template(
      String target, String source, String mode, String owner, String group, Location location, String keyPath)
      implements Resource {
    public Template {
      java.util.Objects.requireNonNull(target, "target");
      java.util.Objects.requireNonNull(location, "location");
      java.util.Objects.requireNonNull(keyPath, "keyPath");
      java.util.Objects.requireNonNull(source, "source");
      mode = Mode.parse(mode).toString();
      java.util.Objects.requireNonNull(owner, "owner");
      java.util.Objects.requireNonNull(group, "group");
    }
  }

  record Directory(String target, String mode, String owner, String group, Location location, String keyPath)
      implements Resource {
    public Directory {
      java.util.Objects.requireNonNull(target, "target");
      java.util.Objects.requireNonNull(location, "location");
      java.util.Objects.requireNonNull(keyPath, "keyPath");
      mode = Mode.parse(mode).toString();
      java.util.Objects.requireNonNull(owner, "owner");
      java.util.Objects.requireNonNull(group, "group");
    }
  }

  /** A symbolic link at {@code target} pointing to {@code to} (which must stay inside the image). */
  record Symlink(String target, String to, Location location, String keyPath) implements Resource {
    public Symlink {
      java.util.Objects.requireNonNull(target, "target");
      java.util.Objects.requireNonNull(location, "location");
      java.util.Objects.requireNonNull(keyPath, "keyPath");
      java.util.Objects.requireNonNull(to, "to");
    }
  }

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
      implements Resource {
    public User {
      java.util.Objects.requireNonNull(target, "target");
      java.util.Objects.requireNonNull(location, "location");
      java.util.Objects.requireNonNull(keyPath, "keyPath");
      java.util.Objects.requireNonNull(uid, "uid");
      java.util.Objects.requireNonNull(group, "group");
      groups = List.copyOf(groups);
      java.util.Objects.requireNonNull(home, "home");
      java.util.Objects.requireNonNull(shell, "shell");
    }
  }

  record Group(String target, Optional<Integer> gid, boolean system, Location location, String keyPath)
      implements Resource {
    public Group {
      java.util.Objects.requireNonNull(target, "target");
      java.util.Objects.requireNonNull(location, "location");
      java.util.Objects.requireNonNull(keyPath, "keyPath");
      java.util.Objects.requireNonNull(gid, "gid");
    }
  }

  /** A path that must not exist in the image (removed, recursively, if the base has it). */
  record Absent(String target, Location location, String keyPath) implements Resource {
    public Absent {
      java.util.Objects.requireNonNull(target, "target");
      java.util.Objects.requireNonNull(location, "location");
      java.util.Objects.requireNonNull(keyPath, "keyPath");
    }
  }
}
