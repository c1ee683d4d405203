package dev.herd.bake.scan;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Builds small layer tars in memory for scanner tests. */
final class Layers {
  private final Map<String, byte[]> entries = new LinkedHashMap<>();

  static Layers tar() {
    return new Layers();
  }

  Layers file(String name, String content) {
    entries.put(name, content.getBytes(StandardCharsets.UTF_8));
    return this;
  }

  Layers file(String name, byte[] content) {
    entries.put(name, content);
    return this;
  }

  byte[] bytes(boolean gzip) {
    try {
      ByteArrayOutputStream bos = new ByteArrayOutputStream();
      OutputStream out = gzip ? new GZIPOutputStream(bos) : bos;
      try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
          TarArchiveEntry te = new TarArchiveEntry(e.getKey());
          te.setSize(e.getValue().length);
          tar.putArchiveEntry(te);
          tar.write(e.getValue());
          tar.closeArchiveEntry();
        }
      }
      return bos.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
