package dev.herd.bake.base;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Built root filesystems under {@code <root>/<key>/rootfs}, with {@code <root>/<key>/entry.json}
 * naming the packages inside. An entry is built in {@code <key>.partial-*} and renamed into place
 * in one step, and entry.json is written last, so a directory without it is a crashed or foreign
 * write: it is never used, only removed and rebuilt. Builds of one key are serialized by a lock
 * file so concurrent bakes build it once.
 */
public final class BaseCache {
  private static final Logger LOG = LoggerFactory.getLogger(BaseCache.class);
  private static final String ENTRY = "entry.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  private final Path root;

  public BaseCache(Path root) {
    this.root = root;
  }

  /** {@code $XDG_CACHE_HOME/herd/bases}, or {@code ~/.cache/herd/bases}. */
  public static Path defaultRoot() {
    return herdCacheHome().resolve("bases");
  }

  /** {@code $XDG_CACHE_HOME/herd}, or {@code ~/.cache/herd}. */
  public static Path herdCacheHome() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("herd");
  }

  public Path root() {
    return root;
  }

  /** Metadata kept beside a cached tree. */
  public record Entry(String key, List<DebianPackage> packages) {
    public Entry {
      packages = List.copyOf(packages);
    }
  }

  /** A complete cached tree for {@code key}, if there is one. */
  public Optional<CachedTree> find(String key) {
    Path dir = root.resolve(key);
    Path entry = dir.resolve(ENTRY);
    if (!Files.isRegularFile(entry) || !Files.isDirectory(dir.resolve("rootfs"))) {
      return Optional.empty();
    }
    try {
      Entry read = JSON.readValue(entry.toFile(), Entry.class);
      if (!read.key().equals(key)) {
        return Optional.empty();
      }
      return Optional.of(new CachedTree(key, dir.resolve("rootfs"), read.packages()));
    } catch (IOException e) {
      LOG.warn("ignoring unreadable base cache entry {}: {}", dir, e.getMessage());
      return Optional.empty();
    }
  }

  /** A tree in the cache. */
  public record CachedTree(String key, Path rootfs, List<DebianPackage> packages) {}

  /**
   * Returns the entry for {@code key}, running {@code build} into an empty directory first if
   * there is none. {@code build} must return the packages installed in the tree it built.
   */
  public CachedTree getOrBuild(String key, TreeBuilder build) {
    Optional<CachedTree> hit = find(key);
    if (hit.isPresent()) {
      return hit.get();
    }
    try {
      Files.createDirectories(root);
      try (FileChannel lockFile = FileChannel.open(root.resolve(key + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = lockFile.lock()) {
        hit = find(key);
        if (hit.isPresent()) {
          return hit.get(); // another bake built it while we waited
        }
        removeIncomplete(key);
        Path partial = Files.createTempDirectory(root, key + ".partial-");
        try {
          Path rootfs = partial.resolve("rootfs");
          List<DebianPackage> packages = build.build(rootfs);
          JSON.writeValue(partial.resolve(ENTRY).toFile(), new Entry(key, packages));
          Files.move(partial, root.resolve(key), StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          throw new IllegalStateException("cache directory " + root + " does not support atomic rename", e);
        } finally {
          Trees.deleteRecursively(partial);
        }
        return find(key).orElseThrow(() -> new IllegalStateException("base cache entry " + key + " vanished after it was written"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("base cache " + root + ": " + e.getMessage(), e);
    }
  }

  /** Called under the key's lock: anything there now is left over from a build that died. */
  private void removeIncomplete(String key) throws IOException {
    Path dir = root.resolve(key);
    if (Files.exists(dir)) {
      LOG.warn("removing incomplete base cache entry {}", dir);
      Trees.deleteRecursively(dir);
    }
    try (Stream<Path> siblings = Files.list(root)) {
      siblings.filter(p -> p.getFileName().toString().startsWith(key + ".partial-")).forEach(Trees::deleteRecursively);
    }
  }

  /** Fills an empty directory with a root filesystem. */
  @FunctionalInterface
  public interface TreeBuilder {
    List<DebianPackage> build(Path rootfs);
  }
}
