package dev.herd.server;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The {@code text/plain} answer of a route that runs a CLI command for the launcher's quick
 * client (bake, audit), sent as the command runs: prefixed lines flushed at once ({@code out: }
 * the CLI's stdout, {@code err: } its stderr), {@code :} alone every {@link #KEEP_ALIVE} while
 * nothing else is said (so a long run never looks like a dead controller), and {@code exit: N}
 * last. A client that went away is not written to again.
 */
final class TextStream {
  static final Duration KEEP_ALIVE = Duration.ofSeconds(10);

  private final OutputStream out;
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile boolean broken;

  private TextStream(OutputStream out) {
    this.out = out;
  }

  /** Commits a 200 answer and starts the keep-alive lines; {@link #exit} ends both. */
  static TextStream open(Context ctx, String name) {
    ctx.status(200).contentType("text/plain; charset=utf-8");
    ctx.res().setHeader("Cache-Control", "no-store");
    TextStream stream;
    try {
      stream = new TextStream(ctx.res().getOutputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread.ofVirtual().name("herd-" + name + "-keepalive").start(() -> {
      try {
        while (!stream.done.await(KEEP_ALIVE.toMillis(), TimeUnit.MILLISECONDS)) {
          stream.keepAlive();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    return stream;
  }

  void out(String text) {
    line("out", text);
  }

  void err(String text) {
    line("err", text);
  }

  /** The last line: the command's exit code. */
  void exit(int code) {
    done.countDown();
    line("exit", Integer.toString(code));
  }

  /** Whether the client went away before the end. */
  boolean broken() {
    return broken;
  }

  /** ":" alone, unless the exit line is written or being written (it must stay the last line). */
  private synchronized void keepAlive() {
    if (done.getCount() > 0) {
      write(":\n");
    }
  }

  private void line(String channel, String text) {
    StringBuilder b = new StringBuilder();
    for (String l : text.split("\n", -1)) {
      b.append(channel).append(": ").append(l).append('\n');
    }
    write(b.toString());
  }

  private synchronized void write(String s) {
    if (broken) {
      return;
    }
    try {
      out.write(s.getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (IOException e) {
      broken = true;
    }
  }
}
