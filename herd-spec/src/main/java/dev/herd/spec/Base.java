package dev.herd.spec;

import java.util.List;
import java.util.Optional;

/** What a role's image starts from. Exactly one kind per role. */
public sealed interface Base {
  Location location();

  /** An empty root filesystem. */
  record Scratch(Location location) implements Base {}

  /**
   * Debian built by mmdebstrap. {@code variant} is {@code extract} (only the listed packages,
   * distroless-style) or {@code minbase} (a package manager is kept in the image).
   */
  record Debian(String suite, Variant variant, String mirror, List<String> packages, Location location)
      implements Base {}

  /** An existing image: an OCI layout directory, an OCI archive or a docker archive. */
  record Image(String path, ImageFormat format, Optional<String> ref, boolean allowDevices, Location location)
      implements Base {}

  enum Variant {
    EXTRACT,
    MINBASE
  }

  enum ImageFormat {
    OCI_LAYOUT,
    OCI_ARCHIVE,
    DOCKER_ARCHIVE
  }
}
