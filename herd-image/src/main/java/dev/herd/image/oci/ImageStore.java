package dev.herd.image.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herd.common.files.PrivateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Content-addressed blobs in a valid OCI image layout ({@code oci-layout}, {@code index.json},
 * {@code blobs/sha256/<hex>}). Blobs are written to a temp file, fsynced, verified and renamed, so
 * a blob file that exists is always complete. index.json names manifests with the
 * {@code org.opencontainers.image.ref.name} annotation ({@code web:3}); it is rewritten under a
 * file lock so several herd processes can share one store.
 */
public final class ImageStore {
  private static final Logger log = LoggerFactory.getLogger(ImageStore.class);
  private static final byte[] OCI_LAYOUT = "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8);
  /** JSON documents (manifests, configs, index) larger than this are refused as absurd. */
  public static final long MAX_JSON_BYTES = 8L << 20;
  private static final Map<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

  private final Path root;
  private final Path blobs;
  private final Path tmp;

  private ImageStore(Path root) {
    this.root = root;
    this.blobs = root.resolve("blobs").resolve(Digest.ALGORITHM);
    this.tmp = root.resolve(".herd-tmp");
  }

  /** Opens the layout at {@code dir}, creating an empty one if the directory is absent or empty. */
  public static ImageStore open(Path dir) {
    Path root = dir.toAbsolutePath().normalize();
    ImageStore store = new ImageStore(root);
    try {
      PrivateFiles.directories(store.blobs);
      PrivateFiles.directories(store.tmp);
      Path layout = root.resolve("oci-layout");
      if (Files.exists(layout)) {
        JsonNode n = CanonicalJson.read(Files.readAllBytes(layout), layout.toString());
        if (!"1.0.0".equals(n.path("imageLayoutVersion").asText())) {
          throw new ImageException(layout + ": unsupported imageLayoutVersion " + n.path("imageLayoutVersion"));
        }
      } else {
        store.writeAtomically(layout, OCI_LAYOUT);
      }
      if (!Files.exists(root.resolve("index.json"))) {
        store.withIndexLock(() -> {
          if (!Files.exists(root.resolve("index.json"))) {
            store.writeIndex(List.of());
          }
          return null;
        });
      }
    } catch (IOException e) {
      throw new ImageException("cannot open image store at " + root + ": " + e, e);
    }
    return store;
  }

  public Path root() {
    return root;
  }

  // ---- blobs ----

  public Path blobPath(Digest d) {
    return blobs.resolve(d.hex());
  }

  public boolean hasBlob(Digest d) {
    return Files.isRegularFile(blobPath(d));
  }

