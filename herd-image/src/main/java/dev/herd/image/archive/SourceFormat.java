package dev.herd.image.archive;

import dev.herd.image.oci.ImageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** The kinds of existing image herd can import. */
public enum SourceFormat {
  /** A directory holding oci-layout, index.json and blobs/. */
  OCI_LAYOUT,
  /** A tar of an OCI layout ({@code skopeo copy ... oci-archive:}). */
  OCI_ARCHIVE,
  /** {@code docker save} / {@code podman save} output: manifest.json, configs, layer tars. */
  DOCKER_ARCHIVE;

  /** Tells the format from the path: a directory is a layout; a tar is told by its index files. */
  public static SourceFormat detect(Path source) {
    if (Files.isDirectory(source)) {
      return OCI_LAYOUT;
    }
    if (!Files.isRegularFile(source)) {
      throw new ImageException("no image at " + source + " (expected an OCI layout directory, an OCI archive or a docker archive)");
    }
    try (InputStream raw = Files.newInputStream(source)) {
      byte[] magic = raw.readNBytes(2);
      if (magic.length == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
        throw new ImageException(source + " is gzip-compressed; decompress it first (gunzip) and import the .tar");
      }
    } catch (IOException e) {
      throw new ImageException("cannot read " + source + ": " + e, e);
    }
    boolean ociLayout = false;
    boolean dockerManifest = false;
    try (TarArchiveInputStream tar = new TarArchiveInputStream(Files.newInputStream(source))) {
      TarArchiveEntry e;
      int n = 0;
      while ((e = tar.getNextEntry()) != null && n++ < 100_000) {
        String name = e.getName().startsWith("./") ? e.getName().substring(2) : e.getName();
        ociLayout |= name.equals("oci-layout");
        dockerManifest |= name.equals("manifest.json");
      }
    } catch (IOException e) {
      throw new ImageException(source + " is not a readable tar archive: " + e.getMessage(), e);
    }
    if (ociLayout) {
      return OCI_ARCHIVE;
    }
    if (dockerManifest) {
      return DOCKER_ARCHIVE;
    }
    throw new ImageException(source + " is a tar but neither an OCI archive (no oci-layout) nor a docker archive (no manifest.json)");
  }
}
