package dev.herd.engine;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * An image the engine may need: its manifest digest and a way to write it as an archive. The
 * writer is called only when the engine lacks the image (herd's image store provides it).
 */
public record ImageSource(String digest, Format format, ArchiveWriter writer) {
  public enum Format { DOCKER_ARCHIVE, OCI_ARCHIVE }

  /** Writes the whole archive to {@code out}; must not close it. */
  @FunctionalInterface
  public interface ArchiveWriter {
    void writeTo(OutputStream out) throws IOException;
  }

  public ImageSource {
    Names.digest("image digest", digest);
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(writer, "writer");
  }

  /** The first 12 hex digits, for messages. */
  public String shortDigest() {
    return digest.substring(7, 19);
  }
}
