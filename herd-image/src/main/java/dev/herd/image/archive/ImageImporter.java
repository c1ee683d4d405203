package dev.herd.image.archive;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herd.image.oci.CanonicalJson;
import dev.herd.image.oci.Descriptor;
import dev.herd.image.oci.Digest;
import dev.herd.image.oci.ImageConfig;
import dev.herd.image.oci.ImageException;
import dev.herd.image.oci.Manifest;
import dev.herd.image.oci.MediaTypes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unpacks an existing image (OCI layout, OCI archive or docker archive) into an empty staging
 * directory: selects the image by ref, applies its layers in order with whiteouts, and checks
 * every layer against its digest and diff ID. Unsafe archives are refused with the archive, layer
 * and entry named (see {@link LayerUnpacker}); on any failure the staging directory is emptied
 * again, so a failed import leaves nothing behind.
 */
public final class ImageImporter {
  private static final Logger log = LoggerFactory.getLogger(ImageImporter.class);

  private ImageImporter() {}

  /**
   * @param format null to detect it from the source
   * @param ref the image to pick (an OCI ref name like {@code bookworm} or a docker repo tag like
   *     {@code debian:bookworm}); null when the source holds exactly one image
   * @param target a directory that does not exist yet or is empty
   */
  public static ImportedImage unpack(
      Path source, SourceFormat format, String ref, Path target, boolean allowDevices, ImportLimits limits) {
    SourceFormat fmt = format != null ? format : SourceFormat.detect(source);
    Path root = prepareTarget(target);
    try (ArchiveFiles files = fmt == SourceFormat.OCI_LAYOUT ? ArchiveFiles.directory(source) : ArchiveFiles.tar(source, limits)) {
      Selected img = fmt == SourceFormat.DOCKER_ARCHIVE ? selectDocker(files, ref) : selectOci(files, ref);
      if (img.layers().size() > limits.maxLayers()) {
        throw new UnsafeArchiveException(files.describe() + ": image has " + img.layers().size() + " layers, more than the limit of " + limits.maxLayers());
      }
      if (img.config().diffIds().size() != img.layers().size()) {
        throw new ImageException(files.describe() + ": config lists " + img.config().diffIds().size()
            + " diff IDs but the manifest has " + img.layers().size() + " layers");
      }
      LayerUnpacker unpacker = new LayerUnpacker(root, allowDevices, limits);
      for (int i = 0; i < img.layers().size(); i++) {
        Layer layer = img.layers().get(i);
        String where = files.describe() + ", layer " + (i + 1) + "/" + img.layers().size() + " (" + layer.name() + ")";
        MessageDigest rawSha = Digest.sha256();
        MessageDigest tarSha = Digest.sha256();
        try (InputStream raw = new DigestInputStream(files.open(layer.name()), rawSha);
            InputStream tar = new DigestInputStream(Layers.uncompressed(raw, where), tarSha)) {
          unpacker.apply(tar, where);
          tar.transferTo(OutputStream.nullOutputStream()); // tar padding, so the digests cover everything
          raw.transferTo(OutputStream.nullOutputStream());
        }
        Digest diffId = Digest.fromRaw(tarSha.digest());
        if (layer.digest() != null && !layer.digest().equals(Digest.fromRaw(rawSha.digest()))) {
          throw new ImageException(where + ": blob hashes to " + Digest.fromRaw(rawSha.digest()) + ", manifest says " + layer.digest());
        }
        if (!diffId.equals(img.config().diffIds().get(i))) {
          throw new ImageException(where + ": uncompressed layer hashes to " + diffId + ", config says " + img.config().diffIds().get(i));
        }
      }
      log.info("imported {} ({}) into {}: {} layers, {} entries, {} bytes",
          source, img.ref(), root, img.layers().size(), unpacker.entries(), unpacker.bytes());
      return new ImportedImage(source.toString(), fmt, img.ref(), img.baseDigest(), img.config(), img.layers().size(), unpacker.entries(), unpacker.bytes());
    } catch (IOException | RuntimeException e) {
      emptyQuietly(root);
      if (e instanceof ImageException ie) {
        throw ie;
      }
      throw new ImageException("cannot import " + source + ": " + e, e);
    }
  }

  private record Layer(String name, Digest digest) {}

  private record Selected(String ref, Digest baseDigest, ImageConfig config, List<Layer> layers) {}

