package dev.herd.control.frontdoor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the front door's access log: HAProxy writes it to an in-memory ring
 * ({@link HaproxyConfig#ACCESS_RING}), herd follows the ring through the Runtime API
 * ({@code show events <ring> -w}). No file, socket or port of herd's has to exist for HAProxy
 * to log, so the data plane never waits for the controller; a controller that was not running
 * misses the lines HAProxy logged meanwhile (the first read starts at the ring's end, {@code -n}).
 * Each line is read once: after a reload (a new worker, a new ring) the new ring is read from its
 * start; a reconnect to the worker already read starts at its end (the lines of the reconnect's
 * second are lost rather than counted twice).
 */
public final class AccessLogFollower implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AccessLogFollower.class);

  private final Path socket;
  private final Consumer<AccessLogEntry> sink;
  private final Thread thread;
  private volatile SocketChannel channel;
  private volatile boolean closed;

  public AccessLogFollower(Path runtimeSocket, Consumer<AccessLogEntry> sink) {
    this.socket = runtimeSocket;
    this.sink = sink;
    this.thread = Thread.ofPlatform().daemon().name("herd-frontdoor-access-log").unstarted(this::run);
  }

  public AccessLogFollower start() {
    thread.start();
    return this;
  }

  private void run() {
    Long readPid = null;
    boolean first = true;
    String lastProblem = null;
    while (!closed) {
      try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        long pid = workerPid(new RuntimeApi(socket).send("show info"));
        ch.connect(UnixDomainSocketAddress.of(socket));
        channel = ch;
        String command = command(first, readPid, pid) + "\n";
        ch.write(ByteBuffer.wrap(command.getBytes(StandardCharsets.US_ASCII)));
        first = false;
        readPid = pid;
        lastProblem = null;
        BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
          AccessLogEntry.parse(line).ifPresent(e -> {
            try {
              sink.accept(e);
            } catch (RuntimeException x) {
              LOG.warn("front door: an access log line was not kept: {}", x.toString());
            }
          });
        }
      } catch (IOException e) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        if (!closed && !why.equals(lastProblem)) {
          LOG.debug("front door: access log not readable ({}); retrying", why);
          lastProblem = why;
        }
      }
      if (!closed) {
        try {
          Thread.sleep(1000); // HAProxy is (re)starting or reloading: wait for its socket
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /**
   * What to ask for: the ring from its start only when it is a worker's ring herd has not read
   * yet (after a reload); from its end at the controller's start (lines before it are not ours to
   * count) and on a reconnect to the worker already read.
   */
  static String command(boolean first, Long readPid, long pid) {
    boolean fromStart = !first && (readPid == null || readPid != pid);
    return "show events " + HaproxyConfig.ACCESS_RING + " -w" + (fromStart ? "" : " -n");
  }

  /** The worker's pid from {@code show info} ({@code Pid: 1234}). */
  static long workerPid(String info) throws IOException {
    for (String line : info.lines().toList()) {
      if (line.startsWith("Pid:")) {
        try {
          return Long.parseLong(line.substring(4).strip());
        } catch (NumberFormatException e) {
          break;
        }
      }
    }
    throw new IOException("haproxy's show info has no Pid line");
  }

  @Override
  public void close() {
    closed = true;
    SocketChannel ch = channel;
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    thread.interrupt();
  }
}
