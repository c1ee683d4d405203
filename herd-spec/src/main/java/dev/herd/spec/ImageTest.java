package dev.herd.spec;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** A goss-shaped assertion about the baked image. A failing test fails the bake. */
public sealed interface ImageTest {
  Location location();

  String keyPath();

  record File(
      String path,
      boolean exists,
      Optional<String> mode,
      Optional<String> owner,
      Optional<String> group,
      List<String> contains,
      Optional<String> sha256,
      Location location,
      String keyPath)
      implements ImageTest {
    public File {
      java.util.Objects.requireNonNull(location, "location");
      java.util.Objects.requireNonNull(keyPath, "keyPath");
      java.util.Objects.requireNonNull(path, "path");
      mode = mode.map(m -> Mode.parse(m).toString());
      java.util.Objects.requireNonNull(owner, "owner");
      java.util.Objects.requireNonNull(group, "group");
      contains = List.copyOf(contains);
      java.util.Objects.requireNonNull(sha256, "sha256");
    }
  }

  record Package(String name, boolean installed, Optional<String> version, Location location, String keyPath)
      implements ImageTest {
    public Package {
      java.util.Objects.requireNonNull(location, "location");
      java.util.Objects.requireNonNull(keyPath, "keyPath");
      java.util.Objects.requireNonNull(name, "name");
      java.util.Objects.requireNonNull(version, "version");
    }
  }

  record User(String name, boolean exists, OptionalInt uid, Optional<String> group, Location location, String keyPath)
      implements ImageTest {
    public User {
      java.util.Objects.requireNonNull(location, "location");
      java.util.Objects.requireNonNull(keyPath, "keyPath");
      java.util.Objects.requireNonNull(name, "name");
      java.util.Objects.requireNonNull(uid, "uid");
      java.util.Objects.requireNonNull(group, "group");
    }
  }

  record Group(String name, boolean exists, OptionalInt gid, Location location, String keyPath)
      implements ImageTest {
    public Group {
      java.util.Objects.requireNonNull(location, "location");
      java.util.Objects.requireNonNull(keyPath, "keyPath");
      java.util.Objects.requireNonNull(name, "name");
      java.util.Objects.requireNonNull(gid, "gid");
    }
  }

  /** Runs {@code command} in the sandbox over the image; checks exit status and stdout. */
  record Command(
      List<String> command, int exitStatus, List<String> stdoutContains, Location location, String keyPath)
      implements ImageTest {
    public Command {
      java.util.Objects.requireNonNull(location, "location");
      java.util.Objects.requireNonNull(keyPath, "keyPath");
      command = List.copyOf(command);
      if (command.isEmpty()) {
        throw new IllegalArgumentException("a command test needs a command");
      }
      stdoutContains = List.copyOf(stdoutContains);
    }
  }
}
