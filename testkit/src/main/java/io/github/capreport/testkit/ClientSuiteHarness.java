package io.github.capreport.testkit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.capreport.CapReportClient;
import io.github.capreport.CapReportException;
import io.github.capreport.ReportCallback;
import io.github.capreport.ReportEndpoint;
import io.github.capreport.ReportResult;
import io.github.capreport.RetryPolicy;
import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportProvider;
import io.github.capreport.testkit.TransportConformanceSuite.Call;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.provider.Arguments;

/**
 * What the suites that drive a {@link CapReportClient} share: {@link TransportConformanceSuite} and
 * {@link TransportReliabilitySuite}. It plays the API with a {@link CapMonsterEmulator}, builds the
 * clients, calls them in each {@link Call} form, and after each case closes what the case opened
 * and checks that neither the client key nor the unknown key appears in anything the case produced:
 * results, failures with their whole stack traces (causes and suppressed failures), listener
 * events, bulk outcomes, the emulator's recordings. A callback called twice, or called on the
 * caller's thread before {@code reportAsync} returned, fails the case too.
 *
 * <p>Extend one of the two suites, not this class.
 */
public abstract class ClientSuiteHarness {
  /** The key the emulator accepts; distinctive, so that any leak of it is found. */
  protected static final String CLIENT_KEY = "tck-client-key-4e1f9a7c2b";

  /** A key the emulator does not know; must not leak either. */
  protected static final String UNKNOWN_KEY = "tck-unknown-key-8d3b6e0f51";

  protected static final long TASK_ID = 7654321L;

  /** The emulator that plays the API, fresh for each case. */
  @RegisterExtension final CapMonsterEmulatorExtension api;

  /** Every wait for an outcome is bounded by this many seconds. */
  private final long waitSeconds;

  /** The connect timeout of the clients from {@link #builder(long)}. */
  private final long connectTimeoutMillis;

  private final List<Object> produced = Collections.synchronizedList(new ArrayList<Object>());
  private final List<AutoCloseable> closeAfter =
      Collections.synchronizedList(new ArrayList<AutoCloseable>());
  private final List<String> callbackViolations =
      Collections.synchronizedList(new ArrayList<String>());

  /** The listener of every client from {@link #builderFor}: it remembers all it hears. */
  final RecordingListener listener = new RecordingListener(this::remember);

  ClientSuiteHarness(CapMonsterEmulator.Builder api, long connectTimeoutMillis, long waitSeconds) {
    this.api = new CapMonsterEmulatorExtension(api);
    this.connectTimeoutMillis = connectTimeoutMillis;
    this.waitSeconds = waitSeconds;
  }

  /** The transport under test; called once per client the suite builds. */
  protected abstract TransportProvider provider();

  // ---- helpers for subclasses ----

  /** The emulator that plays the API in the running case. */
  protected final CapMonsterEmulator emulator() {
    return api.emulator();
  }

  /**
   * A builder with the provider under test, the emulator's URL, {@link #CLIENT_KEY}, the given
   * request timeout, the suite's connect timeout, no retries, and a listener whose every event,
   * result and failure is checked for the key after the case.
   */
  protected CapReportClient.Builder builder(long requestTimeoutMillis) {
    return builderFor(null, requestTimeoutMillis)
        .transportProvider(provider())
        .connectTimeout(connectTimeoutMillis, TimeUnit.MILLISECONDS);
  }

  /**
   * As {@link #builder(long)}, for a transport the case made itself: whose connect timeout and TLS
   * are its own, so the client's builder sets neither.
   */
  protected CapReportClient.Builder builderFor(
      Transport transport, long requestTimeoutMillis) { // null: the builder's provider
    CapReportClient.Builder builder =
        CapReportClient.builder()
            .baseUrl(emulator().baseUrl())
            .clientKey(CLIENT_KEY)
            .requestTimeout(requestTimeoutMillis, TimeUnit.MILLISECONDS)
            .retryPolicy(RetryPolicy.none())
            .listener(listener);
    return transport == null ? builder : builder.transport(transport);
  }

  /** Builds, remembers and closes after the case. */
  protected CapReportClient client(CapReportClient.Builder builder) {
    return remember(closeAfterTheCase(builder.build()));
  }

  /**
   * Keeps an object the case produced, so that after the case its {@code toString()}, and for a
   * throwable every message in its cause chain and suppressed list, are checked for the key.
   */
  protected <T> T remember(T thing) {
    if (thing != null) {
      produced.add(thing);
    }
    return thing;
  }

  /** Closes {@code closeable} after the case, in the reverse order of the calls. */
  protected final <T extends AutoCloseable> T closeAfterTheCase(T closeable) {
    closeAfter.add(closeable);
    return closeable;
  }

  /** Every value with every {@link Call}: the arguments of a case that runs in each form. */
  static Stream<Arguments> withEachCall(Object... values) {
    List<Arguments> all = new ArrayList<>();
    for (Object value : values) {
      for (Call call : Call.values()) {
        all.add(Arguments.of(value, call));
      }
    }
    return all.stream();
  }

