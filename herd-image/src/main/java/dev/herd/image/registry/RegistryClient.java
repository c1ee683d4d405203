package dev.herd.image.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herd.image.archive.ImageImporter;
import dev.herd.image.archive.ImportLimits;
import dev.herd.image.archive.SourceFormat;
import dev.herd.image.oci.CanonicalJson;
import dev.herd.image.oci.Descriptor;
import dev.herd.image.oci.Digest;
import dev.herd.image.oci.ImageConfig;
import dev.herd.image.oci.ImageException;
import dev.herd.image.oci.ImageStore;
import dev.herd.image.oci.Manifest;
import dev.herd.image.oci.MediaTypes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes an image of the store to a registry and pulls one into the store, through skopeo.
 *
 * <p>Push hands skopeo a one-image OCI layout of hard links into the store and asks it to keep
 * digests, so the registry holds herd's manifest bytes; skopeo HEADs each blob first (a blob the
 * registry has is not sent again) and puts the manifest, which is what creates the tag, only
 * after every blob is in: an interrupted push leaves blobs but no tag.
 *
 * <p>Pull lets skopeo fetch one platform's manifest and blobs into a private directory, then runs
 * the archive importer's checks over them (digests, diff IDs, path traversal, links out of the
 * tree, devices) before any blob enters the store.
 */
public final class RegistryClient {
  private static final Logger log = LoggerFactory.getLogger(RegistryClient.class);
  private static final String LAYOUT_REF = "herd";

  private final Skopeo skopeo;

  public RegistryClient() {
    this("skopeo", 60);
  }

  public RegistryClient(String skopeoExecutable, long timeoutMinutes) {
    this.skopeo = new Skopeo(skopeoExecutable, timeoutMinutes);
  }

  /** Where a push went: the registry ref and the manifest digest the registry now serves for it. */
  public record Pushed(RegistryRef ref, Digest digest) {}

  public Pushed push(ImageStore store, Digest manifest, RegistryRef dest, RegistryAccess access) {
    if (dest.digest() != null && !dest.digest().equals(manifest)) {
      throw new RegistryException("push to " + dest + ": the image is " + manifest + ", not the digest in the ref");
    }
    Path work = workDir(store, "push-");
    try {
      Path layout = work.resolve("layout");
      linkLayout(store, manifest, layout, LAYOUT_REF);
      Path digestFile = work.resolve("digest");
      Skopeo.Outcome out = skopeo.copy("dest", access, List.of("--preserve-digests", "--digestfile=" + digestFile),
          "oci:" + layout + ":" + LAYOUT_REF, dest.withTag(dest.tag() == null ? "latest" : dest.tag()).docker());
      if (out.exit() != 0) {
        throw new RegistryException(RegistryErrors.explain("push", dest, out.message()));
      }
      Digest pushed = Digest.parse(Files.readString(digestFile, StandardCharsets.UTF_8).strip());
      if (!pushed.equals(manifest)) {
        throw new RegistryException("push " + dest + ": the registry stored " + pushed + " but herd's image is " + manifest);
      }
      log.info("pushed {} to {}", manifest, dest);
      return new Pushed(dest, pushed);
    } catch (IOException e) {
      throw new RegistryException("push " + dest + ": " + e);
    } finally {
      Skopeo.deleteTree(work);
    }
  }

  /**
   * The digest {@code ref} names now: for a tag, the sha256 of the manifest or index the registry
   * serves for it (what a lock pins); a digest ref is returned as is.
   */
  public Digest resolve(RegistryRef ref, RegistryAccess access) {
    if (ref.digest() != null) {
      return ref.digest();
    }
    Skopeo.Outcome raw = skopeo.inspectRaw(access, ref.docker());
    if (raw.exit() != 0) {
      throw new RegistryException(RegistryErrors.explain("resolve", ref, raw.message()));
    }
    return Digest.of(raw.stdout());
  }

