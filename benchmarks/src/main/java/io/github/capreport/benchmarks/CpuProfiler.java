package io.github.capreport.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.Collections;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU time of the benchmark JVM per operation, all its threads together ({@code cpu.time.norm},
 * microseconds per op): the client's own work for one report, since the emulator runs in another
 * JVM. Unlike wall-clock time it barely moves when other processes compete for the CPUs, so it
 * shows an overhead that a loaded machine's latency would hide. It includes what every operation
 * shares: JMH's harness, the JIT compiler and the garbage collector.
 *
 * <pre>
 * java -jar benchmarks.jar -prof io.github.capreport.benchmarks.CpuProfiler
 * </pre>
 */
public final class CpuProfiler implements InternalProfiler {
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private long startNanos;

  @Override
  public String getDescription() {
    return "process CPU time per operation, all threads of the benchmark JVM";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    startNanos = os.getProcessCpuTime();
  }

  @Override
  public Collection<? extends Result<?>> afterIteration(
      BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
    long cpuNanos = os.getProcessCpuTime() - startNanos;
    long ops = result.getMetadata().getAllOps();
    if (ops <= 0) {
      return Collections.emptyList();
    }
    return Collections.singletonList(
        new ScalarResult("cpu.time.norm", cpuNanos / 1e3 / ops, "us/op", AggregationPolicy.AVG));
  }
}
