package dev.herd.image.archive;

import dev.herd.image.oci.CanonicalJson;
import dev.herd.image.oci.Descriptor;
import dev.herd.image.oci.Digest;
import dev.herd.image.oci.ImageConfig;
import dev.herd.image.oci.ImageException;
import dev.herd.image.oci.ImageStore;
import dev.herd.image.oci.Manifest;
import dev.herd.image.oci.MediaTypes;
import java.io.BufferedInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Streams an image from the store as an archive an engine can load: an OCI archive (a tar of a
 * one-image OCI layout) or a docker archive ({@code docker save} format: manifest.json, the config
 * and uncompressed {@code <diffID>/layer.tar} files). Archive entries get the image's created time
 * and root ownership, so the same image exports to the same bytes.
 */
public final class ImageExporter {
  private ImageExporter() {}

  public static void writeOciArchive(ImageStore store, Digest manifestDigest, String refName, OutputStream out) throws IOException {
    Manifest m = store.manifest(manifestDigest);
    Instant time = store.config(m).created();
    long manifestSize = store.blobSize(manifestDigest);
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("mediaType", MediaTypes.MANIFEST);
    entry.put("digest", manifestDigest.toString());
    entry.put("size", manifestSize);
    if (refName != null && !refName.isBlank()) {
      entry.put("annotations", Map.of(MediaTypes.REF_NAME, refName));
    }
    byte[] index = CanonicalJson.write(Map.of("schemaVersion", 2, "mediaType", MediaTypes.INDEX, "manifests", List.of(entry)));
    try (TarArchiveOutputStream tar = tar(out)) {
      dir(tar, "blobs/", time);
      dir(tar, "blobs/sha256/", time);
      List<Digest> blobs = new ArrayList<>();
      blobs.add(m.config().digest());
      m.layers().forEach(l -> blobs.add(l.digest()));
      blobs.add(manifestDigest);
      for (Digest d : blobs.stream().distinct().toList()) {
        try (InputStream in = store.openBlob(d)) {
          file(tar, "blobs/sha256/" + d.hex(), store.blobSize(d), in, time);
        }
      }
      bytes(tar, "index.json", index, time);
      bytes(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8), time);
      tar.finish();
    }
  }

  /**
   * Writes {@code docker save} format. {@code repoTag} is how the engine will name the image
   * (e.g. {@code localhost/herd/web:3}). Each layer is decompressed twice (once to learn its size
   * for the tar header, once to write it) and checked against the config's diff ID.
   */
  public static void writeDockerArchive(ImageStore store, Digest manifestDigest, String repoTag, OutputStream out) throws IOException {
    Manifest m = store.manifest(manifestDigest);
    ImageConfig config = store.config(m);
    if (config.diffIds().size() != m.layers().size()) {
      throw new ImageException("image " + manifestDigest + ": config has " + config.diffIds().size() + " diff IDs for " + m.layers().size() + " layers");
    }
    Instant time = config.created();
    String configName = m.config().digest().hex() + ".json";
    List<String> layerNames = new ArrayList<>();
    List<Long> layerSizes = new ArrayList<>();
    for (int i = 0; i < m.layers().size(); i++) {
      Descriptor l = m.layers().get(i);
      MessageDigest sha = Digest.sha256();
      long size;
      try (InputStream in = new DigestInputStream(Layers.uncompressed(store.openBlob(l.digest()), "layer " + l.digest()), sha)) {
        size = in.transferTo(OutputStream.nullOutputStream());
      }
      Digest diffId = Digest.fromRaw(sha.digest());
      if (!diffId.equals(config.diffIds().get(i))) {
        throw new ImageException("layer " + i + " (" + l.digest() + ") uncompresses to " + diffId + " but the config says " + config.diffIds().get(i));
      }
      layerNames.add(diffId.hex() + "/layer.tar");
      layerSizes.add(size);
    }
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("Config", configName);
    entry.put("RepoTags", repoTag == null || repoTag.isBlank() ? List.of() : List.of(repoTag));
    entry.put("Layers", layerNames);
    byte[] manifestJson = CanonicalJson.write(List.of(entry));
    try (TarArchiveOutputStream tar = tar(out)) {
      try (InputStream in = store.openBlob(m.config().digest())) {
        file(tar, configName, m.config().size(), in, time);
      }
      for (int i = 0; i < layerNames.size(); i++) {
        String name = layerNames.get(i);
        dir(tar, name.substring(0, name.indexOf('/') + 1), time);
        Descriptor l = m.layers().get(i);
        try (InputStream in = Layers.uncompressed(store.openBlob(l.digest()), "layer " + l.digest())) {
          file(tar, name, layerSizes.get(i), in, time);
        }
      }
      bytes(tar, "manifest.json", manifestJson, time);
      tar.finish();
    }
  }

  private static TarArchiveOutputStream tar(OutputStream out) {
    TarArchiveOutputStream tar = new TarArchiveOutputStream(new FilterOutputStream(out) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        out.flush(); // the caller owns the stream
      }
    }, "UTF-8");
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    return tar;
  }

  private static TarArchiveEntry header(String name, byte flag, int mode, Instant time) {
    TarArchiveEntry e = new TarArchiveEntry(name, flag);
    e.setMode(mode);
    e.setIds(0, 0);
    e.setUserName("");
    e.setGroupName("");
    e.setModTime(FileTime.from(time));
    return e;
  }

  private static void dir(TarArchiveOutputStream tar, String name, Instant time) throws IOException {
    tar.putArchiveEntry(header(name, TarConstants.LF_DIR, 040755, time));
    tar.closeArchiveEntry();
  }

  private static void bytes(TarArchiveOutputStream tar, String name, byte[] content, Instant time) throws IOException {
    file(tar, name, content.length, new java.io.ByteArrayInputStream(content), time);
  }

  private static void file(TarArchiveOutputStream tar, String name, long size, InputStream in, Instant time) throws IOException {
    TarArchiveEntry e = header(name, TarConstants.LF_NORMAL, 0100644, time);
    e.setSize(size);
    tar.putArchiveEntry(e);
    long copied = new BufferedInputStream(in, 1 << 16).transferTo(tar);
    if (copied != size) {
      throw new ImageException(name + ": wrote " + copied + " bytes, expected " + size + " (blob changed during export?)");
    }
    tar.closeArchiveEntry();
  }
}