  /**
   * Writes a one-image OCI layout of hard links into the store at {@code dir} (which must not
   * exist), naming the image {@code refName}: how store images are handed to readers of layouts.
   */
  public static void linkLayout(ImageStore store, Digest manifest, Path dir, String refName) {
    try {
      Files.createDirectories(dir);
      Path blobs = Files.createDirectories(dir.resolve("blobs").resolve(Digest.ALGORITHM));
      byte[] manifestBytes = store.readBlob(manifest);
      Manifest m = Manifest.fromJson(manifestBytes, "image " + manifest);
      List<Digest> all = new ArrayList<>();
      all.add(m.config().digest());
      m.layers().forEach(l -> all.add(l.digest()));
      all.add(manifest);
      for (Digest d : all.stream().distinct().toList()) {
        link(store.blobPath(d), blobs.resolve(d.hex()));
      }
      String mediaType = CanonicalJson.read(manifestBytes, "manifest " + manifest).path("mediaType").asText(null);
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("mediaType", mediaType == null ? MediaTypes.MANIFEST : mediaType);
      entry.put("digest", manifest.toString());
      entry.put("size", (long) manifestBytes.length);
      entry.put("annotations", Map.of(MediaTypes.REF_NAME, refName));
      Files.write(dir.resolve("index.json"), CanonicalJson.write(Map.of("schemaVersion", 2, "manifests", List.of(entry))));
      Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    } catch (IOException e) {
      throw new RegistryException("cannot lay out image " + manifest + " at " + dir + ": " + e);
    }
  }

  /** An image pulled into the store (blobs only; the catalog is the caller's). */
  public record Pulled(RegistryRef ref, Descriptor manifest, ImageConfig config, long size) {}

  public Pulled pull(RegistryRef src, RegistryAccess access, ImageStore store, ImportLimits limits) {
    Pulled known = alreadyStored(src, access, store);
    if (known != null) {
      log.info("pulled {}: {} is already in the store, nothing fetched", src, known.manifest().digest());
      return known;
    }
    Path work = workDir(store, "pull-");
    try {
      Path fetched = work.resolve("fetched");
      Skopeo.Outcome out = skopeo.copy("src", access, List.of(), src.docker(), "dir:" + fetched);
      if (out.exit() != 0) {
        throw new RegistryException(RegistryErrors.explain("pull", src, out.message()));
      }
      byte[] manifestBytes = Files.readAllBytes(fetched.resolve("manifest.json"));
      Digest digest = Digest.of(manifestBytes);
      if (src.digest() != null && !src.digest().equals(digest)) {
        throw new RegistryException("pull " + src + ": the registry sent a manifest that hashes to " + digest + "; nothing was imported");
      }
      JsonNode root = CanonicalJson.read(manifestBytes, "manifest of " + src);
      String mediaType = root.path("mediaType").asText(null);
      if (mediaType != null && (mediaType.equals(MediaTypes.INDEX) || mediaType.contains("manifest.list"))) {
        throw new RegistryException("pull " + src + ": the tag is a multi-arch index with no linux/" + RegistryErrors.arch() + " image; nothing was imported");
      }
      Manifest m = Manifest.fromJson(manifestBytes, "manifest of " + src);
      // A one-image OCI layout over the fetched files, so the archive importer checks them.
      Path layout = Files.createDirectory(work.resolve("layout"));
      Path blobs = Files.createDirectories(layout.resolve("blobs").resolve(Digest.ALGORITHM));
      List<Descriptor> parts = new ArrayList<>();
      parts.add(m.config());
      parts.addAll(m.layers());
      for (Descriptor d : parts) {
        Path f = fetched.resolve(d.digest().hex());
        if (!Files.isRegularFile(f)) {
          throw new RegistryException("pull " + src + ": blob " + d.digest() + " was not fetched; nothing was imported");
        }
        if (!Files.exists(blobs.resolve(d.digest().hex()))) {
          link(f, blobs.resolve(d.digest().hex()));
        }
      }
      Files.write(blobs.resolve(digest.hex()), manifestBytes);
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("mediaType", mediaType == null ? MediaTypes.MANIFEST : mediaType);
      entry.put("digest", digest.toString());
      entry.put("size", (long) manifestBytes.length);
      entry.put("annotations", Map.of(MediaTypes.REF_NAME, LAYOUT_REF));
      Files.write(layout.resolve("index.json"), CanonicalJson.write(Map.of("schemaVersion", 2, "manifests", List.of(entry))));
      Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
      Path check = checkDir(work, ImageStore.imageSize(m, manifestBytes.length));
      try {
        ImageImporter.unpack(layout, SourceFormat.OCI_LAYOUT, LAYOUT_REF, check, false, limits);
      } catch (ImageException e) {
        throw new RegistryException("pull " + src + ": " + e.getMessage().replace(layout.toString(), "the pulled image") + "; nothing was imported");
      } finally {
        Skopeo.deleteTree(check);
      }
      ImageConfig config = ImageConfig.fromJson(Files.readAllBytes(blobs.resolve(m.config().digest().hex())), "config of " + src);
      // Every part is checked: now, and only now, the blobs enter the store.
      for (Descriptor d : parts) {
        Path f = fetched.resolve(d.digest().hex());
        if (Files.exists(f)) {
          store.adoptTempFile(d.mediaType(), f, d.digest(), Files.size(f));
        }
      }
      Descriptor manifest = store.putBlob(mediaType == null ? MediaTypes.MANIFEST : mediaType, manifestBytes);
      long size = ImageStore.imageSize(m, manifestBytes.length);
      log.info("pulled {} as {} ({} layers, {} bytes)", src, digest, m.layers().size(), size);
      return new Pulled(src, manifest, config, size);
    } catch (NoSuchFileException e) {
      throw new RegistryException("pull " + src + ": skopeo left no " + e.getFile() + "; nothing was imported");
    } catch (IOException e) {
      throw new RegistryException("pull " + src + ": " + e + "; nothing was imported");
    } finally {
      Skopeo.deleteTree(work);
    }
  }

