package dev.herd.image.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/** Reads a (gzip'd) tar in tests: entries in archive order, with file contents as text. */
public final class TarReader {
  public record Item(TarArchiveEntry entry, String content) {}

  private TarReader() {}

  public static Map<String, Item> read(byte[] bytes) {
    try {
      InputStream in = new ByteArrayInputStream(bytes);
      if (bytes.length > 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
        in = new GzipCompressorInputStream(in);
      }
      Map<String, Item> out = new LinkedHashMap<>();
      try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
          String content = e.isFile() ? new String(tar.readAllBytes(), StandardCharsets.UTF_8) : null;
          out.put(e.getName(), new Item(e, content));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
