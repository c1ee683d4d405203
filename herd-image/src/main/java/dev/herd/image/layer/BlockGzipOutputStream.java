package dev.herd.image.layer;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A gzip member compressed in fixed-size blocks on several threads, with bytes that depend only on
 * the input, the level and the block size, never on the number of threads or on how the caller
 * splits its writes (the technique of pigz).
 *
 * <p>The input is cut at every {@link #BLOCK} bytes. Each block is deflated on its own with the
 * last 32 KiB of the block before it as the preset dictionary (so matches still reach back across
 * a cut) and ends with a sync flush (an empty stored block, byte aligned), which lets the blocks'
 * outputs be concatenated into one deflate stream. After the last block comes an empty final
 * block, then the CRC-32 and the length of the whole input. Any gzip reader decompresses it.
 *
 * <p>The header is fixed: no name, mtime 0, no extra flags, OS "unknown". Blocks are written out
 * in order by the caller's thread, so the stream below sees one writer.
 */
public final class BlockGzipOutputStream extends FilterOutputStream {
  /** Input bytes per block (pigz's default). Part of the output's identity: never change it lightly. */
  public static final int BLOCK = 128 * 1024;
  private static final int DICTIONARY = 32 * 1024;
  private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};
  /** A final fixed-Huffman block holding only its end code: BFINAL=1, BTYPE=01, code 0000000. */
  private static final byte[] FINAL_EMPTY_BLOCK = {0x03, 0x00};

  private final int level;
  private final ExecutorService pool;
  private final boolean ownPool;
  private final int inFlight;
  private final ArrayDeque<Future<byte[]>> pending = new ArrayDeque<>();
  private final CRC32 crc = new CRC32();
  private byte[] block = new byte[BLOCK];
  private int filled;
  private byte[] previous;
  private long length;
  private boolean closed;

  /** Compresses on {@code threads} threads of its own (1 compresses on the caller's thread). */
  public BlockGzipOutputStream(OutputStream out, int level, int threads) throws IOException {
    super(out);
    if (level < 0 || level > 9) {
      throw new IllegalArgumentException("gzip level " + level + " is not 0-9");
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads " + threads + " < 1");
    }
    this.level = level;
    this.ownPool = threads > 1;
    this.pool = threads > 1 ? Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "herd-gzip");
      t.setDaemon(true);
      return t;
    }) : null;
    this.inFlight = threads * 2;
    out.write(HEADER);
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (closed) {
      throw new IOException("stream closed");
    }
    crc.update(b, off, len);
    length += len;
    while (len > 0) {
      int n = Math.min(len, BLOCK - filled);
      System.arraycopy(b, off, block, filled, n);
      filled += n;
      off += n;
      len -= n;
      if (filled == BLOCK) {
        submit();
      }
    }
  }

  /** Compressed data is only complete at {@link #close()}; flush passes on what is already done. */
  @Override
  public void flush() throws IOException {
    drain(false);
    out.flush();
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (filled > 0) {
        submit();
      }
      drain(true);
      out.write(FINAL_EMPTY_BLOCK);
      writeIntLe((int) crc.getValue());
      writeIntLe((int) length);
      out.flush();
    } finally {
      if (ownPool) {
        pool.shutdownNow();
      }
      out.close();
    }
  }

  private void submit() throws IOException {
    byte[] input = filled == BLOCK ? block : Arrays.copyOf(block, filled);
    byte[] dictionary = previous;
    previous = input.length >= DICTIONARY ? Arrays.copyOfRange(input, input.length - DICTIONARY, input.length)
        : joinTail(previous, input);
    if (pool == null) {
      out.write(deflate(input, dictionary, level));
    } else {
      pending.add(pool.submit(() -> deflate(input, dictionary, level)));
      if (pending.size() >= inFlight) {
        out.write(await(pending.poll()));
      }
      drain(false);
    }
    block = new byte[BLOCK];
    filled = 0;
  }

  /** Writes finished blocks in order; with {@code all}, waits for every one. */
  private void drain(boolean all) throws IOException {
    while (!pending.isEmpty() && (all || pending.peek().isDone())) {
      out.write(await(pending.poll()));
    }
  }

  private static byte[] await(Future<byte[]> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while compressing");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UncheckedIOException u) {
        throw u.getCause();
      }
      throw new IOException("compressing a block failed: " + e.getCause(), e.getCause());
    }
  }

  /** Raw deflate of one block, preset dictionary first, ending in a sync flush. */
  static byte[] deflate(byte[] input, byte[] dictionary, int level) {
    Deflater deflater = new Deflater(level, true);
    try {
      if (dictionary != null && dictionary.length > 0) {
        deflater.setDictionary(dictionary);
      }
      deflater.setInput(input);
      byte[] out = new byte[input.length + input.length / 8 + 64];
      int n = 0;
      while (true) {
        n += deflater.deflate(out, n, out.length - n, Deflater.SYNC_FLUSH);
        if (n < out.length) {
          return Arrays.copyOf(out, n);
        }
        out = Arrays.copyOf(out, out.length * 2);
      }
    } finally {
      deflater.end();
    }
  }

  /** The last 32 KiB of what came before and this short block together. */
  private static byte[] joinTail(byte[] before, byte[] input) {
    int keep = Math.min(DICTIONARY - input.length, before == null ? 0 : before.length);
    byte[] out = new byte[keep + input.length];
    if (keep > 0) {
      System.arraycopy(before, before.length - keep, out, 0, keep);
    }
    System.arraycopy(input, 0, out, keep, input.length);
    return out;
  }

  private void writeIntLe(int v) throws IOException {
    out.write(new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)});
  }
}
