package io.github.capreport.micrometer;

import io.github.capreport.AccountHold;
import io.github.capreport.AccountOnHoldException;
import io.github.capreport.ApiErrorCode;
import io.github.capreport.BulkProgressListener;
import io.github.capreport.CapReportException;
import io.github.capreport.ReportEndpoint;
import io.github.capreport.ReportListener;
import io.github.capreport.ReportOutcome;
import io.github.capreport.ReportRefusedException;
import io.github.capreport.ReportResult;
import io.github.capreport.TransportFailureException;
import io.github.capreport.UnexpectedResponseException;
import io.github.capreport.micrometer.internal.StartTimes;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Records a client's reports as Micrometer meters: pass one to {@code
 * CapReportClient.builder().listener(...)}, and its {@link #bulkProgress()} to {@code reportAll}.
 *
 * <pre>{@code
 * MicrometerReportListener metrics =
 *     MicrometerReportListener.builder(registry).clientName("checkout").build();
 * CapReportClient client = CapReportClient.builder().clientKey(key).listener(metrics).build();
 * client.reportAll(tasks, 16, metrics.bulkProgress()).await();
 * }</pre>
 *
 * <p>The meters, whose names and tags are stable:
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 *   <tr><td>{@value #REPORTS}</td><td>timer</td><td>client, endpoint, outcome, error</td>
 *       <td>reports that ended, and how long each took from the start of its first attempt to
 *       its end, retries and their waits included</td></tr>
 *   <tr><td>{@value #ATTEMPTS}</td><td>counter</td><td>client, endpoint</td><td>attempts
 *       sent, retries included</td></tr>
 *   <tr><td>{@value #RETRIES}</td><td>counter</td><td>client, endpoint, error</td><td>retries
 *       scheduled, by the failure that caused them</td></tr>
 *   <tr><td>{@value #IN_FLIGHT}</td><td>gauge</td><td>client</td><td>reports whose first
 *       attempt has started and that have not ended, those waiting to retry included</td></tr>
 *   <tr><td>{@value #BULK_TASKS}</td><td>counter</td><td>client, status</td><td>tasks of bulk
 *       reports that ended, heard through {@link #bulkProgress()}: those that never started
 *       (cancelled first) included</td></tr>
 *   <tr><td>{@value #BULK_PENDING}</td><td>gauge</td><td>client</td><td>tasks of running bulk
 *       reports that have not ended yet; a bulk report counts from its first ended task</td></tr>
 *   <tr><td>{@value #ACCOUNT_HOLDS}</td><td>counter</td><td>client, error</td><td>account holds
 *       started: an account-wide refusal stopped all sending of the clients that share an {@code
 *       AccountGuard} (a listener shared by them hears each hold once)</td></tr>
 *   <tr><td>{@value #ACCOUNT_ON_HOLD}</td><td>gauge</td><td>client</td><td>1 while a hold this
 *       listener heard start is in force, from its start until it ends ({@code accountHoldEnded},
 *       or its {@code resumesAtMillis()} on the system clock, whichever comes first), else 0:
 *       alert on it, as every report fails unsent meanwhile</td></tr>
 * </table>
 *
 * <table>
 *   <caption>Tags</caption>
 *   <tr><th>tag</th><th>values</th></tr>
 *   <tr><td>{@value #TAG_CLIENT}</td><td>{@link Builder#clientName}, {@value
 *       #DEFAULT_CLIENT_NAME} unless set</td></tr>
 *   <tr><td>{@value #TAG_ENDPOINT}</td><td>{@link ReportEndpoint#methodName()}: {@code
 *       reportIncorrectImageCaptcha}, {@code reportIncorrectTokenCaptcha}, {@code
 *       reportIncorrectRecaptcha}, {@code reportIncorrectHcaptcha}</td></tr>
 *   <tr><td>{@value #TAG_OUTCOME}</td><td>{@code accepted}; {@code already_reported} (answered
 *       without I/O: the task was accepted before, {@code ReportResult.alreadyReported()}); {@code
 *       refused} (the API refused: a {@code ReportRefusedException}); {@code on_hold} (not sent,
 *       or not sent again: the account is on hold, an {@code AccountOnHoldException}); {@code
 *       cancelled} (a {@code TransportFailureException} of kind {@code CANCELLED}: cancelled, or
 *       the client closed); {@code failed} (anything else)</td></tr>
 *   <tr><td>{@value #TAG_ERROR}</td><td>{@code none} when accepted or already reported; for a
 *       refusal the {@link ApiErrorCode} name, {@code UNKNOWN} for a code this version does not
 *       know; for a report on hold, and on {@value #ACCOUNT_HOLDS}, the name of the hold's code
 *       ({@code ERROR_KEY_DOES_NOT_EXIST}, {@code ERROR_ZERO_BALANCE}, {@code
 *       ERROR_IP_NOT_ALLOWED}, {@code ERROR_IP_BANNED}, {@code ERROR_IP_BLOCKED}); for a transport
 *       failure its {@link TransportFailureException.Kind} name ({@code CONNECT}, {@code
 *       UNKNOWN_HOST}, {@code TLS}, {@code TIMEOUT}, {@code IO}, {@code INTERRUPTED}, {@code
 *       CANCELLED}, {@code PROXY_UNREACHABLE}, {@code PROXY_AUTHENTICATION}, {@code
 *       PROXY_REFUSED}, {@code PROXY_UPSTREAM}, {@code TRANSPORT_BUG}); for an answer that is not
 *       the API's the class of
 *       its HTTP status, {@code
 *       HTTP_1XX} to {@code HTTP_5XX}, or {@code HTTP_OTHER}</td></tr>
 *   <tr><td>{@value #TAG_STATUS}</td><td>{@link ReportOutcome.Status} in lower case: {@code
 *       accepted}, {@code already_reported}, {@code refused}, {@code failed}, {@code on_hold},
 *       {@code cancelled}</td></tr>
 * </table>
 *
 * <p>Plus the {@linkplain Builder#tags common tags} given to the builder. Every tag value comes
 * from a fixed set: never a task id, never the client key, which the listener is never given. A
 * report that ended before its first attempt went out (cancelled, the client closed, no connection
 * free in time, on hold, already reported) is timed as 0.
 *
 * <p>Durations come from the registry's clock ({@code registry.config().clock()}), so a {@code
 * MockClock} drives them in tests. The methods run on the client's threads, do a few map lookups
 * and atomic updates, and never throw. Thread-safe; one listener per client: two with the same
 * client name and tags on one registry share the timer and counters, but the gauges follow only the
 * first one built.
 */
public final class MicrometerReportListener extends ReportListener {
  /** The timer of reports that ended. */
  public static final String REPORTS = "capreport.reports";

  /** The counter of attempts sent. */
  public static final String ATTEMPTS = "capreport.attempts";

  /** The counter of retries scheduled. */
  public static final String RETRIES = "capreport.retries";

  /** The gauge of reports in flight. */
  public static final String IN_FLIGHT = "capreport.reports.in.flight";

  /** The counter of bulk tasks that ended. */
  public static final String BULK_TASKS = "capreport.bulk.tasks";

  /** The gauge of bulk tasks not ended yet. */
  public static final String BULK_PENDING = "capreport.bulk.tasks.pending";

  /** The counter of account holds started. */
  public static final String ACCOUNT_HOLDS = "capreport.account.holds";

  /** The gauge that is 1 while the account is on hold. */
  public static final String ACCOUNT_ON_HOLD = "capreport.account.on.hold";

  public static final String TAG_CLIENT = "client";
  public static final String TAG_ENDPOINT = "endpoint";
  public static final String TAG_OUTCOME = "outcome";
  public static final String TAG_ERROR = "error";
  public static final String TAG_STATUS = "status";

  /** The {@value #TAG_CLIENT} tag's value unless {@link Builder#clientName} sets another. */
  public static final String DEFAULT_CLIENT_NAME = "default";

  private static final Set<String> OWN_TAGS =
      new HashSet<>(Arrays.asList(TAG_CLIENT, TAG_ENDPOINT, TAG_OUTCOME, TAG_ERROR, TAG_STATUS));

  private static final String NONE = "none";
  private static final String[] HTTP_CLASSES = {
    "HTTP_1XX", "HTTP_2XX", "HTTP_3XX", "HTTP_4XX", "HTTP_5XX"
  };
  private static final String HTTP_OTHER = "HTTP_OTHER";

  private final MeterRegistry registry;
  private final Clock clock;
  private final String clientName;
  private final Tags tags;
  private final StartTimes starts = new StartTimes();
  private final AtomicLong inFlight = new AtomicLong();
  private final AtomicLong bulkPending = new AtomicLong();

  /** The holds heard start and not heard end; AccountHold's equality is identity. */
  private final Set<AccountHold> holds =
      Collections.newSetFromMap(new ConcurrentHashMap<AccountHold, Boolean>());

  // Meters made on first use, then looked up without allocating: outcome and endpoint, then error.
  private final ConcurrentMap<String, Timer>[][] reports;
  private final ConcurrentMap<ReportEndpoint, Counter> attempts = new ConcurrentHashMap<>();
  private final ConcurrentMap<ReportEndpoint, ConcurrentMap<String, Counter>> retries =
      new ConcurrentHashMap<>();
  private final ConcurrentMap<ReportOutcome.Status, Counter> bulkTasks = new ConcurrentHashMap<>();
  private final ConcurrentMap<ApiErrorCode, Counter> accountHolds = new ConcurrentHashMap<>();

  @SuppressWarnings("unchecked") // an array of a generic type
  private MicrometerReportListener(Builder builder) {
    this.registry = builder.registry;
    this.clock = registry.config().clock();
    this.clientName = builder.clientName;
    this.tags = builder.tags.and(TAG_CLIENT, clientName);
    this.reports = new ConcurrentMap[Outcome.values().length][ReportEndpoint.values().length];
    for (ConcurrentMap<String, Timer>[] byEndpoint : reports) {
      for (int i = 0; i < byEndpoint.length; i++) {
        byEndpoint[i] = new ConcurrentHashMap<>();
      }
    }
    Gauge.builder(IN_FLIGHT, inFlight, AtomicLong::doubleValue)
        .description("capreport reports started and not ended, those waiting to retry included")
        .tags(tags)
        .strongReference(true)
        .register(registry);
    Gauge.builder(ACCOUNT_ON_HOLD, holds, MicrometerReportListener::onHold)
        .description("1 while the account is on hold and every report fails unsent, else 0")
        .tags(tags)
        .strongReference(true)
        .register(registry);
  }

  /** 1 while a hold heard is in force; forgets those whose time ran out unheard. */
  private static double onHold(Set<AccountHold> holds) {
    long now = System.currentTimeMillis(); // the guard's clock, on which resumesAtMillis is
    for (AccountHold hold : holds) {
      if (now < hold.resumesAtMillis()) {
        return 1;
      }
      holds.remove(hold);
    }
    return 0;
  }

  /**
   * A listener recording into {@code registry} with the client name {@value #DEFAULT_CLIENT_NAME}.
   */
  public static MicrometerReportListener create(MeterRegistry registry) {
    return builder(registry).build();
  }

  public static Builder builder(MeterRegistry registry) {
    return new Builder(registry);
  }

  /** The {@value #TAG_CLIENT} tag's value on every meter of this listener. */
  public String clientName() {
    return clientName;
  }

  /**
   * A progress listener for one {@code reportAll} call, recording into {@value #BULK_TASKS} and
   * {@value #BULK_PENDING}: pass a new one to each bulk report. The report listener cannot do it
   * alone, as a bulk task that is cancelled before it starts never becomes a report.
   */
  public BulkProgressListener bulkProgress() {
    Gauge.builder(BULK_PENDING, bulkPending, AtomicLong::doubleValue)
        .description("capreport bulk tasks not ended yet, in running bulk reports")
        .tags(tags)
        .strongReference(true)
        .register(registry);
    return new BulkProgress();
  }

  @Override
  public void attemptStarted(ReportEndpoint endpoint, long taskId, int attempt) {
    try {
      if (attempt == 1) {
        starts.started(endpoint, taskId, clock.monotonicTime());
        inFlight.incrementAndGet();
      }
      Counter counter = attempts.get(endpoint);
      if (counter == null) {
        counter =
            Counter.builder(ATTEMPTS)
                .description("capreport attempts sent, retries included")
                .tags(tags)
                .tag(TAG_ENDPOINT, endpoint.methodName())
                .register(registry);
        attempts.putIfAbsent(endpoint, counter);
      }
      counter.increment();
    } catch (RuntimeException ignored) {
      // A failing registry must not reach the client's threads.
    }
  }

  @Override
  public void retryScheduled(
      ReportEndpoint endpoint,
      long taskId,
      int failedAttempt,
      long delayMillis,
      CapReportException failure) {
    try {
      String error = errorOf(failure);
      ConcurrentMap<String, Counter> byError = retries.get(endpoint);
      if (byError == null) {
        retries.putIfAbsent(endpoint, new ConcurrentHashMap<String, Counter>());
        byError = retries.get(endpoint);
      }
      Counter counter = byError.get(error);
      if (counter == null) {
        counter =
            Counter.builder(RETRIES)
                .description("capreport retries scheduled, by the failure that caused them")
                .tags(tags)
                .tag(TAG_ENDPOINT, endpoint.methodName())
                .tag(TAG_ERROR, error)
                .register(registry);
        byError.putIfAbsent(error, counter);
      }
      counter.increment();
    } catch (RuntimeException ignored) {
      // A failing registry must not reach the client's threads.
    }
  }

  @Override
  public void reportFinished(
      ReportEndpoint endpoint,
      long taskId,
      int attempts,
      @Nullable ReportResult result,
      @Nullable CapReportException failure) {
    try {
      long now = clock.monotonicTime();
      long start = attempts > 0 ? starts.finished(endpoint, taskId) : StartTimes.NONE;
      if (start != StartTimes.NONE) {
        inFlight.decrementAndGet();
      }
      String error = failure == null ? NONE : errorOf(failure);
      Outcome outcome = outcomeOf(result, failure);
      ConcurrentMap<String, Timer> byError = reports[outcome.ordinal()][endpoint.ordinal()];
      Timer timer = byError.get(error);
      if (timer == null) {
        timer =
            Timer.builder(REPORTS)
                .description("capreport reports that ended, from the first attempt to the end")
                .tags(tags)
                .tag(TAG_ENDPOINT, endpoint.methodName())
                .tag(TAG_OUTCOME, outcome.tag)
                .tag(TAG_ERROR, error)
                .register(registry);
        byError.putIfAbsent(error, timer);
      }
      timer.record(start == StartTimes.NONE ? 0 : Math.max(0, now - start), TimeUnit.NANOSECONDS);
    } catch (RuntimeException ignored) {
      // A failing registry must not reach the client's threads.
    }
  }

  /** Counts the hold into {@value #ACCOUNT_HOLDS}; {@value #ACCOUNT_ON_HOLD} reads 1. */
  @Override
  public void accountHoldStarted(AccountHold hold) {
    try {
      if (!holds.add(hold)) {
        return; // heard twice: through two clients' listeners that both forward to this one
      }
      ApiErrorCode code = hold.errorCode();
      Counter counter = accountHolds.get(code);
      if (counter == null) {
        counter =
            Counter.builder(ACCOUNT_HOLDS)
                .description("capreport account holds started after an account-wide refusal")
                .tags(tags)
                .tag(TAG_ERROR, code.name())
                .register(registry);
        accountHolds.putIfAbsent(code, counter);
      }
      counter.increment();
    } catch (RuntimeException ignored) {
      // A failing registry must not reach the client's threads.
    }
  }

  /** {@value #ACCOUNT_ON_HOLD} reads 0 unless another hold heard is in force. */
  @Override
  public void accountHoldEnded(AccountHold hold) {
    holds.remove(hold);
  }

  @Override
  public String toString() {
    return "MicrometerReportListener{" + tags + "}";
  }

  /** The values of the {@value #TAG_OUTCOME} tag. */
  private enum Outcome {
    ACCEPTED,
    ALREADY_REPORTED,
    REFUSED,
    ON_HOLD,
    CANCELLED,
    FAILED;

    final String tag = name().toLowerCase(Locale.ROOT);
  }

  private static Outcome outcomeOf(
      @Nullable ReportResult result, @Nullable CapReportException failure) {
    if (failure == null) {
      return result != null && result.alreadyReported()
          ? Outcome.ALREADY_REPORTED
          : Outcome.ACCEPTED;
    }
    if (failure instanceof ReportRefusedException) {
      return Outcome.REFUSED;
    }
    if (failure instanceof AccountOnHoldException) {
      return Outcome.ON_HOLD;
    }
    if (failure instanceof TransportFailureException
        && ((TransportFailureException) failure).kind()
            == TransportFailureException.Kind.CANCELLED) {
      return Outcome.CANCELLED;
    }
    return Outcome.FAILED;
  }

  /** A value from a fixed set: an error code, a failure kind or an HTTP status class. */
  private static String errorOf(CapReportException failure) {
    if (failure instanceof ReportRefusedException) {
      return ((ReportRefusedException) failure).errorCode().name();
    }
    if (failure instanceof AccountOnHoldException) {
      return ((AccountOnHoldException) failure).hold().errorCode().name();
    }
    if (failure instanceof TransportFailureException) {
      return ((TransportFailureException) failure).kind().name();
    }
    if (failure instanceof UnexpectedResponseException) {
      int status = ((UnexpectedResponseException) failure).httpStatus();
      return status >= 100 && status < 600 ? HTTP_CLASSES[status / 100 - 1] : HTTP_OTHER;
    }
    return "OTHER"; // CapReportException has no other subclass today
  }

  /** Hears one bulk report's tasks end; counts it into the pending gauge at the first one. */
  private final class BulkProgress implements BulkProgressListener {
    private int heard; // guarded by this

    @Override
    public void onOutcome(ReportOutcome outcome, int done, int total) {
      try {
        long change;
        synchronized (this) {
          change = heard == 0 ? total - 1 : -1;
          heard++;
          if (heard >= total) {
            heard = 0; // over: the listener may serve a later bulk report
          }
        }
        bulkPending.addAndGet(change);
        ReportOutcome.Status status = outcome.status();
        Counter counter = bulkTasks.get(status);
        if (counter == null) {
          counter =
              Counter.builder(BULK_TASKS)
                  .description("capreport tasks of bulk reports that ended")
                  .tags(tags)
                  .tag(TAG_STATUS, status.name().toLowerCase(Locale.ROOT))
                  .register(registry);
          bulkTasks.putIfAbsent(status, counter);
        }
        counter.increment();
      } catch (RuntimeException ignored) {
        // A failing registry must not lose the client an outcome.
      }
    }
  }

  /** Configures a {@link MicrometerReportListener}. */
  public static final class Builder {
    private final MeterRegistry registry;
    private String clientName = DEFAULT_CLIENT_NAME;
    private Tags tags = Tags.empty();

    Builder(MeterRegistry registry) { // not private: a private one costs a synthetic class
      if (registry == null) {
        throw new NullPointerException("registry == null");
      }
      this.registry = registry;
    }

    /**
     * The {@value MicrometerReportListener#TAG_CLIENT} tag's value, to tell clients apart: a fixed
     * name such as {@code checkout}, never anything per report. Defaults to {@value
     * MicrometerReportListener#DEFAULT_CLIENT_NAME}.
     */
    public Builder clientName(String clientName) {
      if (clientName == null) {
        throw new NullPointerException("clientName == null");
      }
      if (clientName.trim().isEmpty()) {
        throw new IllegalArgumentException("clientName is blank");
      }
      this.clientName = clientName;
      return this;
    }

    /**
     * Tags added to every meter, e.g. the application's; each call adds to the earlier ones.
     *
     * @throws IllegalArgumentException for a key the listener sets itself ({@code client}, {@code
     *     endpoint}, {@code outcome}, {@code error}, {@code status})
     */
    public Builder tags(Iterable<Tag> tags) {
      if (tags == null) {
        throw new NullPointerException("tags == null");
      }
      for (Tag tag : tags) {
        if (OWN_TAGS.contains(tag.getKey())) {
          throw new IllegalArgumentException(
              "the tag '" + tag.getKey() + "' is the listener's own; use clientName for client");
        }
      }
      this.tags = this.tags.and(tags);
      return this;
    }

    /** As {@link #tags(Iterable)}, from keys and values in turn: {@code "app", "shop"}. */
    public Builder tags(String... keyValues) {
      return tags(Tags.of(keyValues));
    }

    public MicrometerReportListener build() {
      return new MicrometerReportListener(this);
    }
  }
}