  private static Selected selectOci(ArchiveFiles files, String ref) throws IOException {
    JsonNode layout = CanonicalJson.read(files.readSmall("oci-layout"), files.describe() + ": oci-layout");
    if (!"1.0.0".equals(layout.path("imageLayoutVersion").asText())) {
      throw new ImageException(files.describe() + ": unsupported imageLayoutVersion " + layout.path("imageLayoutVersion"));
    }
    JsonNode index = CanonicalJson.read(files.readSmall("index.json"), files.describe() + ": index.json");
    List<JsonNode> candidates = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (JsonNode m : index.path("manifests")) {
      String name = m.path("annotations").path(MediaTypes.REF_NAME).asText(null);
      names.add(name == null ? "(unnamed " + m.path("digest").asText() + ")" : name);
      if (ref == null || ref.equals(name)) {
        candidates.add(m);
      }
    }
    if (candidates.size() != 1) {
      throw new ImageException(files.describe() + ": "
          + (ref == null ? "holds " + names.size() + " images; name one with a ref" : "no image named '" + ref + "'")
          + " (images: " + (names.isEmpty() ? "none" : String.join(", ", names)) + ")");
    }
    JsonNode chosen = candidates.get(0);
    Digest digest = Digest.parse(chosen.path("digest").asText());
    String mediaType = chosen.path("mediaType").asText();
    if (MediaTypes.INDEX.equals(mediaType) || mediaType.endsWith("manifest.list.v2+json")) {
      digest = pickPlatform(files, digest);
    }
    byte[] manifestBytes = readBlob(files, digest);
    Manifest manifest = Manifest.fromJson(manifestBytes, files.describe() + ": manifest " + digest);
    byte[] configBytes = readBlob(files, manifest.config().digest());
    ImageConfig config = ImageConfig.fromJson(configBytes, files.describe() + ": config " + manifest.config().digest());
    List<Layer> layers = new ArrayList<>();
    for (Descriptor d : manifest.layers()) {
      layers.add(new Layer("blobs/sha256/" + d.digest().hex(), d.digest()));
    }
    return new Selected(ref, digest, config, layers);
  }

  private static byte[] readBlob(ArchiveFiles files, Digest d) throws IOException {
    byte[] bytes = files.readSmall("blobs/sha256/" + d.hex());
    if (!Digest.of(bytes).equals(d)) {
      throw new ImageException(files.describe() + ": blob " + d + " does not match its digest");
    }
    return bytes;
  }

  /** For a multi-platform index: the manifest for linux and this machine's architecture. */
  private static Digest pickPlatform(ArchiveFiles files, Digest indexDigest) throws IOException {
    String arch = switch (System.getProperty("os.arch")) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      default -> System.getProperty("os.arch");
    };
    JsonNode idx = CanonicalJson.read(readBlob(files, indexDigest), files.describe() + ": index " + indexDigest);
    List<String> seen = new ArrayList<>();
    for (JsonNode m : idx.path("manifests")) {
      String os = m.path("platform").path("os").asText();
      String a = m.path("platform").path("architecture").asText();
      seen.add(os + "/" + a);
      if (os.equals("linux") && a.equals(arch)) {
        return Digest.parse(m.path("digest").asText());
      }
    }
    throw new ImageException(files.describe() + ": index " + indexDigest + " has no linux/" + arch + " image (platforms: " + String.join(", ", seen) + ")");
  }

  private static Selected selectDocker(ArchiveFiles files, String ref) throws IOException {
    JsonNode manifest = CanonicalJson.read(files.readSmall("manifest.json"), files.describe() + ": manifest.json");
    if (!manifest.isArray()) {
      throw new ImageException(files.describe() + ": manifest.json is not a list of images");
    }
    List<JsonNode> candidates = new ArrayList<>();
    List<String> tags = new ArrayList<>();
    for (JsonNode img : manifest) {
      boolean match = ref == null;
      for (JsonNode t : img.path("RepoTags")) {
        tags.add(t.asText());
        match |= ref != null && sameTag(t.asText(), ref);
      }
      if (match) {
        candidates.add(img);
      }
    }
    if (candidates.size() != 1) {
      throw new ImageException(files.describe() + ": "
          + (ref == null ? "holds " + manifest.size() + " images; name one with a ref" : "no image tagged '" + ref + "'")
          + " (tags: " + (tags.isEmpty() ? "none" : String.join(", ", tags)) + ")");
    }
    JsonNode img = candidates.get(0);
    String configName = img.path("Config").asText();
    byte[] configBytes = files.readSmall(configName);
    ImageConfig config = ImageConfig.fromJson(configBytes, files.describe() + ": " + configName);
    List<Layer> layers = new ArrayList<>();
    for (JsonNode l : img.path("Layers")) {
      layers.add(new Layer(l.asText(), null));
    }
    return new Selected(ref, Digest.of(configBytes), config, layers);
  }

  /** {@code debian:bookworm} matches {@code docker.io/library/debian:bookworm} and vice versa. */
  private static boolean sameTag(String tag, String ref) {
    return normalize(tag).equals(normalize(ref));
  }

  private static String normalize(String t) {
    String s = t.startsWith("docker.io/") ? t.substring(10) : t;
    s = s.startsWith("library/") ? s.substring(8) : s;
    return s.contains(":") ? s : s + ":latest";
  }

  private static Path prepareTarget(Path target) {
    Path root = target.toAbsolutePath().normalize();
    try {
      if (Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
          throw new ImageException("import target " + root + " exists and is not a directory");
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
          if (ds.iterator().hasNext()) {
            throw new ImageException("import target " + root + " is not empty");
          }
        }
      } else {
        Files.createDirectories(root);
      }
    } catch (IOException e) {
      throw new ImageException("cannot prepare import target " + root + ": " + e, e);
    }
    return root;
  }

  private static void emptyQuietly(Path root) {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
      for (Path p : ds) {
        LayerUnpacker.deleteTree(p);
      }
    } catch (IOException e) {
      log.warn("could not clean up {} after a failed import: {}", root, e.toString());
    }
  }
}
