package dev.herd.engine;

/** A running stream (logs, events). Closing it stops delivery; closing twice is harmless. */
public interface Subscription extends AutoCloseable {
  @Override
  void close();
}
