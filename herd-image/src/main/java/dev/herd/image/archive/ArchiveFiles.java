package dev.herd.image.archive;

import dev.herd.image.oci.ImageException;
import dev.herd.image.oci.ImageStore;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;

/** Named files of an image source: a layout directory or the members of a tar archive. */
abstract class ArchiveFiles implements Closeable {
  /** The source as named in error messages. */
  abstract String describe();

  abstract boolean exists(String name);

  abstract InputStream open(String name) throws IOException;

  abstract long size(String name) throws IOException;

  byte[] readSmall(String name) throws IOException {
    if (!exists(name)) {
      throw new ImageException(describe() + ": " + name + " is missing");
    }
    if (size(name) > ImageStore.MAX_JSON_BYTES) {
      throw new UnsafeArchiveException(describe() + ": " + name + " is " + size(name) + " bytes, too large for a JSON document");
    }
    try (InputStream in = open(name)) {
      return in.readNBytes((int) ImageStore.MAX_JSON_BYTES);
    }
  }

  /** Member names are relative and may not climb out ("..") or start at "/". */
  static String clean(String name, String describe) {
    String n = name;
    while (n.startsWith("./")) {
      n = n.substring(2);
    }
    if (n.startsWith("/") || n.equals("..") || n.startsWith("../") || n.contains("/../") || n.endsWith("/..")) {
      throw new UnsafeArchiveException(describe + ": refusing to read member '" + name + "' (absolute or '..' path)");
    }
    return n;
  }

  static ArchiveFiles directory(Path dir) {
    return new Dir(dir.toAbsolutePath().normalize());
  }

  static ArchiveFiles tar(Path file, ImportLimits limits) throws IOException {
    return new Tar(file.toAbsolutePath().normalize(), limits);
  }

  private static final class Dir extends ArchiveFiles {
    private final Path root;

    Dir(Path root) {
      this.root = root;
    }

    @Override
    String describe() {
      return "OCI layout " + root;
    }

    private Path path(String name) {
      Path p = root.resolve(clean(name, describe())).normalize();
      if (!p.startsWith(root)) {
        throw new UnsafeArchiveException(describe() + ": member '" + name + "' is outside the layout");
      }
      return p;
    }

    @Override
    boolean exists(String name) {
      return Files.isRegularFile(path(name), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    InputStream open(String name) throws IOException {
      Path p = path(name);
      if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        throw new ImageException(describe() + ": " + name + " is missing or not a regular file");
      }
      return Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    long size(String name) throws IOException {
      return Files.size(path(name));
    }

    @Override
    public void close() {}
  }

  private static final class Tar extends ArchiveFiles {
    private final Path file;
    private final TarFile tar;
    private final Map<String, TarArchiveEntry> members = new HashMap<>();

    Tar(Path file, ImportLimits limits) throws IOException {
      this.file = file;
      this.tar = new TarFile(file);
      if (tar.getEntries().size() > limits.maxEntries()) {
        tar.close();
        throw new UnsafeArchiveException(describe() + " has " + tar.getEntries().size() + " members, more than the limit of " + limits.maxEntries());
      }
      for (TarArchiveEntry e : tar.getEntries()) {
        if (e.isFile()) {
          members.put(clean(e.getName(), describe()), e);
        }
      }
    }

    @Override
    String describe() {
      return "archive " + file;
    }

    private TarArchiveEntry member(String name) {
      TarArchiveEntry e = members.get(clean(name, describe()));
      if (e == null) {
        throw new ImageException(describe() + ": " + name + " is missing");
      }
      return e;
    }

    @Override
    boolean exists(String name) {
      return members.containsKey(clean(name, describe()));
    }

    @Override
    InputStream open(String name) throws IOException {
      return tar.getInputStream(member(name));
    }

    @Override
    long size(String name) {
      return member(name).getSize();
    }

    @Override
    public void close() throws IOException {
      tar.close();
    }
  }
}