  public long blobSize(Digest d) {
    try {
      return Files.size(blobPath(d));
    } catch (NoSuchFileException e) {
      throw missing(d);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Instant blobModified(Digest d) {
    try {
      return Files.getLastModifiedTime(blobPath(d)).toInstant();
    } catch (NoSuchFileException e) {
      throw missing(d);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private ImageException missing(Digest d) {
    return new ImageException("blob " + d + " is missing from the image store " + root);
  }

  public InputStream openBlob(Digest d) {
    try {
      return Files.newInputStream(blobPath(d));
    } catch (NoSuchFileException e) {
      throw missing(d);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a small blob (JSON); refuses blobs over {@link #MAX_JSON_BYTES}. */
  public byte[] readBlob(Digest d) {
    long size = blobSize(d);
    if (size > MAX_JSON_BYTES) {
      throw new ImageException("blob " + d + " is " + size + " bytes, too large to read as a document");
    }
    try {
      return Files.readAllBytes(blobPath(d));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Descriptor putBlob(String mediaType, byte[] bytes) {
    return putBlob(mediaType, new java.io.ByteArrayInputStream(bytes), Digest.of(bytes));
  }

  /**
   * Streams {@code in} into the store. When {@code expected} is given the content must hash to it
   * (a mismatch leaves nothing behind and names both digests).
   */
  public Descriptor putBlob(String mediaType, InputStream in, Digest expected) {
    Path t = newTempFile();
    try {
      MessageDigest md = Digest.sha256();
      long size;
      try (OutputStream out = new DigestOutputStream(Files.newOutputStream(t, StandardOpenOption.WRITE), md)) {
        size = in.transferTo(out);
      }
      Digest actual = Digest.fromRaw(md.digest());
      if (expected != null && !expected.equals(actual)) {
        throw new ImageException("blob content hashes to " + actual + ", expected " + expected);
      }
      return adoptTempFile(mediaType, t, actual, size);
    } catch (IOException e) {
      throw new ImageException("cannot write blob into " + root + ": " + e, e);
    } finally {
      deleteQuietly(t);
    }
  }

  /** A new empty temp file on the store's file system (so it can be renamed into blobs/). */
  public Path newTempFile() {
    try {
      return Files.createTempFile(tmp, "blob-", ".tmp");
    } catch (IOException e) {
      throw new ImageException("cannot create a temp file in " + tmp + ": " + e, e);
    }
  }

  /**
   * Moves a finished temp file (from {@link #newTempFile()}) into blobs/ under {@code digest},
   * which the caller computed while writing it. The file is fsynced before the rename.
   */
  public Descriptor adoptTempFile(String mediaType, Path temp, Digest digest, long size) {
    Path target = blobPath(digest);
    try {
      if (Files.size(temp) != size) {
        throw new ImageException("temp blob " + temp + " has " + Files.size(temp) + " bytes, expected " + size);
      }
      if (Files.isRegularFile(target)) {
        // Same content already stored. Touch it so a concurrent gc's grace period sees it as fresh.
        Files.setLastModifiedTime(target, FileTime.from(Instant.now()));
        Files.deleteIfExists(temp);
        return new Descriptor(mediaType, digest, size);
      }
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        throw new ImageException("temp dir " + tmp + " is not on the same file system as " + blobs, e);
      } catch (FileAlreadyExistsException e) {
        Files.deleteIfExists(temp);
      }
      fsyncDir(blobs);
      return new Descriptor(mediaType, digest, size);
    } catch (IOException e) {
      throw new ImageException("cannot store blob " + digest + ": " + e, e);
    }
  }

  /** All blob digests present (files named by something other than a digest are ignored). */
  public List<Digest> blobs() {
    List<Digest> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(blobs)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (name.matches("[0-9a-f]{64}")) {
          out.add(new Digest(name));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.sort(null);
    return out;
  }

  public void deleteBlob(Digest d) {
    try {
      Files.deleteIfExists(blobPath(d));
    } catch (IOException e) {
      throw new ImageException("cannot delete blob " + d + ": " + e, e);
    }
  }

  /** Deletes temp files older than {@code grace} left by interrupted writes; returns how many. */
  public int sweepTemp(java.time.Duration grace) {
    Instant cutoff = Instant.now().minus(grace);
    int n = 0;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp, "*.tmp")) {
      for (Path p : ds) {
        if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
          Files.deleteIfExists(p);
          n++;
        }
      }
    } catch (IOException e) {
      throw new ImageException("cannot sweep " + tmp + ": " + e, e);
    }
    return n;
  }

  // ---- images ----

  /**
   * Writes the config blob and the manifest for layers already in the store; returns the manifest
   * descriptor. The same config, layers and annotations always give the same manifest digest.
   */
  public Descriptor putImage(ImageConfig config, List<Descriptor> layers, Map<String, String> annotations) {
    if (config.diffIds().size() != layers.size()) {
      throw new ImageException("image config lists " + config.diffIds().size() + " diff IDs but " + layers.size() + " layers were given");
    }
    for (Descriptor l : layers) {
      if (!hasBlob(l.digest())) {
        throw new ImageException("layer " + l.digest() + " is not in the image store; write it before the image");
      }
      if (blobSize(l.digest()) != l.size()) {
        throw new ImageException("layer " + l.digest() + " is " + blobSize(l.digest()) + " bytes in the store, descriptor says " + l.size());
      }
    }
    Descriptor cfg = putBlob(MediaTypes.CONFIG, config.toJson());
    Manifest m = new Manifest(cfg, layers, annotations);
    Descriptor md = putBlob(MediaTypes.MANIFEST, m.toJson());
    return new Descriptor(MediaTypes.MANIFEST, md.digest(), md.size(), Map.of());
  }

  public Manifest manifest(Digest d) {
    return Manifest.fromJson(readBlob(d), "manifest " + d);
  }

  public ImageConfig config(Manifest m) {
    return ImageConfig.fromJson(readBlob(m.config().digest()), "image config " + m.config().digest());
  }

  /** Total bytes of config and layers (what pulling the image costs). */
  public static long imageSize(Manifest m, long manifestSize) {
    return manifestSize + m.config().size() + m.layers().stream().mapToLong(Descriptor::size).sum();
  }

  // ---- index.json ----

  /** Names a manifest in index.json ({@code web:3}); an existing entry with that name is replaced. */
  public void tag(String refName, Descriptor manifest) {
    validateRefName(refName);
    withIndexLock(() -> {
      List<Descriptor> entries = new ArrayList<>(readIndex());
      entries.removeIf(d -> refName.equals(d.annotations().get(MediaTypes.REF_NAME)));
      Map<String, String> ann = new TreeMap<>(manifest.annotations());
      ann.put(MediaTypes.REF_NAME, refName);
      entries.add(new Descriptor(manifest.mediaType(), manifest.digest(), manifest.size(), ann));
      writeIndex(entries);
      return null;
    });
  }

  /** Removes names from index.json; unknown names are ignored. */
  public void untag(java.util.Collection<String> refNames) {
    withIndexLock(() -> {
      List<Descriptor> entries = new ArrayList<>(readIndex());
      if (entries.removeIf(d -> refNames.contains(d.annotations().get(MediaTypes.REF_NAME)))) {
        writeIndex(entries);
      }
      return null;
    });
  }

  /** index.json entries by ref name (entries without a name are left out). */
  public Map<String, Descriptor> refs() {
    Map<String, Descriptor> out = new TreeMap<>();
    for (Descriptor d : readIndex()) {
      String name = d.annotations().get(MediaTypes.REF_NAME);
      if (name != null) {
        out.put(name, d);
      }
    }
    return out;
  }

  /** Every descriptor in index.json, named or not. */
  public List<Descriptor> indexEntries() {
    return readIndex();
  }

  static void validateRefName(String refName) {
    // image-spec: ref names are [A-Za-z0-9._:@/+-]; herd's are ROLE:VERSION.
    if (refName == null || refName.isEmpty() || !refName.matches("[A-Za-z0-9._:@/+-]+")) {
      throw new ImageException("invalid image ref name '" + refName + "'");
    }
  }

  private List<Descriptor> readIndex() {
    Path index = root.resolve("index.json");
    try {
      JsonNode n = CanonicalJson.read(Files.readAllBytes(index), index.toString());
      List<Descriptor> out = new ArrayList<>();
      for (JsonNode m : n.path("manifests")) {
        out.add(Manifest.descriptorFrom(m, index + " entry " + out.size()));
      }
      return out;
    } catch (IOException e) {
      throw new ImageException("cannot read " + index + ": " + e, e);
    }
  }

  private void writeIndex(List<Descriptor> entries) throws IOException {
    List<Descriptor> sorted = new ArrayList<>(entries);
    sorted.sort(
        java.util.Comparator.comparing((Descriptor d) -> d.annotations().getOrDefault(MediaTypes.REF_NAME, ""))
            .thenComparing(Descriptor::digest));
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("schemaVersion", 2);
    root.put("mediaType", MediaTypes.INDEX);
    root.put("manifests", sorted.stream().map(Manifest::descriptorJson).toList());
    writeAtomically(this.root.resolve("index.json"), CanonicalJson.write(root));
  }

  private interface IoSupplier<T> {
    T get() throws IOException;
  }

  /** Serializes index.json updates across threads (JVM lock) and processes (file lock). */
  private <T> T withIndexLock(IoSupplier<T> body) {
    ReentrantLock jvmLock = LOCKS.computeIfAbsent(root, k -> new ReentrantLock());
    jvmLock.lock();
    try (FileChannel ch = PrivateFiles.newChannel(tmp.resolve("index.lock"), StandardOpenOption.CREATE);
        FileLock ignored = ch.lock()) {
      return body.get();
    } catch (IOException e) {
      throw new ImageException("cannot update " + root.resolve("index.json") + ": " + e, e);
    } finally {
      jvmLock.unlock();
    }
  }

  private void writeAtomically(Path target, byte[] bytes) throws IOException {
    Path t = Files.createTempFile(tmp, target.getFileName().toString(), ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(t, StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(bytes));
        ch.force(true);
      }
      Files.move(t, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      fsyncDir(target.getParent());
    } finally {
      deleteQuietly(t);
    }
  }

  private static void fsyncDir(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some file systems refuse fsync on directories; the rename itself is still atomic.
      log.debug("fsync of directory {} not supported: {}", dir, e.toString());
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      log.debug("could not delete temp file {}: {}", p, e.toString());
    }
  }

  @Override
  public String toString() {
    return "ImageStore[" + root + "]";
  }
}
