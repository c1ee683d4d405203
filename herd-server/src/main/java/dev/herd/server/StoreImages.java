package dev.herd.server;

import dev.herd.engine.NodeSpec;
import dev.herd.control.ImageSupplier;
import dev.herd.engine.ImageSource;
import dev.herd.image.archive.ImageUser;
import dev.herd.image.oci.Descriptor;
import dev.herd.image.oci.Digest;
import dev.herd.image.oci.ImageStore;
import dev.herd.image.oci.Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Gives the engine images from herd's image store: one image as an OCI archive (oci-layout,
 * index.json naming only that manifest, and its blobs), streamed straight from the blob files.
 */
public final class StoreImages implements ImageSupplier {
  private final ImageStore store;

  public StoreImages(ImageStore store) {
    this.store = store;
  }

  @Override
  public ImageSource source(String digest) {
    Digest d = Digest.parse(digest);
    if (!store.hasBlob(d)) {
      throw new NoSuchElementException("image " + digest + " is not in the image store " + store.root());
    }
    Manifest m = store.manifest(d);
    long manifestSize = store.blobSize(d);
    return new ImageSource(digest, ImageSource.Format.OCI_ARCHIVE, out -> write(out, d, manifestSize, m));
  }

  @Override
  public NodeSpec.RunAs user(String digest) {
    ImageUser u = ImageUser.of(store, Digest.parse(digest));
    return new NodeSpec.RunAs(u.uid(), u.gid());
  }

  private void write(OutputStream out, Digest manifest, long manifestSize, Manifest m) throws IOException {
    // The tar must not close the engine's stream; finish() writes the trailer only.
    TarArchiveOutputStream tar = new TarArchiveOutputStream(new NoClose(out));
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    file(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
    String index = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{"
        + "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + manifest + "\",\"size\":"
        + manifestSize + "}]}";
    file(tar, "index.json", index.getBytes(StandardCharsets.UTF_8));
    List<Digest> blobs = new ArrayList<>();
    blobs.add(manifest);
    blobs.add(m.config().digest());
    m.layers().stream().map(Descriptor::digest).forEach(blobs::add);
    for (Digest b : blobs.stream().distinct().toList()) {
      TarArchiveEntry e = new TarArchiveEntry("blobs/sha256/" + b.hex());
      e.setSize(store.blobSize(b));
      e.setMode(0100644);
      tar.putArchiveEntry(e);
      try (InputStream in = store.openBlob(b)) {
        in.transferTo(tar);
      }
      tar.closeArchiveEntry();
    }
    tar.finish();
    tar.flush();
  }

  private static void file(TarArchiveOutputStream tar, String name, byte[] bytes) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(bytes.length);
    e.setMode(0100644);
    tar.putArchiveEntry(e);
    tar.write(bytes);
    tar.closeArchiveEntry();
  }

  private static final class NoClose extends java.io.FilterOutputStream {
    NoClose(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
