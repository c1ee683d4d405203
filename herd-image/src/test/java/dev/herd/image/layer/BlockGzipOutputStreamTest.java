package dev.herd.image.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class BlockGzipOutputStreamTest {
  private static final int B = BlockGzipOutputStream.BLOCK;

  /** Sizes around the block boundaries, half text (compressible) and half random bytes. */
  static List<Integer> sizes() {
    return List.of(0, 1, 100, B - 1, B, B + 1, 2 * B, 3 * B + 5, 9 * B + 12345);
  }

  static byte[] data(int size, long seed) {
    Random random = new Random(seed);
    byte[] out = new byte[size];
    byte[] words = "the quick brown fox jumps over the lazy herd of cattle; ".getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < size; i++) {
      out[i] = (i / 4096) % 2 == 0 ? words[(i + (i / 977)) % words.length] : (byte) random.nextInt();
    }
    return out;
  }

  static byte[] compress(byte[] input, int threads, int chunk) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (BlockGzipOutputStream gz = new BlockGzipOutputStream(out, 6, threads)) {
      for (int off = 0; off < input.length; off += chunk) {
        gz.write(input, off, Math.min(chunk, input.length - off));
      }
    }
    return out.toByteArray();
  }

  @ParameterizedTest
  @MethodSource("sizes")
  void anyGzipReaderGetsTheInputBack(int size) throws IOException {
    byte[] input = data(size, size);
    byte[] gz = compress(input, 2, 10_000);
    assertThat(new GZIPInputStream(new ByteArrayInputStream(gz)).readAllBytes()).isEqualTo(input);
    assertThat(new GzipCompressorInputStream(new ByteArrayInputStream(gz)).readAllBytes()).isEqualTo(input);
  }

  @ParameterizedTest
  @MethodSource("sizes")
  void theBytesDependOnTheInputOnlyNotOnThreadsOrWriteSizes(int size) throws IOException {
    byte[] input = data(size, 7);
    byte[] one = compress(input, 1, B);
    assertThat(compress(input, 2, 1)).isEqualTo(one);
    assertThat(compress(input, 3, 8191)).isEqualTo(one);
    assertThat(compress(input, 8, 3 * B + 17)).isEqualTo(one);
  }

  @Test
  void compressesAboutAsWellAsOneStream() throws IOException {
    byte[] input = data(40 * B, 3);
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(plain)) {
      gz.write(input);
    }
    // the dictionary carries matches across cuts: only the flush markers cost (a few bytes a block)
    assertThat((double) compress(input, 2, B).length).isLessThan(plain.size() * 1.01);
  }

  @Test
  void headerHasNoNameNoMtimeAndOsUnknownTrailerHasCrcAndLength() throws IOException {
    byte[] input = "hello".getBytes(StandardCharsets.US_ASCII);
    byte[] gz = compress(input, 1, 5);
    assertThat(java.util.Arrays.copyOf(gz, 10)).containsExactly(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(input);
    int n = gz.length;
    long storedCrc = (gz[n - 8] & 0xffL) | (gz[n - 7] & 0xffL) << 8 | (gz[n - 6] & 0xffL) << 16 | (gz[n - 5] & 0xffL) << 24;
    assertThat(storedCrc).isEqualTo(crc.getValue());
    assertThat(gz[n - 4]).isEqualTo((byte) 5);
  }

  @Test
  void writingAfterCloseFailsAndBadSettingsAreRefused() throws IOException {
    BlockGzipOutputStream gz = new BlockGzipOutputStream(new ByteArrayOutputStream(), 6, 1);
    gz.close();
    assertThatThrownBy(() -> gz.write(1)).isInstanceOf(IOException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> new BlockGzipOutputStream(new ByteArrayOutputStream(), 10, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BlockGzipOutputStream(new ByteArrayOutputStream(), 6, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
