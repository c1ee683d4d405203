package dev.herd.bake.tree;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Ownership and mode of paths in a staging tree, kept beside the tree because the bake does
 * not run as the image's users (and cannot chown to them) and Java cannot set setuid, setgid
 * or sticky bits on disk.
 *
 * <p><b>Contract with the layer writer:</b> for each entry it writes at image path {@code p},
 * it takes uid, gid and mode from {@link #get(String)} when present; otherwise uid 0, gid 0 and
 * the permission bits found on disk. Symlinks are always 0:0 0777. Every stage that changes
 * the tree (base extraction, resources, run steps) records what it knows here, and the
 * pipeline hands the same instance (or its {@link #save saved} file) to the layer writer.
 */
public final class TreeMetadata {
  /** Numeric owner and full permission bits (including setuid/setgid/sticky). */
  public record Attributes(int uid, int gid, int mode) {
    public Attributes {
      if (uid < 0 || gid < 0) {
        throw new IllegalArgumentException("uid/gid must not be negative: " + uid + ":" + gid);
      }
      if (mode < 0 || mode > 07777) {
        throw new IllegalArgumentException("mode out of range: " + Integer.toOctalString(mode));
      }
    }

    @Override
    public String toString() {
      return uid + ":" + gid + " " + Modes.format(mode);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private final TreeMap<String, Attributes> entries;

  public TreeMetadata() {
    this.entries = new TreeMap<>();
  }

  private TreeMetadata(TreeMap<String, Attributes> entries) {
    this.entries = entries;
  }

  /** An independent copy (check mode mutates a copy). */
  public TreeMetadata copy() {
    return new TreeMetadata(new TreeMap<>(entries));
  }

  public Optional<Attributes> get(String imagePath) {
    return Optional.ofNullable(entries.get(ImagePath.of(imagePath).toString()));
  }

  public Optional<Attributes> get(ImagePath path) {
    return Optional.ofNullable(entries.get(path.toString()));
  }

  public void put(ImagePath path, Attributes attributes) {
    entries.put(path.toString(), attributes);
  }

  public void put(String imagePath, Attributes attributes) {
    entries.put(ImagePath.of(imagePath).toString(), attributes);
  }

  /** Forgets {@code path} and everything below it (after a removal). */
  public void removeTree(ImagePath path) {
    String prefix = path.isRoot() ? "/" : path + "/";
    entries.remove(path.toString());
    entries.keySet().removeIf(k -> k.startsWith(prefix));
  }

  /** All entries, sorted by path. */
  public SortedMap<String, Attributes> entries() {
    return Collections.unmodifiableSortedMap(entries);
  }

  /** Writes a deterministic JSON file: {@code {"/etc/shadow": {"uid":0,"gid":42,"mode":"0640"}}}. */
  public void save(Path file) {
    ObjectNode root = JSON.createObjectNode();
    for (Map.Entry<String, Attributes> e : entries.entrySet()) {
      ObjectNode n = root.putObject(e.getKey());
      n.put("uid", e.getValue().uid());
      n.put("gid", e.getValue().gid());
      n.put("mode", Modes.format(e.getValue().mode()));
    }
    try {
      Files.write(file, JSON.writeValueAsBytes(root));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write tree metadata " + file, e);
    }
  }

  public static TreeMetadata load(Path file) {
    try {
      JsonNode root = JSON.readTree(file.toFile());
      TreeMap<String, Attributes> entries = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode n = e.getValue();
        entries.put(
            ImagePath.of(e.getKey()).toString(),
            new Attributes(n.get("uid").asInt(), n.get("gid").asInt(), Integer.parseInt(n.get("mode").asText(), 8)));
      }
      return new TreeMetadata(entries);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("tree metadata " + file + " is not valid: " + e.getMessage(), e);
    }
  }
}
