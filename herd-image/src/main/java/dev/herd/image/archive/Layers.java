package dev.herd.image.archive;

import dev.herd.image.oci.ImageException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/** Opens layer blobs whatever their compression, told by magic bytes rather than media type. */
final class Layers {
  private Layers() {}

  /** The uncompressed tar stream of a layer blob: gzip is decompressed, plain tar passes. */
  static InputStream uncompressed(InputStream raw, String what) throws IOException {
    BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
    in.mark(4);
    byte[] magic = in.readNBytes(4);
    in.reset();
    if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
      return new GzipCompressorInputStream(in, true);
    }
    if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5 && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd) {
      in.close();
      throw new ImageException(what + " is zstd-compressed; herd reads gzip and uncompressed layers only");
    }
    return in;
  }
}