  /** A loopback port that nothing listens on: it was free a moment ago. */
  static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }

  /** An emulator over https with {@code cert}, started now; the caller closes it. */
  static CapMonsterEmulator startHttpsEmulator(
      SelfSignedCertificate cert, String clientKey, long taskId) {
    return CapMonsterEmulator.builder()
        .https(cert.serverContext())
        .clientKey(clientKey)
        .taskIds(taskId)
        .start();
  }

  /**
   * An emulator over https with {@code cert} that knows {@link #TASK_ID}, closed after the case.
   */
  final CapMonsterEmulator httpsEmulator(SelfSignedCertificate cert) {
    return closeAfterTheCase(startHttpsEmulator(cert, CLIENT_KEY, TASK_ID));
  }

  /** Reports in the given form and waits for the outcome, remembering it. */
  final Outcome report(CapReportClient client, Call call, ReportEndpoint endpoint, long taskId) {
    try {
      switch (call) {
        case BLOCKING:
          try {
            return Outcome.accepted(remember(client.report(endpoint, taskId)));
          } catch (CapReportException e) {
            return Outcome.failed(remember(e));
          }
        case FUTURE:
          return awaitFuture(client.reportAsync(endpoint, taskId));
        default:
          return awaitCallback(client, endpoint, taskId);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private Outcome awaitFuture(CompletableFuture<ReportResult> future) throws InterruptedException {
    try {
      return Outcome.accepted(remember(future.get(waitSeconds, TimeUnit.SECONDS)));
    } catch (ExecutionException e) {
      remember(e.getCause());
      if (!(e.getCause() instanceof CapReportException)) {
        throw new AssertionError("the future failed with something else", e.getCause());
      }
      return Outcome.failed((CapReportException) e.getCause());
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new AssertionError("no outcome within " + waitSeconds + " s", e);
    }
  }

  private Outcome awaitCallback(CapReportClient client, ReportEndpoint endpoint, long taskId)
      throws InterruptedException {
    final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    final AtomicBoolean returned = new AtomicBoolean();
    client.reportAsync(endpoint, taskId, callback(outcome, returned));
    returned.set(true);
    return awaitCallback(outcome);
  }

  /**
   * A callback that completes {@code outcome}, remembering what it is given. Called more than once,
   * or on the thread that made it while {@code returned} is not yet set, it fails the case. The
   * caller sets {@code returned} as soon as {@code reportAsync} returns.
   */
  final ReportCallback callback(
      final CompletableFuture<Outcome> outcome, final AtomicBoolean returned) {
    final AtomicInteger calls = new AtomicInteger();
    final Thread caller = Thread.currentThread();
    return new ReportCallback() {
      @Override
      public void onAccepted(ReportResult result) {
        called();
        outcome.complete(Outcome.accepted(remember(result)));
      }

      @Override
      public void onFailed(CapReportException failure) {
        called();
        outcome.complete(Outcome.failed(remember(failure)));
      }

      private void called() {
        if (calls.incrementAndGet() > 1) {
          callbackViolations.add("a callback was called more than once");
        }
        if (Thread.currentThread() == caller && !returned.get()) {
          callbackViolations.add("a callback ran on the caller's thread inside reportAsync");
        }
      }
    };
  }

  /** The outcome a {@link #callback} gives, waited for. */
  final Outcome awaitCallback(CompletableFuture<Outcome> outcome) throws InterruptedException {
    try {
      return outcome.get(waitSeconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError(e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("no callback within " + waitSeconds + " s", e);
    }
  }

  // ---- after each case ----

  @AfterEach
  public void closeClientsAndCheckThatTheKeyNeverLeaked() {
    List<AutoCloseable> toClose;
    synchronized (closeAfter) {
      toClose = new ArrayList<>(closeAfter);
    }
    // Clients first, then the transports and emulators they used.
    Collections.reverse(toClose);
    for (AutoCloseable closeable : toClose) {
      try {
        closeable.close();
      } catch (Exception e) {
        remember(e);
      }
    }
    remember(api.emulator());
    remember(api.emulator().reports());
    assertTrue(callbackViolations.isEmpty(), callbackViolations.toString());
    List<Object> all;
    synchronized (produced) {
      all = new ArrayList<>(produced);
    }
    for (Object thing : all) {
      String text = describe(thing);
      for (String secret : new String[] {CLIENT_KEY, UNKNOWN_KEY}) {
        if (text.contains(secret)) {
          fail("the client key leaked into " + thing.getClass().getName() + ":\n" + text);
        }
      }
    }
  }

  private static String describe(Object thing) {
    if (thing instanceof Throwable) {
      StringWriter trace = new StringWriter();
      ((Throwable) thing).printStackTrace(new PrintWriter(trace));
      return trace.toString();
    }
    return String.valueOf(thing);
  }
}
