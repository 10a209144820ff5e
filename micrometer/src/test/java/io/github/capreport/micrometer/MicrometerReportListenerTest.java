package io.github.capreport.micrometer;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.capreport.ApiErrorCode;
import io.github.capreport.BulkProgressListener;
import io.github.capreport.BulkReport;
import io.github.capreport.CapReportClient;
import io.github.capreport.CapReportException;
import io.github.capreport.ReportEndpoint;
import io.github.capreport.ReportListener;
import io.github.capreport.ReportOutcome;
import io.github.capreport.ReportRefusedException;
import io.github.capreport.ReportResult;
import io.github.capreport.ReportTask;
import io.github.capreport.RetryPolicy;
import io.github.capreport.TransportFailureException;
import io.github.capreport.UnexpectedResponseException;
import io.github.capreport.testkit.CapMonsterEmulator;
import io.github.capreport.testkit.CapMonsterEmulatorExtension;
import io.github.capreport.transport.jdk.JdkTransportProvider;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Reports through a real client over loopback HTTP to the emulator, with a {@link
 * SimpleMeterRegistry} on a {@link MockClock} that each attempt moves on by one second: what each
 * meter counts, how each is tagged, that the gauges return to 0, that task ids make no new meters,
 * and that the key is nowhere in the registry.
 */
class MicrometerReportListenerTest {
  private static final String KEY = "micrometerKEY-5e4d3c2b1a09f8e7d6c5b4a3";
  private static final long KNOWN = 42;
  private static final long UNKNOWN_TASK = 43;
  private static final String IMAGE = "reportIncorrectImageCaptcha";

  private static final RetryPolicy THREE_QUICK_ATTEMPTS =
      RetryPolicy.builder()
          .maxAttempts(3)
          .initialDelay(1, TimeUnit.MILLISECONDS)
          .maxDelay(5, TimeUnit.MILLISECONDS)
          .build();

  @RegisterExtension
  static final CapMonsterEmulatorExtension capmonster =
      new CapMonsterEmulatorExtension(CapMonsterEmulator.builder().clientKey(KEY).taskIds(KNOWN));

  private MockClock clock;
  private SimpleMeterRegistry registry;
  private MicrometerReportListener metrics;

  @BeforeEach
  void freshRegistry() {
    clock = new MockClock();
    registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
    metrics = MicrometerReportListener.builder(registry).clientName("shop").build();
  }

  @Test
  void anAcceptedReport() {
    try (CapReportClient client = client(THREE_QUICK_ATTEMPTS)) {
      client.reportImage(KNOWN);
    }
    Timer timer = timer(IMAGE, "accepted", "none");
    assertEquals(1, timer.count());
    assertEquals(1.0, timer.totalTime(TimeUnit.SECONDS), 1e-9, "one attempt, one second");
    assertEquals(1.0, counter(MicrometerReportListener.ATTEMPTS, IMAGE).count());
    assertNull(registry.find(MicrometerReportListener.RETRIES).meter());
    assertEquals(0.0, inFlight());
    assertNoKeyInTheRegistry();
  }

  @Test
  void aRetryThenAcceptance() {
    capmonster.emulator().nextRequest().respond(503, "text/html", "<html>busy</html>");
    try (CapReportClient client = client(THREE_QUICK_ATTEMPTS)) {
      assertEquals(2, client.reportToken(KNOWN).attempts());
    }
    String token = "reportIncorrectTokenCaptcha";
    Timer timer = timer(token, "accepted", "none");
    assertEquals(1, timer.count());
    assertEquals(2.0, timer.totalTime(TimeUnit.SECONDS), 1e-9, "from the first attempt's start");
    assertEquals(2.0, counter(MicrometerReportListener.ATTEMPTS, token).count());
    Counter retries =
        registry
            .get(MicrometerReportListener.RETRIES)
            .tags("client", "shop", "endpoint", token, "error", "HTTP_5XX")
            .counter();
    assertEquals(1.0, retries.count());
    assertEquals(0.0, inFlight());
    assertNoKeyInTheRegistry();
  }

  @Test
  void aRefusal() {
    try (CapReportClient client = client(THREE_QUICK_ATTEMPTS)) {
      assertThrows(ReportRefusedException.class, () -> client.reportImage(UNKNOWN_TASK));
    }
    assertEquals(1, timer(IMAGE, "refused", "ERROR_NO_SUCH_CAPCHA_ID").count());
    assertEquals(1.0, counter(MicrometerReportListener.ATTEMPTS, IMAGE).count());
    assertEquals(0.0, inFlight());
  }

