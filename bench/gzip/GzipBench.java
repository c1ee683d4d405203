import dev.herd.image.layer.BlockGzipOutputStream;
import dev.herd.image.layer.LayerWriter;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Compresses one file in memory at herd's layer level (LayerWriter.COMPRESSION_LEVEL), three ways, round after round: one deflate stream
 * (the JDK's GZIPOutputStream, what layers used before), herd's block gzip on one thread and on
 * every core. Prints "MODE MS BYTES" per round; the first round is a warm-up.
 */
public class GzipBench {
  public static void main(String[] args) throws Exception {
    byte[] data = Files.readAllBytes(Path.of(args[0]));
    int rounds = Integer.parseInt(args[1]);
    int cores = dev.herd.common.Cores.forCpuWork();
    for (int round = 0; round <= rounds; round++) {
      for (String mode : new String[] {"stream", "block-1", "block-all"}) {
        Sink sink = new Sink();
        long t0 = System.nanoTime();
        try (OutputStream gz = switch (mode) {
          case "stream" -> new GZIPOutputStream(sink, 1 << 16) {
            {
              def.setLevel(LayerWriter.COMPRESSION_LEVEL);
            }
          };
          case "block-1" -> new BlockGzipOutputStream(sink, LayerWriter.COMPRESSION_LEVEL, 1);
          default -> new BlockGzipOutputStream(sink, LayerWriter.COMPRESSION_LEVEL, cores);
        }) {
          for (int off = 0; off < data.length; off += 1 << 16) {
            gz.write(data, off, Math.min(1 << 16, data.length - off));
          }
        }
        if (round > 0) {
          System.out.println(mode + " " + (System.nanoTime() - t0) / 1_000_000 + " " + sink.bytes);
        }
      }
    }
  }

  static final class Sink extends OutputStream {
    long bytes;

    @Override
    public void write(int b) {
      bytes++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      bytes += len;
    }
  }
}
