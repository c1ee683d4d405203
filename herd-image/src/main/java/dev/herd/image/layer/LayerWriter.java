package dev.herd.image.layer;

import dev.herd.image.oci.Digest;
import dev.herd.image.oci.ImageStore;
import dev.herd.image.oci.MediaTypes;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes entries as a reproducible gzip'd tar layer: entries in byte order of their paths, missing
 * parent directories added (0755 root:root), every mtime set to the epoch, numeric owners only, no
 * user/group names, type bits from the entry kind, PAX headers for long names and big ids, and a
 * gzip header with mtime 0, no file name and OS "unknown" at compression level {@value
 * #COMPRESSION_LEVEL}, compressed in 128 KiB blocks on all cores ({@link BlockGzipOutputStream}).
 *
 * <p>The same entries and epoch give the same diffID everywhere; the blob digest is also stable
 * for a given zlib (the JDK's), which is what herd ships with, whatever the number of cores.
 */
public final class LayerWriter {
  /** gzip's own default; fixed so the compressed bytes never depend on a setting. */
  /**
   * zlib level 4: on a Debian minbase tree half the CPU of level 6 (3.2 s against 6.7 s for 170
   * MB, one core) for 2.6% more bytes (62.3 MB against 60.7), still fewer than buildah's level-6
   * layers of the same tree (Go's deflate). Part of the digest: changing it changes every layer.
   */
  public static final int COMPRESSION_LEVEL = 4;

  private final Instant epoch;

  public LayerWriter(Instant epoch) {
    Objects.requireNonNull(epoch, "epoch");
    if (epoch.isBefore(Instant.EPOCH)) {
      throw new IllegalArgumentException("layer epoch " + epoch + " is before 1970");
    }
    this.epoch = epoch.truncatedTo(ChronoUnit.SECONDS);
  }

  public Instant epoch() {
    return epoch;
  }

  /** Writes the layer into the store (temp file, fsync, rename) and returns its digests. */
  public LayerBlob write(List<LayerEntry> entries, ImageStore store) {
    Path temp = store.newTempFile();
    try {
      LayerBlob blob;
      try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.WRITE)) {
        blob = write(entries, out);
      }
      store.adoptTempFile(MediaTypes.LAYER_TAR_GZIP, temp, blob.digest(), blob.size());
      return blob;
    } catch (IOException e) {
      throw new LayerException("cannot write layer into " + store.root() + ": " + e, e);
    } finally {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException ignored) {
        // the temp dir is swept by the next gc
      }
    }
  }

  /** Streams the gzip'd layer to {@code out} (not closed) and returns its digests. */
  public LayerBlob write(List<LayerEntry> entries, OutputStream out) throws IOException {
    List<LayerEntry> ordered = order(entries);
    MessageDigest blobSha = Digest.sha256();
    MessageDigest tarSha = Digest.sha256();
    Counting counting = new Counting(new NonClosing(out));
    try (BlockGzipOutputStream gzip = new BlockGzipOutputStream(new DigestOutputStream(counting, blobSha), COMPRESSION_LEVEL,
            dev.herd.common.Cores.forCpuWork());
        TarArchiveOutputStream tar =
            new TarArchiveOutputStream(new BufferedOutputStream(new DigestOutputStream(gzip, tarSha), 1 << 16), "UTF-8")) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      tar.setAddPaxHeadersForNonAsciiNames(true);
      for (LayerEntry e : ordered) {
        writeEntry(tar, e);
      }
      tar.finish();
    }
    return new LayerBlob(Digest.fromRaw(blobSha.digest()), Digest.fromRaw(tarSha.digest()), counting.count);
  }

  /** Sorts, refuses duplicates and dangling hard links, adds missing parent directories. */
  static List<LayerEntry> order(List<LayerEntry> entries) {
    TreeMap<String, LayerEntry> byPath = new TreeMap<>(PathOrder.UTF8);
    for (LayerEntry e : entries) {
      LayerEntry prev = byPath.put(e.path(), e);
      if (prev != null) {
        throw new LayerException("duplicate layer entry " + e.path() + " (" + prev.kind() + " and " + e.kind() + ")");
      }
    }
    for (LayerEntry e : List.copyOf(byPath.values())) {
      for (String p = LayerEntry.parentOf(e.path()); !p.isEmpty(); p = LayerEntry.parentOf(p)) {
        LayerEntry parent = byPath.get(p);
        if (parent == null) {
          byPath.put(p, LayerEntry.directory(p, 0755, 0, 0));
        } else if (parent.kind() != LayerEntry.Kind.DIRECTORY) {
          throw new LayerException("layer entry " + e.path() + " is inside " + p + ", which is a " + parent.kind() + " in the same layer");
        }
      }
    }
    Set<String> filesSoFar = new HashSet<>();
    List<LayerEntry> out = new ArrayList<>(byPath.size());
    for (LayerEntry e : byPath.values()) {
      if (e.kind() == LayerEntry.Kind.HARDLINK && !filesSoFar.contains(e.linkTarget())) {
        throw new LayerException("hard link " + e.path() + " points at " + e.linkTarget()
            + ", which is not a regular file written before it in this layer");
      }
      if (e.kind() == LayerEntry.Kind.FILE) {
        filesSoFar.add(e.path());
      }
      out.add(e);
    }
    return out;
  }

  private void writeEntry(TarArchiveOutputStream tar, LayerEntry e) throws IOException {
    byte flag = switch (e.kind()) {
      case FILE -> TarConstants.LF_NORMAL;
      case DIRECTORY -> TarConstants.LF_DIR;
      case SYMLINK -> TarConstants.LF_SYMLINK;
      case HARDLINK -> TarConstants.LF_LINK;
      case CHAR_DEVICE -> TarConstants.LF_CHR;
      case BLOCK_DEVICE -> TarConstants.LF_BLK;
      case FIFO -> TarConstants.LF_FIFO;
    };
    String name = e.kind() == LayerEntry.Kind.DIRECTORY ? e.path() + "/" : e.path();
    TarArchiveEntry t = new TarArchiveEntry(name, flag);
    t.setMode(e.kind().typeBits | e.mode());
    t.setUserId(e.uid());
    t.setGroupId(e.gid());
    t.setUserName("");
    t.setGroupName("");
    t.setModTime(FileTime.from(epoch));
    if (e.kind() == LayerEntry.Kind.SYMLINK || e.kind() == LayerEntry.Kind.HARDLINK) {
      t.setLinkName(e.linkTarget());
    }
    if (e.kind() == LayerEntry.Kind.CHAR_DEVICE || e.kind() == LayerEntry.Kind.BLOCK_DEVICE) {
      t.setDevMajor(e.devMajor());
      t.setDevMinor(e.devMinor());
    }
    if (e.kind() == LayerEntry.Kind.FILE) {
      t.setSize(e.size());
    }
    tar.putArchiveEntry(t);
    if (e.kind() == LayerEntry.Kind.FILE && e.size() > 0) {
      copyExactly(e, tar);
    }
    tar.closeArchiveEntry();
  }

  private static void copyExactly(LayerEntry e, OutputStream out) throws IOException {
    if (Files.isSymbolicLink(e.source())) {
      throw new LayerException("source of " + e.path() + " (" + e.source() + ") became a symlink while the layer was written");
    }
    try (InputStream in = Files.newInputStream(e.source(), LinkOption.NOFOLLOW_LINKS)) {
      byte[] buf = new byte[1 << 16];
      long left = e.size();
      while (left > 0) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, left));
        if (n < 0) {
          throw new LayerException(e.path() + " (" + e.source() + ") shrank while the layer was written: expected " + e.size() + " bytes");
        }
        out.write(buf, 0, n);
        left -= n;
      }
      if (in.read() >= 0) {
        throw new LayerException(e.path() + " (" + e.source() + ") grew while the layer was written: expected " + e.size() + " bytes");
      }
    }
  }

  /** Counts bytes of the compressed blob. */
  private static final class Counting extends FilterOutputStream {
    long count;

    Counting(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }

  /** Lets the layer streams close without closing the caller's stream. */
  private static final class NonClosing extends FilterOutputStream {
    NonClosing(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }

}
