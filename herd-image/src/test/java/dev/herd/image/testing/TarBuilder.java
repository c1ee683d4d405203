package dev.herd.image.testing;

import dev.herd.image.oci.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Crafts tar layers (including hostile ones) and wraps them in a docker archive, for tests. */
public final class TarBuilder {
  private final List<TarArchiveEntry> entries = new ArrayList<>();
  private final List<byte[]> contents = new ArrayList<>();

  public TarBuilder dir(String name) {
    return add(new TarArchiveEntry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR), null);
  }

  public TarBuilder file(String name, String content) {
    byte[] b = content.getBytes(StandardCharsets.UTF_8);
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
    e.setSize(b.length);
    return add(e, b);
  }

  public TarBuilder symlink(String name, String target) {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
    e.setLinkName(target);
    return add(e, null);
  }

  public TarBuilder hardlink(String name, String target) {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK, true);
    e.setLinkName(target);
    return add(e, null);
  }

  public TarBuilder charDevice(String name, int major, int minor) {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_CHR, true);
    e.setDevMajor(major);
    e.setDevMinor(minor);
    return add(e, null);
  }

  public TarBuilder fifo(String name) {
    return add(new TarArchiveEntry(name, TarConstants.LF_FIFO, true), null);
  }

  private TarBuilder add(TarArchiveEntry e, byte[] content) {
    entries.add(e);
    contents.add(content);
    return this;
  }

  public byte[] build() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (int i = 0; i < entries.size(); i++) {
        tar.putArchiveEntry(entries.get(i));
        if (contents.get(i) != null) {
          tar.write(contents.get(i));
        }
        tar.closeArchiveEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Writes a docker archive holding one image (tag {@code tag}) made of the given layer tars. */
  public static Path dockerArchive(Path file, String tag, List<byte[]> layers) {
    TarBuilder outer = new TarBuilder();
    List<String> names = new ArrayList<>();
    List<String> diffIds = new ArrayList<>();
    for (byte[] l : layers) {
      Digest d = Digest.of(l);
      diffIds.add("\"" + d + "\"");
      names.add("\"" + d.hex() + "/layer.tar\"");
      outer.addBytes(d.hex() + "/layer.tar", l);
    }
    String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"A=1\"]},"
        + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + String.join(",", diffIds) + "]}}";
    outer.file("config.json", config);
    outer.file("manifest.json", "[{\"Config\":\"config.json\",\"RepoTags\":[\"" + tag + "\"],\"Layers\":[" + String.join(",", names) + "]}]");
    try {
      Files.write(file, outer.build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  private void addBytes(String name, byte[] b) {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
    e.setSize(b.length);
    add(e, b);
  }
}