  @Test
  void aTransientRefusalIsRetriedAndTaggedByItsCode() {
    capmonster
        .emulator()
        .nextRequests(3)
        .respondJson(200, "{\"errorId\":2,\"errorCode\":\"ERROR_NO_SLOT_AVAILABLE\"}");
    try (CapReportClient client = client(THREE_QUICK_ATTEMPTS)) {
      assertThrows(ReportRefusedException.class, () -> client.reportImage(KNOWN));
    }
    Timer timer = timer(IMAGE, "refused", "ERROR_NO_SLOT_AVAILABLE");
    assertEquals(1, timer.count());
    assertEquals(3.0, timer.totalTime(TimeUnit.SECONDS), 1e-9);
    assertEquals(
        2.0,
        registry
            .get(MicrometerReportListener.RETRIES)
            .tags("endpoint", IMAGE, "error", "ERROR_NO_SLOT_AVAILABLE")
            .counter()
            .count());
  }

  @Test
  void aCodeNotInTheEnumIsUnknown() {
    capmonster
        .emulator()
        .nextRequest()
        .respondJson(200, "{\"errorId\":9,\"errorCode\":\"ERROR_FROM_A_LATER_API\"}");
    try (CapReportClient client = client(THREE_QUICK_ATTEMPTS)) {
      ReportRefusedException e =
          assertThrows(ReportRefusedException.class, () -> client.reportImage(KNOWN));
      assertEquals(ApiErrorCode.UNKNOWN, e.errorCode());
    }
    assertEquals(1, timer(IMAGE, "refused", "UNKNOWN").count());
    assertNoTagValue("ERROR_FROM_A_LATER_API");
  }

  @Test
  void aDroppedConnectionRetriedUntilItFails() {
    capmonster.emulator().nextRequests(3).closeConnection();
    try (CapReportClient client = client(THREE_QUICK_ATTEMPTS)) {
      TransportFailureException e =
          assertThrows(TransportFailureException.class, () -> client.reportImage(KNOWN));
      assertEquals(TransportFailureException.Kind.IO, e.kind());
    }
    assertEquals(1, timer(IMAGE, "failed", "IO").count());
    assertEquals(3.0, counter(MicrometerReportListener.ATTEMPTS, IMAGE).count());
    assertEquals(
        2.0,
        registry
            .get(MicrometerReportListener.RETRIES)
            .tags("endpoint", IMAGE, "error", "IO")
            .counter()
            .count());
    assertEquals(0.0, inFlight());
  }

  @Test
  void aTimeout() {
    capmonster.emulator().nextRequest().neverAnswer();
    try (CapReportClient client =
        builder()
            .retryPolicy(RetryPolicy.none())
            .requestTimeout(500, TimeUnit.MILLISECONDS)
            .build()) {
      TransportFailureException e =
          assertThrows(TransportFailureException.class, () -> client.reportImage(KNOWN));
      assertEquals(TransportFailureException.Kind.TIMEOUT, e.kind());
    }
    assertEquals(1, timer(IMAGE, "failed", "TIMEOUT").count());
    assertEquals(0.0, inFlight());
  }

  @Test
  void anAnswerThatIsNotTheApisIsTaggedByItsStatusClass() {
    capmonster.emulator().nextRequest().respond(404, "text/html", "<html>not here</html>");
    try (CapReportClient client = client(THREE_QUICK_ATTEMPTS)) {
      assertThrows(UnexpectedResponseException.class, () -> client.reportImage(KNOWN));
    }
    assertEquals(1, timer(IMAGE, "failed", "HTTP_4XX").count());
  }

