package dev.herd.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.herd.common.files.PrivateFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders the directory a node sees read-only at {@code /etc/herd}. Layout of
 * {@code <root>/<fleet>/<node>/} (the directory to mount):
 *
 * <pre>
 *   v41/ v42/                 complete versions: config.json config.env flags.json discovery.json
 *   current -> v42            switched with rename(2)
 *   config.json -> current/config.json    (and the same for the other three files)
 * </pre>
 *
 * A new version is written in full (files fsynced) under a temporary name, renamed to
 * {@code vN}, and then {@code current} is replaced by a new symlink with rename(2): a reader
 * opening {@code /etc/herd/config.json} gets the old file or the new one, never half of one. All
 * links are relative, so they resolve inside the container; the mount must be of this directory
 * (not of a file or of {@code current}), because a bind mount of a file or symlink pins what it
 * pointed to when mounted. To read several files of one version, resolve {@code /etc/herd/current}
 * once and read them from there. A version is removed only when it is neither among the newest
 * {@value #KEEP} nor younger than {@link #GRACE}, so a reader that resolved {@code current} just
 * before a switch still finds its files, however fast the switches come.
 */
public final class NodeFiles {
  private static final Logger log = LoggerFactory.getLogger(NodeFiles.class);
  public static final String CURRENT = "current";
  public static final List<String> FILES = List.of("config.json", "config.env", "flags.json", "discovery.json");
  static final int KEEP = 3;
  /** How long a replaced version stays readable after it was written. */
  static final java.time.Duration GRACE = java.time.Duration.ofSeconds(30);
  private static final Pattern VERSION = Pattern.compile("v(\\d+)");
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  private final Path root;
  /**
   * Striped locks by node directory: renders of one node are serialized (versions are numbered in
   * order), renders of different nodes run in parallel (each costs several fsyncs). Stripes, not a
   * lock per node, so that nothing grows with every generation ever rendered.
   */
  private final java.util.concurrent.locks.ReentrantLock[] stripes = new java.util.concurrent.locks.ReentrantLock[64];

  /** @param root where node directories live, e.g. {@code <stateDir>/nodes} */
  public NodeFiles(Path root) {
    this.root = root.toAbsolutePath().normalize();
    java.util.Arrays.setAll(stripes, i -> new java.util.concurrent.locks.ReentrantLock());
  }

  // a lock, not a monitor: a virtual thread blocked in fsync under a monitor would pin its carrier
  private java.util.concurrent.locks.ReentrantLock lockOf(Path dir) {
    return stripes[Math.floorMod(dir.hashCode(), stripes.length)];
  }

  /** What a node gets. */
  public record Content(String fleet, String node, EffectiveConfig config, FlagSet flags, Discovery discovery) {
    public Content {
      Objects.requireNonNull(fleet, "fleet");
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(config, "config");
      Objects.requireNonNull(flags, "flags");
      Objects.requireNonNull(discovery, "discovery");
    }
  }

  /**
   * A rendered node directory.
   *
   * @param dir the directory to mount at /etc/herd (NodeSpec.configDir)
   * @param version the version {@code current} points to
   * @param changed false when the content equalled the current version and nothing was written
   */
  public record Rendered(Path dir, long version, boolean changed) {}

  /** The directory of a node, to mount read-only at /etc/herd. */
  public Path dir(String fleet, String node) {
    for (String[] n : new String[][] {{"fleet", fleet}, {"node", node}}) {
      if (n[1] == null || !NAME.matcher(n[1]).matches()) {
        throw ConfigException.invalid(n[0] + " name " + Texts.quote(n[1]) + " is not a valid name");
      }
    }
    return root.resolve(fleet).resolve(node);
  }

  /** {@link #render(Content, PrivateFiles.Owner)} keeping the node directory's owner (herd's own user when new). */
  public Rendered render(Content content) {
    return render(content, null);
  }

  /**
   * Writes the node's files as a new version and switches {@code current} to it (unless nothing
   * changed). The node directory, its versions and files are owner-only (0700/0600) and belong
   * to {@code owner}, the uid/gid the node's process runs as (null: the directory's current owner), so that
   * user reads them through the read-only mount and nobody else on the host does.
   */
  public Rendered render(Content content, PrivateFiles.Owner owner) {
    Path dir = dir(content.fleet(), content.node());
    Map<String, byte[]> files = files(content);
    java.util.concurrent.locks.ReentrantLock lock = lockOf(dir);
    lock.lock();
    try {
      return write(content, dir, files, owner);
    } finally {
      lock.unlock();
    }
  }

  private Rendered write(Content content, Path dir, Map<String, byte[]> files, PrivateFiles.Owner owner) {
    try {
      PrivateFiles.directories(dir);
      if (owner == null) {
        owner = ownerOf(dir); // an adopted node: keep giving its files to whom the last render gave them
      }
      PrivateFiles.chown(dir, owner); // every render: the node's user may have changed with its image
      List<Long> versions = versions(dir);
      long currentVersion = currentVersion(dir);
      if (currentVersion > 0 && sameAs(dir.resolve("v" + currentVersion), files)) {
        return new Rendered(dir, currentVersion, false);
      }
      long next = (versions.isEmpty() ? 0 : versions.get(versions.size() - 1)) + 1;
      Path staging = dir.resolve(".v" + next + "." + UUID.randomUUID() + ".tmp");
      PrivateFiles.createDir(staging);
      PrivateFiles.chown(staging, owner);
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        write(staging.resolve(f.getKey()), f.getValue(), owner);
      }
      fsync(staging);
      Path version = dir.resolve("v" + next);
      Files.move(staging, version, StandardCopyOption.ATOMIC_MOVE);
      switchCurrent(dir, version.getFileName().toString());
      ensureTopLinks(dir);
      fsync(dir);
      prune(dir, next);
      log.info("node files of {}/{} now v{} (config revision {}, flags revision {}, discovery revision {})",
          content.fleet(), content.node(), next, content.config().revision(), content.flags().revision(), content.discovery().revision());
      return new Rendered(dir, next, true);
    } catch (IOException e) {
      throw new ConfigException(ConfigException.Kind.STORAGE, "cannot write the node files in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Every node that has a directory here, as fleet → node names (for the sweep of leftovers). */
  public synchronized Map<String, java.util.Set<String>> nodes() {
    Map<String, java.util.Set<String>> out = new java.util.TreeMap<>();
    if (!Files.isDirectory(root)) {
      return out;
    }
    try (var fleets = Files.list(root)) {
      for (Path f : fleets.filter(Files::isDirectory).toList()) {
        String fleet = f.getFileName().toString();
        if (!NAME.matcher(fleet).matches()) {
          continue;
        }
        try (var nodes = Files.list(f)) {
          nodes.filter(Files::isDirectory).map(n -> n.getFileName().toString()).filter(n -> NAME.matcher(n).matches())
              .forEach(n -> out.computeIfAbsent(fleet, k -> new java.util.TreeSet<>()).add(n));
        }
      }
    } catch (IOException e) {
      throw new ConfigException(ConfigException.Kind.STORAGE, "cannot list the node files in " + root + ": " + e.getMessage(), e);
    }
    return out;
  }

  /** Removes a node's directory (after the node is gone). */
  public void remove(String fleet, String node) {
    Path dir = dir(fleet, node);
    try {
      java.util.concurrent.locks.ReentrantLock lock = lockOf(dir);
      lock.lock();
      try {
        deleteTree(dir);
      } finally {
        lock.unlock();
      }
    } catch (IOException e) {
      throw new ConfigException(ConfigException.Kind.STORAGE, "cannot remove the node files in " + dir + ": " + e.getMessage(), e);
    }
  }

  // ---- rendering ----------------------------------------------------------------------------

  /** The files a node gets, in memory (herd render kubernetes ships them in a ConfigMap). */
  public static Map<String, byte[]> files(Content c) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    EffectiveConfig cfg = c.config();
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("environment", cfg.scope().environment());
    config.put("role", cfg.scope().role());
    config.put("node", c.node());
    config.put("revision", cfg.revision());
    config.put("values", cfg.asMap());
    out.put("config.json", json(config));
    out.put("config.env", env(c).getBytes(StandardCharsets.UTF_8));

    Map<String, Object> flags = new LinkedHashMap<>();
    flags.put("environment", c.flags().environment());
    flags.put("revision", c.flags().revision());
    Map<String, Object> values = new TreeMap<>();
    c.flags().evaluateAll(FlagContext.ofNode(c.fleet(), c.node())).forEach((name, e) -> {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("value", e.value());
      one.put("on", e.on());
      one.put("reason", e.reason());
      values.put(name, one);
    });
    flags.put("flags", values);
    out.put("flags.json", json(flags));

    Map<String, Object> discovery = new LinkedHashMap<>();
    discovery.put("revision", c.discovery().revision());
    Map<String, List<Map<String, Object>>> byFleet = new TreeMap<>();
    for (Endpoint e : c.discovery().endpoints()) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("node", e.node());
      one.put("host", e.host());
      one.put("port", e.port());
      byFleet.computeIfAbsent(e.fleet(), k -> new ArrayList<>()).add(one);
    }
    discovery.put("fleets", byFleet);
    discovery.put("front_doors", frontDoors(c.discovery()));
    out.put("discovery.json", json(discovery));
    return out;
  }

  /** {@code {"web": {"url": "http://127.0.0.1:8080", "address": "127.0.0.1:8080"}}}: the fleets' one addresses. */
  public static Map<String, Object> frontDoors(Discovery d) {
    Map<String, Object> out = new TreeMap<>();
    d.frontDoors().forEach((fleet, url) -> out.put(fleet, Map.of("url", url, "address", url.substring(url.indexOf("://") + 3))));
    return out;
  }

  /** {@code KEY='value'} lines for POSIX sh ({@code set -a; . /etc/herd/config.env; set +a}). */
  static String env(Content c) {
    EffectiveConfig cfg = c.config();
    StringBuilder b = new StringBuilder();
    b.append("# herd config ").append(cfg.scope()).append(" revision ").append(cfg.revision()).append(" for node ")
        .append(c.node()).append(". POSIX sh: set -a; . /etc/herd/config.env; set +a\n");
    b.append("HERD_CONFIG_REVISION=").append(ShellQuote.quote(Long.toString(cfg.revision()))).append('\n');
    cfg.asMap().forEach((k, v) -> b.append(k).append('=').append(ShellQuote.quote(v)).append('\n'));
    return b.toString();
  }

  private static byte[] json(Object o) {
    try {
      return (JSON.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  // ---- files --------------------------------------------------------------------------------

  private static List<Long> versions(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> VERSION.matcher(p.getFileName().toString()))
          .filter(Matcher::matches)
          .map(m -> Long.parseLong(m.group(1)))
          .sorted()
          .toList();
    }
  }

  private static long currentVersion(Path dir) throws IOException {
    Path link = dir.resolve(CURRENT);
    if (!Files.isSymbolicLink(link)) {
      return 0;
    }
    Matcher m = VERSION.matcher(Files.readSymbolicLink(link).toString());
    return m.matches() ? Long.parseLong(m.group(1)) : 0;
  }

  private static boolean sameAs(Path version, Map<String, byte[]> files) throws IOException {
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      Path p = version.resolve(f.getKey());
      if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || !Arrays.equals(Files.readAllBytes(p), f.getValue())) {
        return false;
      }
    }
    return true;
  }

  private static void write(Path p, byte[] bytes, PrivateFiles.Owner owner) throws IOException {
    try (FileChannel ch = PrivateFiles.newChannel(p, StandardOpenOption.CREATE_NEW)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    PrivateFiles.chown(p, owner);
  }

  private static PrivateFiles.Owner ownerOf(Path dir) throws IOException {
    if (!dir.getFileSystem().supportedFileAttributeViews().contains("unix")) {
      return null;
    }
    return new PrivateFiles.Owner((Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS),
        (Integer) Files.getAttribute(dir, "unix:gid", LinkOption.NOFOLLOW_LINKS));
  }

  /** {@code current -> target}, replaced in one rename(2). */
  private static void switchCurrent(Path dir, String target) throws IOException {
    Path tmp = dir.resolve("." + CURRENT + "." + UUID.randomUUID() + ".tmp");
    Files.createSymbolicLink(tmp, Path.of(target));
    Files.move(tmp, dir.resolve(CURRENT), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** {@code config.json -> current/config.json} ...: made once, never changed. */
  private static void ensureTopLinks(Path dir) throws IOException {
    for (String f : FILES) {
      Path link = dir.resolve(f);
      if (!Files.isSymbolicLink(link)) {
        try {
          Files.createSymbolicLink(link, Path.of(CURRENT, f));
        } catch (FileAlreadyExistsException e) {
          throw new IOException(link + " exists and is not herd's symlink; remove it", e);
        }
      }
    }
  }

  private static void prune(Path dir, long current) throws IOException {
    java.time.Instant cutoff = java.time.Instant.now().minus(GRACE);
    for (long v : versions(dir)) {
      Path version = dir.resolve("v" + v);
      if (v <= current - KEEP
          && Files.getLastModifiedTime(version, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(cutoff)) {
        deleteTree(version);
      }
    }
    // staging directories left by a crash
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList()) {
        deleteTree(p);
      }
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      try (Stream<Path> s = Files.list(p)) {
        for (Path c : s.sorted(Comparator.reverseOrder()).toList()) {
          deleteTree(c);
        }
      }
    }
    Files.delete(p);
  }

  private static void fsync(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
