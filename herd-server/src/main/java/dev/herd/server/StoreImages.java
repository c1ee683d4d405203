package dev.herd.server;

import dev.herd.engine.NodeSpec;
import dev.herd.control.ImageSupplier;
import dev.herd.engine.EnsuredImage;
import dev.herd.engine.ImageSource;
import dev.herd.image.archive.ImageExporter;
import dev.herd.image.archive.ImageUser;
import dev.herd.image.oci.Digest;
import dev.herd.image.oci.ImageStore;
import dev.herd.image.oci.Manifest;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Gives the engine images from herd's image store, streamed straight from the blob files in
 * either format the engine may load: an OCI archive (Podman, Docker 25+) or a docker archive
 * named {@code herd.local/image:sha256-<hex>} (Docker before 25). Both are reproducible, and both
 * load as an image whose ID is the config digest.
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
    return new ImageSource(digest, m.config().digest().toString(), Map.of(
        ImageSource.Format.OCI_ARCHIVE, out -> ImageExporter.writeOciArchive(store, d, null, out),
        ImageSource.Format.DOCKER_ARCHIVE,
        out -> ImageExporter.writeDockerArchive(store, d, EnsuredImage.refFor(digest), out)));
  }

  @Override
  public NodeSpec.RunAs user(String digest) {
    ImageUser u = ImageUser.of(store, Digest.parse(digest));
    return new NodeSpec.RunAs(u.uid(), u.gid());
  }
}
