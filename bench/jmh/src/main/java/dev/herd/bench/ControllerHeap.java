package dev.herd.bench;

import dev.herd.control.Controller;
import java.lang.ref.WeakReference;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * The controller's heap with 10,000 settled nodes: heap in use (after GC) with the controller
 * running, minus heap in use once the controller is closed and dropped. The fake engine's own
 * 10,000 containers stay in both, so the difference is what the controller holds. SQLite's page
 * cache is native memory and not counted.
 */
public final class ControllerHeap {
  private ControllerHeap() {}

  public static void main(String[] args) {
    TenThousandNodes nodes = new TenThousandNodes().start();
    nodes.reconcileAll();
    long with = usedAfterGc();
    WeakReference<Controller> closed = new WeakReference<>(nodes.controller);
    nodes.controller.close();
    nodes.controller = null;
    long without = usedAfterGc();
    if (closed.get() != null) {
      // something (the fake engine's subscribers, a timer) still holds it: the difference would understate it
      throw new IllegalStateException("the closed controller is still reachable; cannot measure its heap this way");
    }
    System.err.printf("heap in use after GC: %d MiB with the controller, %d MiB without (fake engine, JDK)%n",
        with >> 20, without >> 20);
    System.out.printf("%d MiB (%.1f KiB per node)%n", (with - without) >> 20, (with - without) / 1024.0 / 10_000);
    nodes.close();
  }

  private static long usedAfterGc() {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return mem.getHeapMemoryUsage().getUsed();
  }
}
