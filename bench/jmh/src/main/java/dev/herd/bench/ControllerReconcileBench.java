package dev.herd.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One reconcile pass over {@code fleets} × 1,000 settled nodes on the fake engine: what every
 * resync costs the controller when nothing needs to change. Aim: under 50 ms for 10,000 nodes,
 * and linear (100,000 nodes under 500 ms; one host's ports allow 64,000 at most, so the bench
 * goes to 60 fleets and the script checks the slope).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx2g", "--enable-native-access=ALL-UNNAMED"})
public class ControllerReconcileBench {
  @org.openjdk.jmh.annotations.Param({"10"})
  public int fleets;

  private TenThousandNodes nodes;

  @Setup(Level.Trial)
  public void settle() {
    nodes = new TenThousandNodes(fleets).start();
  }

  @TearDown(Level.Trial)
  public void close() {
    if (!nodes.settled()) {
      throw new IllegalStateException("the fleets changed during the benchmark: it measured more than a steady-state pass");
    }
    nodes.close();
  }

  @Benchmark
  public int reconcileTenThousandNodes() {
    int passes = nodes.reconcileAll();
    if (passes < fleets) {
      throw new IllegalStateException("expected a pass per fleet, ran " + passes);
    }
    return passes;
  }
}
