package dev.herd.spec;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** What a role's image starts from. Exactly one kind per role. */
public sealed interface Base {
  Location location();

  /** An empty root filesystem. */
  record Scratch(Location location) implements Base {
    public Scratch {
      Objects.requireNonNull(location, "location");
    }
  }

  /**
   * Debian built by mmdebstrap. {@code variant} is {@code extract} (only the listed packages,
   * distroless-style) or {@code minbase} (a package manager is kept in the image). {@code mirror}
   * is a mirror URI, or apt source lines starting with {@code deb } for mirrors laid out otherwise.
   */
  record Debian(String suite, Variant variant, String mirror, List<String> packages, Location location)
      implements Base {
    public static final String DEFAULT_MIRROR = "http://deb.debian.org/debian";

    /** A null or blank mirror means {@link #DEFAULT_MIRROR}. */
    public Debian {
      Objects.requireNonNull(suite, "suite");
      Objects.requireNonNull(variant, "variant");
      mirror = mirror == null || mirror.isBlank() ? DEFAULT_MIRROR : mirror;
      packages = List.copyOf(packages);
      Objects.requireNonNull(location, "location");
    }
  }

  /**
   * An existing image: an OCI layout directory, an OCI archive or a docker archive.
   *
   * @param path relative to the project directory (checked to exist and stay inside it)
   * @param ref the tag inside a layout or archive holding several images
   * @param allowDevices keep device nodes found in the image (refused by default)
   */
  record Image(String path, ImageFormat format, Optional<String> ref, boolean allowDevices, Location location)
      implements Base {
    public Image {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(format, "format");
      Objects.requireNonNull(ref, "ref");
      Objects.requireNonNull(location, "location");
    }
  }

  /**
   * An image in a registry ({@code base: {image: {ref: lab/shop/base:1}}}): resolved to a digest at
   * bake time and pinned in herd.lock; the pulled image is cached in the store by digest.
   *
   * @param ref {@code REGISTRY/REPO[:TAG|@sha256:...]}; REGISTRY a key of registries or a host
   */
  record Registry(String ref, boolean allowDevices, Location location) implements Base {
    public Registry {
      Objects.requireNonNull(ref, "ref");
      Objects.requireNonNull(location, "location");
    }
  }

  enum Variant implements Keyword {
    EXTRACT("extract"),
    MINBASE("minbase");

    private final String keyword;

    Variant(String keyword) {
      this.keyword = keyword;
    }

    @Override
    public String keyword() {
      return keyword;
    }
  }

  enum ImageFormat implements Keyword {
    OCI_LAYOUT("oci-layout"),
    OCI_ARCHIVE("oci-archive"),
    DOCKER_ARCHIVE("docker-archive");

    private final String keyword;

    ImageFormat(String keyword) {
      this.keyword = keyword;
    }

    @Override
    public String keyword() {
      return keyword;
    }
  }
}
