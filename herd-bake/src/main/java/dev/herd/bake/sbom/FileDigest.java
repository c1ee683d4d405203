package dev.herd.bake.sbom;

import java.util.Objects;
import java.util.regex.Pattern;

/** A file herd itself put into the image (a resource), with the SHA-256 of its content. */
public record FileDigest(String path, String sha256) implements Comparable<FileDigest> {
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

  public FileDigest {
    Objects.requireNonNull(path, "path");
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("file path must be absolute in the image, got '" + path + "'");
    }
    if (sha256 == null || !HEX.matcher(sha256).matches()) {
      throw new IllegalArgumentException("sha256 of " + path + " must be 64 lowercase hex digits, got '" + sha256 + "'");
    }
  }

  @Override
  public int compareTo(FileDigest other) {
    return path.compareTo(other.path);
  }
}
