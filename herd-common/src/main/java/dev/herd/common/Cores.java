package dev.herd.common;

/** How many threads CPU-bound work (hashing, compressing, scanning) is worth on this machine. */
public final class Cores {
  /** Beyond this, the disk and the one thread that feeds the workers are the limit, not the cores. */
  static final int MAX = 8;

  private Cores() {}

  /** The machine's cores, at least 1 and at most {@value #MAX}. */
  public static int forCpuWork() {
    return Math.max(1, Math.min(MAX, Runtime.getRuntime().availableProcessors()));
  }
}
