package dev.herd.cli.it;

import dev.herd.engine.docker.BusyboxImage;
import dev.herd.image.catalog.Catalog;
import dev.herd.image.catalog.Lineage;
import dev.herd.image.oci.Digest;
import dev.herd.image.oci.ImageStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Images for ITs that need a fleet but no bake: the busybox test image, put where {@code herd up --no-bake} finds it. */
public final class TestImages {
  private TestImages() {}

  /** For benches: {@code TestImages STATE_DIR} imports the busybox test image as web:1. */
  public static void main(String[] args) throws IOException {
    importBusybox(Path.of(args[0]));
  }

  /** Puts the test busybox image into the project's image store and catalog as web:1. */
  public static void importBusybox(Path state) throws IOException {
    BusyboxImage image = BusyboxImage.get();
    ByteArrayOutputStream archive = new ByteArrayOutputStream();
    archive.write(image.ociArchive());
    ImageStore store = ImageStore.open(state.resolve("images"));
    try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(archive.toByteArray()))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        if (e.isFile() && e.getName().startsWith("blobs/sha256/")) {
          byte[] blob = tar.readAllBytes();
          store.putBlob("application/octet-stream", blob);
        }
      }
    }
    Digest digest = Digest.parse(image.digest());
    try (Catalog catalog = Catalog.open(state.resolve("herd.db"))) {
      catalog.register("web", digest, store.blobSize(digest), Lineage.UNKNOWN);
    }
  }

}
