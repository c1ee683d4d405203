package dev.herd.control.loop;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * Keys waiting to be reconciled. A key is queued at most once; a key added while it is being
 * processed is processed again afterwards, never concurrently (the client-go workqueue rules).
 */
final class WorkQueue {
  private final ArrayDeque<String> queue = new ArrayDeque<>();
  private final Set<String> queued = new HashSet<>();
  private final Set<String> processing = new HashSet<>();
  private final Set<String> dirty = new HashSet<>();
  private boolean shutdown;

  synchronized void add(String key) {
    if (processing.contains(key)) {
      dirty.add(key);
      return;
    }
    if (queued.add(key)) {
      queue.add(key);
      notifyAll();
    }
  }

  /** The next key (marked processing), or null when none is queued. */
  synchronized String poll() {
    String key = queue.poll();
    if (key != null) {
      queued.remove(key);
      processing.add(key);
    }
    return key;
  }

  /** Blocks for the next key; null after shutdown. */
  synchronized String take() throws InterruptedException {
    while (queue.isEmpty() && !shutdown) {
      wait();
    }
    return shutdown ? null : poll();
  }

  synchronized void done(String key) {
    processing.remove(key);
    if (dirty.remove(key)) {
      add(key);
    }
  }

  synchronized boolean idle() {
    return queue.isEmpty() && processing.isEmpty();
  }

  synchronized int size() {
    return queue.size();
  }

  synchronized void shutdown() {
    shutdown = true;
    notifyAll();
  }
}