  /**
   * The image, if the store already holds its manifest and every blob (they were checked when they
   * came in): a pull by digest then needs no network, a pull by tag only the manifest.
   */
  private Pulled alreadyStored(RegistryRef src, RegistryAccess access, ImageStore store) {
    Digest digest = src.digest();
    if (digest == null) {
      Skopeo.Outcome raw = skopeo.inspectRaw(access, src.docker());
      if (raw.exit() != 0) {
        throw new RegistryException(RegistryErrors.explain("pull", src, raw.message()));
      }
      digest = Digest.of(raw.stdout());
    }
    if (!store.hasBlob(digest)) {
      return null;
    }
    byte[] bytes = store.readBlob(digest);
    Manifest m;
    try {
      m = Manifest.fromJson(bytes, "manifest " + digest);
    } catch (ImageException e) {
      return null; // an index: let skopeo pick the platform
    }
    if (!store.hasBlob(m.config().digest()) || !m.layers().stream().allMatch(l -> store.hasBlob(l.digest()))) {
      return null;
    }
    String mediaType = CanonicalJson.read(bytes, "manifest " + digest).path("mediaType").asText(MediaTypes.MANIFEST);
    return new Pulled(src, new Descriptor(mediaType, digest, bytes.length), store.config(m), ImageStore.imageSize(m, bytes.length));
  }

  /**
   * Where the importer's checks unpack the image: memory (/dev/shm) when it has room for several
   * times the compressed size, since the tree is thrown away at once; else the work directory.
   */
  private static Path checkDir(Path work, long compressedSize) throws IOException {
    Path shm = Path.of("/dev/shm");
    try {
      if (Files.isDirectory(shm) && Files.isWritable(shm) && Files.getFileStore(shm).getUsableSpace() > 8 * compressedSize + (256L << 20)) {
        return Files.createTempDirectory(shm, "herd-pull-check-",
            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
      }
    } catch (IOException | UnsupportedOperationException e) {
      log.debug("no room in /dev/shm for the pull check: {}", e.toString());
    }
    return work.resolve("check");
  }

  private static Path workDir(ImageStore store, String prefix) {
    try {
      // Inside the store's temp dir: same file system, so blobs are hard-linked or renamed, not copied.
      Path tmp = store.newTempFile();
      Path dir = tmp.resolveSibling(tmp.getFileName().toString().replace(".tmp", "") + "-" + prefix.replace("-", ""));
      Files.delete(tmp);
      return Files.createDirectory(dir);
    } catch (IOException e) {
      throw new RegistryException("cannot create a work directory in " + store.root() + ": " + e);
    }
  }

  private static void link(Path from, Path to) throws IOException {
    try {
      Files.createLink(to, from);
    } catch (UnsupportedOperationException | IOException e) {
      Files.copy(from, to);
    }
  }
}
