package dev.herd.engine;

import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An image the engine may need: its manifest digest, its config digest (the image ID an engine
 * gives it after loading) and writers for the archive formats herd can produce. A writer is
 * called only when the engine lacks the image, in the format the engine loads (see
 * {@link EngineCapabilities#loads}).
 *
 * @param configDigest the image config's digest; null when unknown (no identity check after load)
 */
public record ImageSource(String digest, String configDigest, Map<Format, ArchiveWriter> writers) {
  public enum Format { DOCKER_ARCHIVE, OCI_ARCHIVE }

  /** Writes the whole archive to {@code out}; must not close it. */
  @FunctionalInterface
  public interface ArchiveWriter {
    void writeTo(OutputStream out) throws IOException;
  }

  public ImageSource {
    Names.digest("image digest", digest);
    if (configDigest != null) {
      Names.digest("config digest", configDigest);
    }
    Objects.requireNonNull(writers, "writers");
    if (writers.isEmpty()) {
      throw new IllegalArgumentException("image " + digest + ": no archive writer");
    }
    writers.forEach((f, w) -> {
      Objects.requireNonNull(f, "format");
      Objects.requireNonNull(w, "writer");
    });
    writers = Map.copyOf(new LinkedHashMap<>(writers));
  }

  /** One format only, config digest unknown. */
  public ImageSource(String digest, Format format, ArchiveWriter writer) {
    this(digest, null, Map.of(Objects.requireNonNull(format, "format"), Objects.requireNonNull(writer, "writer")));
  }

  public Set<Format> formats() {
    return writers.keySet();
  }

  public ArchiveWriter writer(Format format) {
    ArchiveWriter w = writers.get(format);
    if (w == null) {
      throw new IllegalArgumentException("image " + shortDigest() + " has no " + format + " writer");
    }
    return w;
  }

  /** The first 12 hex digits, for messages. */
  public String shortDigest() {
    return digest.substring(7, 19);
  }
}
