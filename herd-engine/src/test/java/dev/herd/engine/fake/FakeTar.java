package dev.herd.engine.fake;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** The fake's volume files as tar archives, in the shape a real engine's export has. */
public final class FakeTar {
  private FakeTar() {}

  public static void write(Map<String, byte[]> files, OutputStream out) throws IOException {
    TarArchiveOutputStream tar = new TarArchiveOutputStream(new java.io.FilterOutputStream(out) {
      @Override
      public void close() throws IOException {
        flush(); // the caller owns the stream
      }
    });
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    for (Map.Entry<String, byte[]> f : new TreeMap<>(files).entrySet()) {
      TarArchiveEntry e = new TarArchiveEntry(f.getKey());
      e.setSize(f.getValue().length);
      tar.putArchiveEntry(e);
      tar.write(f.getValue());
      tar.closeArchiveEntry();
    }
    tar.finish();
    tar.close();
  }

  public static Map<String, byte[]> read(Path archive) {
    try (InputStream in = Files.newInputStream(archive)) {
      return read(in);
    } catch (IOException e) {
      throw new dev.herd.engine.EngineFailure("could not read the archive " + archive + ": " + e.getMessage(), 0, e);
    }
  }

  public static Map<String, byte[]> read(InputStream in) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    TarArchiveInputStream tar = new TarArchiveInputStream(in);
    TarArchiveEntry e;
    while ((e = tar.getNextEntry()) != null) {
      if (e.isFile()) {
        String name = e.getName().startsWith("./") ? e.getName().substring(2) : e.getName();
        files.put(name, tar.readAllBytes());
      }
    }
    return files;
  }
}
