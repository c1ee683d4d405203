package dev.herd.image;

import dev.herd.image.oci.Descriptor;
import dev.herd.image.oci.Digest;
import dev.herd.image.oci.ImageException;
import dev.herd.image.oci.ImageStore;
import dev.herd.image.oci.Manifest;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * The file list of an image, computed from its layers in memory (whiteouts applied, contents
 * hashed while streaming), for {@code herd image diff}. Nothing is unpacked to disk.
 */
public final class ImageFiles {
  private ImageFiles() {}

  /** One path of the final image. {@code sha256} is set for regular files only. */
  public record FileInfo(String path, char type, long size, int mode, long uid, long gid, String linkTarget, Digest sha256) {
    /** Same content and metadata (what users call "unchanged"). */
    public boolean sameAs(FileInfo o) {
      return type == o.type && size == o.size && mode == o.mode && uid == o.uid && gid == o.gid
          && Objects.equals(linkTarget, o.linkTarget) && Objects.equals(sha256, o.sha256);
    }
  }

  public static SortedMap<String, FileInfo> of(ImageStore store, Manifest manifest) {
    SortedMap<String, FileInfo> files = new TreeMap<>();
    for (Descriptor layer : manifest.layers()) {
      try (InputStream raw = new BufferedInputStream(store.openBlob(layer.digest()), 1 << 16)) {
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        InputStream in = b0 == 0x1f && b1 == 0x8b ? new GzipCompressorInputStream(raw, true) : raw;
        apply(new TarArchiveInputStream(in, "UTF-8"), files);
      } catch (IOException e) {
        throw new ImageException("cannot read layer " + layer.digest() + ": " + e.getMessage(), e);
      }
    }
    return files;
  }

  private static void apply(TarArchiveInputStream tar, SortedMap<String, FileInfo> files) throws IOException {
    Set<String> thisLayer = new HashSet<>();
    TarArchiveEntry e;
    while ((e = tar.getNextEntry()) != null) {
      String name = clean(e.getName());
      if (name.isEmpty()) {
        continue;
      }
      String base = name.substring(name.lastIndexOf('/') + 1);
      String parent = name.contains("/") ? name.substring(0, name.lastIndexOf('/')) : "";
      if (base.equals(".wh..wh..opq")) {
        for (String p : new ArrayList<>(under(files, parent))) {
          if (!thisLayer.contains(p)) {
            files.remove(p);
          }
        }
        continue;
      }
      if (base.startsWith(".wh.")) {
        String victim = (parent.isEmpty() ? "" : parent + "/") + base.substring(4);
        files.remove(victim);
        files.keySet().removeAll(new ArrayList<>(under(files, victim)));
        continue;
      }
      Digest sha = null;
      if (e.isFile() && !e.isLink()) {
        MessageDigest md = Digest.sha256();
        new DigestInputStream(tar, md).transferTo(OutputStream.nullOutputStream());
        sha = Digest.fromRaw(md.digest());
      }
      char type = e.isDirectory() ? 'd' : e.isSymbolicLink() ? 'l' : e.isLink() ? 'h' : e.isFile() ? 'f' : 'c';
      if (type == 'h') {
        FileInfo target = files.get(clean(e.getLinkName()));
        if (target != null) { // a hard link is, to a user, the same file again
          files.put(name, new FileInfo(name, 'f', target.size(), target.mode(), target.uid(), target.gid(), null, target.sha256()));
          thisLayer.add(name);
          continue;
        }
      }
      files.put(name, new FileInfo(name, type, e.isFile() ? e.getSize() : 0, e.getMode() & 07777, e.getLongUserId(),
          e.getLongGroupId(), e.isSymbolicLink() ? e.getLinkName() : null, sha));
      thisLayer.add(name);
    }
  }

  private static java.util.Collection<String> under(SortedMap<String, FileInfo> files, String dir) {
    String prefix = dir.isEmpty() ? "" : dir + "/";
    // '0' is the character after '/', so this is exactly the paths below dir.
    return dir.isEmpty() ? files.keySet() : files.subMap(prefix, dir + "0").keySet();
  }

  private static String clean(String n) {
    String s = n;
    while (s.startsWith("./")) {
      s = s.substring(2);
    }
    while (s.startsWith("/")) {
      s = s.substring(1);
    }
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  /** Paths added, removed and changed between two file lists. */
  public record Changes(List<FileInfo> added, List<FileInfo> removed, List<FileInfo[]> changed) {}

  public static Changes compare(SortedMap<String, FileInfo> from, SortedMap<String, FileInfo> to) {
    List<FileInfo> added = new ArrayList<>();
    List<FileInfo> removed = new ArrayList<>();
    List<FileInfo[]> changed = new ArrayList<>();
    for (FileInfo f : from.values()) {
      FileInfo t = to.get(f.path());
      if (t == null) {
        removed.add(f);
      } else if (!f.sameAs(t)) {
        changed.add(new FileInfo[] {f, t});
      }
    }
    for (FileInfo t : to.values()) {
      if (!from.containsKey(t.path())) {
        added.add(t);
      }
    }
    return new Changes(added, removed, changed);
  }
}
