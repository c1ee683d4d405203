package dev.herd.bake;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herd.common.files.PrivateFiles;
import dev.herd.image.layer.LayerBlob;
import dev.herd.image.oci.Digest;
import dev.herd.image.oci.ImageStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Stage key → layer blob. A stage's key is the hash of everything that goes into it (its
 * inputs and the key of the stage beneath), so a hit means the layer would come out the same.
 * An entry whose blob has left the store (gc) is a miss.
 */
final class LayerCache {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path dir;
  private final ImageStore store;

  LayerCache(Path dir, ImageStore store) {
    this.dir = dir;
    this.store = store;
  }

  Optional<LayerBlob> get(String key) {
    Path f = dir.resolve(key + ".json");
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    try {
      ObjectNode n = (ObjectNode) JSON.readTree(f.toFile());
      LayerBlob blob = new LayerBlob(
          Digest.parse(n.get("digest").asText()), Digest.parse(n.get("diffId").asText()), n.get("size").asLong());
      return store.hasBlob(blob.digest()) ? Optional.of(blob) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // a damaged entry is a miss; the layer is rebuilt and the entry rewritten
    }
  }

  void put(String key, LayerBlob blob) {
    try {
      PrivateFiles.directories(dir);
      ObjectNode n = JSON.createObjectNode();
      n.put("digest", blob.digest().toString());
      n.put("diffId", blob.diffId().toString());
      n.put("size", blob.size());
      Path tmp = Files.createTempFile(dir, key, ".tmp");
      Files.write(tmp, JSON.writeValueAsBytes(n));
      Files.move(tmp, dir.resolve(key + ".json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write layer cache entry in " + dir, e);
    }
  }

  /** A marker for work whose success is cached by key (image tests, scans). */
  boolean passed(String key) {
    return Files.isRegularFile(dir.resolve(key + ".ok"));
  }

  void markPassed(String key) {
    try {
      PrivateFiles.directories(dir);
      PrivateFiles.write(dir.resolve(key + ".ok"), new byte[0]);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write cache marker in " + dir, e);
    }
  }
}
