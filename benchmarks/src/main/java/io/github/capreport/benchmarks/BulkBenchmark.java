package io.github.capreport.benchmarks;

import io.github.capreport.CapReportClient;
import io.github.capreport.CapReportException;
import io.github.capreport.ReportEndpoint;
import io.github.capreport.ReportOutcome;
import io.github.capreport.ReportTask;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * A bulk report of {@value #TASKS} tasks with {@value #CONCURRENCY} in flight, awaited to the last
 * answer, every answer a success: {@code capreport} is one {@code client.reportAll(tasks, 64)
 * .await()}; {@code raw} is the same {@value #TASKS} POSTs of the same bytes to the same emulator
 * endpoint, by hand, with the raw baseline of the same transport ({@link RawJdk}, {@link
 * RawApache}, {@link RawRetrofit}: the HTTP client built as the transport builds its own, the same
 * JSON library, the answer checked by hand).
 *
 * <p>One operation is one task: {@code @OperationsPerInvocation(10000)} makes JMH's score tasks per
 * second (a batch takes {@value #TASKS} divided by it), {@code -prof gc}'s {@code
 * gc.alloc.rate.norm} bytes per task and {@link CpuProfiler}'s {@code cpu.time.norm} CPU per task.
 * A smoke run may send fewer tasks with {@code -p tasks=N -opi N}; the trial refuses to start when
 * the two disagree, since the scores would then be normalised by the wrong count.
 *
 * <h2>Threads: 64 blocking calls on both sides</h2>
 *
 * <p>capreport runs an asynchronous report, and so each task of {@code reportAll}, as one blocking
 * exchange on one of the client's workers, as many workers as connections (64 by default); the
 * caller's thread only starts the first 64 and waits. The raw side does the same with no capreport
 * code: 64 threads of a fixed pool, made once per trial like the client's workers, each taking the
 * next task from a shared counter and making a blocking call ({@code HttpClient.send}, the classic
 * {@code CloseableHttpClient.execute}, Retrofit's {@code execute()}) until none is left, while the
 * benchmark thread waits. That is the fastest honest loop for these clients on this machine, and
 * the one whose threading matches capreport's, so the difference is capreport's own work (request
 * and answer handling, deadline watch, bulk bookkeeping, one hand-off to a worker per task) and not
 * a different threading model:
 *
 * <ul>
 *   <li>apache's classic client has no asynchronous API; its async client is another client, not
 *       the one the transport builds;
 *   <li>Retrofit's {@code enqueue()} runs the same blocking call on a dispatcher thread, plus the
 *       dispatcher's queueing;
 *   <li>java.net.http's {@code sendAsync} hands each completion to {@code CompletableFuture}'s
 *       default executor, which on fewer than three CPUs is a new thread per task: it measured 334
 *       us of CPU per report against capreport's 215 (docs/PERFORMANCE.md), so a Semaphore over
 *       {@code sendAsync} would flatter capreport on this machine.
 * </ul>
 *
 * <p>{@link AsyncThroughputBenchmark} measures the other shape, the clients' own asynchronous APIs
 * under a Semaphore of 64.
 *
 * <h2>Every answer a success</h2>
 *
 * <p>Both sides count accepted answers, and a batch that ends with fewer than its task count
 * accepted fails the benchmark. Retries are off on both sides ({@code RetryPolicy.none()} in {@link
 * CapReportReporter#newClient}; the raw clients retry nothing on their own, and java.net.http never
 * resends a POST), so each task is one request. Java 17's HttpClient now and then fails a request
 * on a pooled connection (JDK-8338569, see {@link Fixture#failures}); as in the other benchmarks
 * such a task is sent again and counted, its time against the side that met it: the raw loop at
 * once, capreport by a second {@code reportAll} of the tasks not accepted, after the first one
 * ends. More than one failure in a thousand tasks of a batch fails the benchmark, as does a task
 * that fails {@value #MAX_SENDS} times. After each iteration the line shows the batches, the tasks
 * accepted, the resends and what the emulator counted (it is reset before every batch, outside the
 * measured time, so its memory stays bounded whatever the iteration's length).
 *
 * <h2>The emulator is not the limit</h2>
 *
 * <p>The emulator runs in a JVM of its own ({@link RemoteEmulator}), so neither its CPU time nor
 * its allocation is counted as the client's. In the full run of docs/PERFORMANCE.md (commit {@code
 * 5f6c192}) {@link EmulatorCapacityBenchmark}{@code .callers64}, 64 kept-alive sockets writing
 * prebuilt bytes with no HTTP or JSON library, reached 21,950 ± 2,942 reports/s. This benchmark
 * drives what {@code ThroughputBenchmark.callers64} drives, 64 blocking exchanges in flight, which
 * in that run reached 8.4 to 9.1k/s (jdk), 18.0 to 19.4k/s (apache) and 15.2 to 16.4k/s (retrofit):
 * 40% of the capacity for jdk, 70 to 75% for retrofit, and 80 to 90% for apache, whose raw side is
 * therefore the closest to the ceiling. On two CPUs client and emulator share them, so that ceiling
 * is the machine's more than the emulator's; where a ratio sits near 1.0 next to a capacity that
 * close, the CPU per task ({@code cpu.time.norm}), which no waiting on the emulator compresses, is
 * the figure that tells the two sides apart.
 *
 * <pre>
 * benchmarks/run.sh bulk
 * java -jar benchmarks/target/benchmarks.jar BulkBenchmark -f 1 -wi 5 -w 4s -i 6 -r 4s \
 *   -prof gc -prof io.github.capreport.benchmarks.CpuProfiler
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(BulkBenchmark.TASKS)
@Threads(1)
@State(Scope.Benchmark)
public class BulkBenchmark {
  /** Tasks per batch: the 10,000. */
  static final int TASKS = 10_000;

  /** Reports in flight: {@code reportAll}'s concurrency, the raw side's threads. */
  static final int CONCURRENCY = 64;

  /** A task that fails this many sends in a row fails the batch. */
  static final int MAX_SENDS = 10;

  /** How long a batch may take before the benchmark gives up on it. */
  static final long BATCH_TIMEOUT_MINUTES = 5;

  /** Which HTTP client: capreport's transport of that id, or the raw baseline on the same one. */
  @Param({"jdk", "apache", "retrofit"})
  public String transport;

  /** {@code capreport}: one {@code reportAll}; {@code raw}: 64 threads of blocking calls. */
  @Param({"capreport", "raw"})
  public String impl;

  /** Tasks per batch; anything but {@value #TASKS} needs {@code -opi} with the same number. */
  @Param({"" + TASKS})
  public int tasks;

  private RemoteEmulator emulator;
  private Side side;

  // What the iteration's batches did, printed after it.
  private int batches;
  private long accepted;
  private long resent;
  private long requests;
  private long maxConnections;

  @Setup(Level.Trial)
  public void start(BenchmarkParams params) throws Exception {
    if (params.getOpsPerInvocation() != tasks) {
      throw new IllegalArgumentException(
          "tasks="
              + tasks
              + " but "
              + params.getOpsPerInvocation()
              + " operations per invocation: run with -p tasks=N -opi N, the same N");
    }
    emulator = RemoteEmulator.start();
    side = Side.create(impl, transport, emulator.baseUrl());
    side.batch(CONCURRENCY); // fail now, not in the first iteration, if anything is wrong
  }

  @Setup(Level.Iteration)
  public void beginIteration() {
    batches = 0;
    accepted = 0;
    resent = 0;
    requests = 0;
    maxConnections = 0;
  }

  /** Outside the measured time: JMH times only the benchmark call at this level. */
  @Setup(Level.Invocation)
  public void resetEmulator() {
    emulator.reset();
  }

  /** Outside the measured time, as the reset. */
  @TearDown(Level.Invocation)
  public void countBatch() {
    long[] stats = emulator.stats();
    requests += stats[0];
    maxConnections = Math.max(maxConnections, stats[1]);
  }

  @Benchmark
  public Result reportAll() throws Exception {
    Result result = side.batch(tasks);
    batches++;
    accepted += result.accepted;
    resent += result.resent;
    return result;
  }

  @TearDown(Level.Iteration)
  public void printIteration() {
    System.out.print(
        "  ["
            + batches
            + " x "
            + tasks
            + " tasks, "
            + accepted
            + " accepted"
            + (resent > 0 ? ", " + resent + " failed and resent" : "")
            + "; emulator: "
            + requests
            + " requests, at most "
            + maxConnections
            + " connections per batch] ");
  }

  @TearDown(Level.Trial)
  public void stop() {
    if (side != null) {
      side.close();
    }
    if (emulator != null) {
      emulator.close();
    }
  }

  /** How a batch ended: every task accepted, after this many resends. */
  static final class Result {
    final int accepted;
    final int resent;

    Result(int accepted, int resent) {
      this.accepted = accepted;
      this.resent = resent;
    }

    @Override
    public String toString() {
      return accepted + " accepted, " + resent + " resent";
    }
  }

  /** Fails the batch when fewer than all tasks were accepted, or too many failed on the way. */
  static Result verified(int tasks, int accepted, int resent, Throwable firstFailure) {
    if (resent * 1000L > tasks) {
      throw new IllegalStateException(
          resent + " of " + tasks + " tasks failed (more than 1 in 1,000), the first with",
          firstFailure);
    }
    if (accepted != tasks) {
      throw new IllegalStateException(
          accepted + " of " + tasks + " tasks accepted, the first failure was", firstFailure);
    }
    return new Result(accepted, resent);
  }

  /** One side of the comparison: sends a batch of tasks, all to {@link Bench#TASK_ID}. */
  interface Side extends AutoCloseable {
    /**
     * Reports {@code tasks} tasks with {@value #CONCURRENCY} in flight, all accepted, or throws.
     */
    Result batch(int tasks) throws Exception;

    @Override
    void close();

    static Side create(String impl, String transport, String baseUrl) {
      switch (impl) {
        case "capreport":
          return new CapReportSide(transport, baseUrl);
        case "raw":
          return new RawSide(transport, baseUrl);
        default:
          throw new IllegalArgumentException("impl must be capreport or raw, was " + impl);
      }
    }
  }

  /**
   * {@code client.reportAll(tasks, 64).await()} on a client built as an application builds it
   * (discovery by id, retries off), then the tasks not accepted, if any, again.
   */
  static final class CapReportSide implements Side {
    private final CapReportClient client;
    private long nextTask = Bench.TASK_ID;

    CapReportSide(String transport, String baseUrl) {
      this(CapReportReporter.newClient(transport, baseUrl));
    }

    /** For a test: the side on a client built otherwise, which {@link #close()} closes. */
    CapReportSide(CapReportClient client) {
      this.client = client;
    }

    /**
     * {@code tasks} new tasks: the client answers a second report of an accepted task without I/O,
     * so each batch reports tasks it has not seen (the emulator accepts any id). Made inside the
     * measured time, as an application makes its list: about 40 bytes a task.
     */
    private List<ReportTask> tasks(int tasks) {
      List<ReportTask> list = new ArrayList<>(tasks);
      for (int i = 0; i < tasks; i++) {
        list.add(ReportTask.of(ReportEndpoint.IMAGE_CAPTCHA, nextTask++));
      }
      return list;
    }

    @Override
    public Result batch(int tasks) throws Exception {
      List<ReportTask> toSend = tasks(tasks);
      int accepted = 0;
      int resent = 0;
      CapReportException firstFailure = null;
      for (int send = 1; ; send++) {
        List<ReportOutcome> outcomes =
            client.reportAll(toSend, CONCURRENCY).await(BATCH_TIMEOUT_MINUTES, TimeUnit.MINUTES);
        List<ReportTask> failed = null;
        for (ReportOutcome outcome : outcomes) {
          if (outcome.status() == ReportOutcome.Status.ACCEPTED) {
            accepted++;
          } else {
            if (failed == null) {
              failed = new ArrayList<>();
            }
            failed.add(outcome.task());
            if (firstFailure == null) {
              firstFailure = outcome.failure();
            }
          }
        }
        if (failed == null || send == MAX_SENDS) {
          return verified(tasks, accepted, resent, firstFailure);
        }
        resent += failed.size();
        if (resent * 1000L > tasks) {
          return verified(tasks, accepted, resent, firstFailure); // throws
        }
        toSend = failed;
      }
    }

    @Override
    public void close() {
      client.close();
    }
  }

  /**
   * The raw baseline of the transport ({@link Reporter#create}{@code ("raw", ...)}) called from 64
   * threads of a fixed pool, each taking tasks from a shared counter until none is left.
   */
  static final class RawSide implements Side {
    private final Reporter reporter;
    private final ExecutorService threads =
        Executors.newFixedThreadPool(
            CONCURRENCY,
            runnable -> {
              Thread thread = new Thread(runnable, "raw-bulk");
              thread.setDaemon(true);
              return thread;
            });

    RawSide(String transport, String baseUrl) {
      this.reporter = Reporter.create("raw", transport, baseUrl);
    }

    @Override
    public Result batch(int tasks) throws Exception {
      AtomicInteger next = new AtomicInteger();
      AtomicInteger accepted = new AtomicInteger();
      AtomicInteger resent = new AtomicInteger();
      AtomicReference<Throwable> firstFailure = new AtomicReference<>();
      int loops = Math.min(CONCURRENCY, tasks);
      CountDownLatch done = new CountDownLatch(loops);
      Runnable loop =
          () -> {
            try {
              int mine = 0;
              while (next.getAndIncrement() < tasks) {
                if (!send(resent, firstFailure)) {
                  break; // MAX_SENDS failures in a row: the batch fails below
                }
                mine++;
              }
              accepted.addAndGet(mine);
            } finally {
              done.countDown();
            }
          };
      for (int i = 0; i < loops; i++) {
        threads.execute(loop);
      }
      if (!done.await(BATCH_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        throw new IllegalStateException(
            "raw batch not done after " + BATCH_TIMEOUT_MINUTES + " min");
      }
      return verified(tasks, accepted.get(), resent.get(), firstFailure.get());
    }

    /** One task: true once accepted, false after {@value #MAX_SENDS} failures in a row. */
    private boolean send(AtomicInteger resent, AtomicReference<Throwable> firstFailure) {
      for (int sends = 1; ; sends++) {
        try {
          reporter.report(); // throws unless errorId 0, status success
          return true;
        } catch (Exception e) {
          firstFailure.compareAndSet(null, e);
          if (sends == MAX_SENDS) {
            return false;
          }
          resent.incrementAndGet();
        }
      }
    }

    @Override
    public void close() {
      threads.shutdownNow();
      reporter.close();
    }
  }
}