  @Test
  void inFlightWhileAnAttemptIsHeldThenZeroWhenCancelled() throws Exception {
    capmonster.emulator().nextRequest().neverAnswer();
    try (CapReportClient client = client(THREE_QUICK_ATTEMPTS)) {
      CompletableFuture<ReportResult> future =
          client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, KNOWN);
      assertTrue(capmonster.emulator().awaitRequests(1, 10, TimeUnit.SECONDS));
      assertEquals(1.0, inFlight());
      future.cancel(true);
      awaitTimer(IMAGE, "cancelled", "CANCELLED");
    }
    assertEquals(0.0, inFlight());
    assertEquals(1, timer(IMAGE, "cancelled", "CANCELLED").count());
  }

  @Test
  void manyTaskIdsMakeNoNewMeters() throws Exception {
    capmonster.emulator().acceptAnyTaskId(true);
    List<ReportTask> tasks = new ArrayList<>();
    for (long id = 1_000; id < 1_000 + 300; id++) {
      tasks.add(
          ReportTask.of(
              id % 2 == 0 ? ReportEndpoint.IMAGE_CAPTCHA : ReportEndpoint.TOKEN_CAPTCHA, id));
    }
    try (CapReportClient client = client(THREE_QUICK_ATTEMPTS)) {
      client.reportImage(7);
      client.reportToken(8);
      Set<String> before = meterIds();
      List<ReportOutcome> outcomes = client.reportAll(tasks, 8).await(60, TimeUnit.SECONDS);
      for (ReportOutcome outcome : outcomes) {
        assertEquals(ReportOutcome.Status.ACCEPTED, outcome.status(), outcome.toString());
      }
      assertEquals(before, meterIds(), "300 task ids, the same meters");
    }
    assertEquals(
        302,
        timer(IMAGE, "accepted", "none").count()
            + timer("reportIncorrectTokenCaptcha", "accepted", "none").count());
    for (Meter meter : registry.getMeters()) {
      for (Tag tag : meter.getId().getTags()) {
        assertFalse(tag.getValue().matches(".*\\d{3,}.*"), "no task id in " + meter.getId());
      }
    }
    assertEquals(0.0, inFlight());
    assertNoKeyInTheRegistry();
  }

  @Test
  void bulkProgressCountsEveryTaskAndThePendingOnesReturnToZero() throws Exception {
    capmonster
        .emulator()
        .nextRequest()
        .respondJson(200, "{\"errorId\":1,\"errorCode\":\"ERROR_NO_SUCH_CAPCHA_ID\"}");
    List<ReportTask> tasks = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      tasks.add(ReportTask.of(ReportEndpoint.IMAGE_CAPTCHA, KNOWN));
    }
    try (CapReportClient client = client(RetryPolicy.none())) {
      BulkReport bulk = client.reportAll(tasks, 1, metrics.bulkProgress());
      bulk.await(60, TimeUnit.SECONDS);
    }
    assertEquals(19.0, bulk("accepted"));
    assertEquals(1.0, bulk("refused"));
    assertEquals(0.0, bulkPending());
  }

  @Test
  void aCancelledBulkReportCountsTheTasksThatNeverStarted() throws Exception {
    capmonster.emulator().nextRequest().neverAnswer();
    List<ReportTask> tasks = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      tasks.add(ReportTask.of(ReportEndpoint.IMAGE_CAPTCHA, KNOWN));
    }
    try (CapReportClient client = client(RetryPolicy.none())) {
      BulkReport bulk = client.reportAll(tasks, 1, metrics.bulkProgress());
      assertTrue(capmonster.emulator().awaitRequests(1, 10, TimeUnit.SECONDS));
      bulk.cancel();
      assertEquals(9.0, bulk("cancelled"), "the nine never started");
      assertEquals(1.0, bulkPending(), "the one in flight");
      capmonster.emulator().reset(); // drops the held request
      List<ReportOutcome> outcomes = bulk.await(60, TimeUnit.SECONDS);
      assertEquals(10, outcomes.size());
    }
    assertEquals(10.0, bulk("cancelled") + bulk("failed"));
    assertEquals(0.0, bulkPending());
    assertEquals(0.0, inFlight());
  }

  @Test
  void aBulkProgressListenerServesOneBulkReportAfterAnother() throws Exception {
    ReportOutcome accepted = acceptedOutcome();
    BulkProgressListener progress = metrics.bulkProgress();
    for (int round = 0; round < 2; round++) {
      progress.onOutcome(accepted, 1, 3);
      assertEquals(2.0, bulkPending());
      progress.onOutcome(accepted, 2, 3);
      progress.onOutcome(accepted, 3, 3);
      assertEquals(0.0, bulkPending());
    }
    assertEquals(6.0, bulk("accepted"));
  }

  @Test
  void commonTagsAndTheClientNameAreOnEveryMeter() {
    MicrometerReportListener tagged =
        MicrometerReportListener.builder(registry)
            .clientName("backoffice")
            .tags("app", "shop")
            .tags(Tags.of("region", "eu"))
            .build();
    assertEquals("backoffice", tagged.clientName());
    try (CapReportClient client = builder().listener(tagged).build()) {
      client.reportImage(KNOWN);
      client
          .reportAll(
              Arrays.asList(ReportTask.of(ReportEndpoint.IMAGE_CAPTCHA, KNOWN)),
              1,
              tagged.bulkProgress())
          .await(60, TimeUnit.SECONDS);
    } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
      fail(e);
    }
    int seen = 0;
    for (Meter meter : registry.getMeters()) {
      if ("backoffice".equals(meter.getId().getTag("client"))) {
        seen++;
        assertEquals("shop", meter.getId().getTag("app"), meter.getId().toString());
        assertEquals("eu", meter.getId().getTag("region"), meter.getId().toString());
      }
    }
    assertEquals(5, seen, registry.getMetersAsString()); // timer, attempts, in flight, bulk x2
    assertEquals(
        MicrometerReportListener.DEFAULT_CLIENT_NAME,
        MicrometerReportListener.create(new SimpleMeterRegistry()).clientName());
  }

  @Test
  void theBuilderRefusesTheListenersOwnTagKeys() {
    for (String own : new String[] {"client", "endpoint", "outcome", "error", "status"}) {
      assertThrows(
          IllegalArgumentException.class,
          () -> MicrometerReportListener.builder(registry).tags(own, "x"),
          own);
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> MicrometerReportListener.builder(registry).clientName(" "));
    assertThrows(NullPointerException.class, () -> MicrometerReportListener.builder(null));
  }

  @Test
  void aFailingRegistryNeverReachesTheClient() throws Exception {
    ReportOutcome accepted = acceptedOutcome();
    MeterRegistry failing = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
    AtomicBoolean broken = new AtomicBoolean();
    failing
        .config()
        .meterFilter(
            new MeterFilter() {
              @Override
              public Meter.Id map(Meter.Id id) {
                if (broken.get()) {
                  throw new IllegalStateException("a broken registry");
                }
                return id;
              }
            });
    MicrometerReportListener listener = MicrometerReportListener.create(failing);
    BulkProgressListener progress = listener.bulkProgress();
    broken.set(true);
    ReportEndpoint image = ReportEndpoint.IMAGE_CAPTCHA;
    assertDoesNotThrow(() -> listener.attemptStarted(image, 1, 1));
    assertDoesNotThrow(
        () ->
            listener.retryScheduled(
                image, 1, 1, 10, new UnexpectedResponseException("m", image, 1, 503, "")));
    assertDoesNotThrow(
        () -> listener.reportFinished(image, 1, 2, new ReportResult(image, 1, 200, 2), null));
    assertDoesNotThrow(() -> progress.onOutcome(accepted, 1, 1));
    try (CapReportClient client = builder().listener(listener).build()) {
      assertEquals(1, client.reportImage(KNOWN).attempts());
    }
  }

  @Test
  void theKeyIsInNoMeterAfterServersEchoIt() {
    // Queued in the order they are used: only the 503 is retried.
    capmonster.emulator().nextRequest().echoClientKey();
    capmonster
        .emulator()
        .nextRequest()
        .respondJson(200, "{\"errorId\":9,\"errorCode\":\"ERROR_" + KEY + "\"}");
    capmonster.emulator().nextRequests(3).respond(503, "text/html", "<html>" + KEY + "</html>");
    capmonster
        .emulator()
        .nextRequest()
        .respondJson(200, "{\"errorId\":0,\"status\":\"" + KEY + "\"}");
    try (CapReportClient client = client(THREE_QUICK_ATTEMPTS)) {
      for (int i = 0; i < 4; i++) {
        assertThrows(CapReportException.class, () -> client.reportImage(KNOWN));
      }
    }
    assertEquals(1, timer(IMAGE, "refused", "ERROR_KEY_DOES_NOT_EXIST").count());
    assertEquals(1, timer(IMAGE, "refused", "UNKNOWN").count());
    assertEquals(1, timer(IMAGE, "failed", "HTTP_5XX").count());
    assertEquals(1, timer(IMAGE, "failed", "HTTP_2XX").count());
    assertNoKeyInTheRegistry();
  }

  // ---- helpers ----

  private CapReportClient client(RetryPolicy policy) {
    return builder().retryPolicy(policy).build();
  }

  /** Each attempt moves the mock clock on by one second after the listener heard it start. */
  private CapReportClient.Builder builder() {
    ReportListener ticking =
        new ReportListener() {
          @Override
          public void attemptStarted(ReportEndpoint endpoint, long taskId, int attempt) {
            metrics.attemptStarted(endpoint, taskId, attempt);
            clock.add(1, TimeUnit.SECONDS);
          }

          @Override
          public void retryScheduled(
              ReportEndpoint endpoint,
              long taskId,
              int failedAttempt,
              long delayMillis,
              CapReportException failure) {
            metrics.retryScheduled(endpoint, taskId, failedAttempt, delayMillis, failure);
          }

          @Override
          public void reportFinished(
              ReportEndpoint endpoint,
              long taskId,
              int attempts,
              ReportResult result,
              CapReportException failure) {
            metrics.reportFinished(endpoint, taskId, attempts, result, failure);
          }
        };
    return CapReportClient.builder()
        .clientKey(KEY)
        .baseUrl(capmonster.baseUrl())
        .transportProvider(new JdkTransportProvider())
        .listener(ticking);
  }

  private Timer timer(String endpoint, String outcome, String error) {
    Timer timer =
        registry
            .find(MicrometerReportListener.REPORTS)
            .tags("client", "shop", "endpoint", endpoint, "outcome", outcome, "error", error)
            .timer();
    assertNotNull(
        timer,
        "no timer "
            + endpoint
            + "/"
            + outcome
            + "/"
            + error
            + " in\n"
            + registry.getMetersAsString());
    return timer;
  }

  private void awaitTimer(String endpoint, String outcome, String error)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (registry
            .find(MicrometerReportListener.REPORTS)
            .tags("endpoint", endpoint, "outcome", outcome, "error", error)
            .timer()
        == null) {
      if (System.nanoTime() - deadline > 0) {
        fail("no timer " + outcome + "/" + error + " in\n" + registry.getMetersAsString());
      }
      Thread.sleep(5);
    }
  }

  private Counter counter(String name, String endpoint) {
    return registry.get(name).tags("client", "shop", "endpoint", endpoint).counter();
  }

  private double inFlight() {
    Gauge gauge = registry.get(MicrometerReportListener.IN_FLIGHT).tags("client", "shop").gauge();
    return gauge.value();
  }

  private double bulkPending() {
    return registry
        .get(MicrometerReportListener.BULK_PENDING)
        .tags("client", "shop")
        .gauge()
        .value();
  }

  private double bulk(String status) {
    Counter counter =
        registry
            .find(MicrometerReportListener.BULK_TASKS)
            .tags("client", "shop", "status", status)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  private Set<String> meterIds() {
    Set<String> ids = new TreeSet<>();
    for (Meter meter : registry.getMeters()) {
      ids.add(meter.getId().toString());
    }
    return ids;
  }

  private void assertNoTagValue(String value) {
    for (Meter meter : registry.getMeters()) {
      for (Tag tag : meter.getId().getTags()) {
        assertFalse(tag.getValue().contains(value), meter.getId().toString());
      }
    }
  }

  /** Names, tags, descriptions, units and the registry's whole printout. */
  private void assertNoKeyInTheRegistry() {
    Set<String> seen = new HashSet<>();
    for (Meter meter : registry.getMeters()) {
      Meter.Id id = meter.getId();
      seen.add(id.getName());
      seen.add(String.valueOf(id.getDescription()));
      seen.add(String.valueOf(id.getBaseUnit()));
      for (Tag tag : id.getTags()) {
        seen.add(tag.getKey());
        seen.add(tag.getValue());
      }
    }
    seen.add(registry.getMetersAsString());
    for (String text : seen) {
      if (text.contains(KEY)) {
        fail("the client key is in the registry"); // not the text: it would print the key
      }
    }
  }

  /** An accepted bulk task's outcome: ReportOutcome has no public factory, so from a bulk. */
  private static ReportOutcome acceptedOutcome() throws Exception {
    try (CapReportClient plain =
        CapReportClient.builder()
            .clientKey(KEY)
            .baseUrl(capmonster.baseUrl())
            .transportProvider(new JdkTransportProvider())
            .build()) {
      ReportOutcome outcome =
          plain
              .reportAll(Arrays.asList(ReportTask.of(ReportEndpoint.IMAGE_CAPTCHA, KNOWN)), 1)
              .await(60, TimeUnit.SECONDS)
              .get(0);
      assertEquals(ReportOutcome.Status.ACCEPTED, outcome.status());
      return outcome;
    }
  }
}
