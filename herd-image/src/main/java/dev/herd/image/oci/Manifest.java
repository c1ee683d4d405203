package dev.herd.image.oci;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** An OCI image manifest: one config and the layers bottom-up. */
public record Manifest(Descriptor config, List<Descriptor> layers, Map<String, String> annotations) {
  public Manifest {
    Objects.requireNonNull(config, "config");
    layers = List.copyOf(layers);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
  }

  /** Canonical JSON bytes (schemaVersion 2, OCI media types). The manifest digest is their sha256. */
  public byte[] toJson() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("schemaVersion", 2);
    root.put("mediaType", MediaTypes.MANIFEST);
    root.put("config", descriptorJson(config));
    root.put("layers", layers.stream().map(Manifest::descriptorJson).toList());
    if (!annotations.isEmpty()) {
      root.put("annotations", annotations);
    }
    return CanonicalJson.write(root);
  }

  static Map<String, Object> descriptorJson(Descriptor d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mediaType", d.mediaType());
    m.put("digest", d.digest().toString());
    m.put("size", d.size());
    if (!d.annotations().isEmpty()) {
      m.put("annotations", d.annotations());
    }
    return m;
  }

  static Descriptor descriptorFrom(JsonNode n, String what) {
    String mt = CanonicalJson.text(n, "mediaType");
    String digest = CanonicalJson.text(n, "digest");
    if (mt == null || digest == null || !n.path("size").isIntegralNumber()) {
      throw new ImageException(what + ": descriptor needs mediaType, digest and size");
    }
    return new Descriptor(mt, Digest.parse(digest), n.get("size").asLong(), CanonicalJson.stringMap(n, "annotations"));
  }

  /** Reads an OCI (or Docker schema 2) image manifest; other media types are refused. */
  public static Manifest fromJson(byte[] json, String what) {
    JsonNode root = CanonicalJson.read(json, what);
    String mt = CanonicalJson.text(root, "mediaType");
    if (root.path("schemaVersion").asInt() != 2) {
      throw new ImageException(what + ": not a schemaVersion 2 manifest");
    }
    if (mt != null && !mt.equals(MediaTypes.MANIFEST) && !mt.equals(MediaTypes.DOCKER_MANIFEST)) {
      throw new ImageException(what + ": media type " + mt + " is not an image manifest"
          + (mt.contains("index") || mt.contains("list") ? " (multi-platform indexes are not supported; select one platform)" : ""));
    }
    if (!root.path("config").isObject()) {
      throw new ImageException(what + ": manifest has no config descriptor");
    }
    List<Descriptor> layers = new ArrayList<>();
    for (JsonNode l : root.path("layers")) {
      layers.add(descriptorFrom(l, what + " layer " + layers.size()));
    }
    return new Manifest(descriptorFrom(root.get("config"), what + " config"), layers, CanonicalJson.stringMap(root, "annotations"));
  }
}
