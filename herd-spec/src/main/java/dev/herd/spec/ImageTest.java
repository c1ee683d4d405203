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
      implements ImageTest {}

  record Package(String name, boolean installed, Optional<String> version, Location location, String keyPath)
      implements ImageTest {}

  record User(String name, boolean exists, OptionalInt uid, Optional<String> group, Location location, String keyPath)
      implements ImageTest {}

  record Group(String name, boolean exists, OptionalInt gid, Location location, String keyPath)
      implements ImageTest {}

  /** Runs {@code command} in the sandbox over the image; checks exit status and stdout. */
  record Command(
      List<String> command, int exitStatus, List<String> stdoutContains, Location location, String keyPath)
      implements ImageTest {}
}
