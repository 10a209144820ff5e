package io.github.capreport.testkit;

import static io.github.capreport.testkit.Http.KEY;
import static io.github.capreport.testkit.Http.post;
import static io.github.capreport.testkit.Http.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The emulator's vendor policy over real loopback HTTP, on a clock the tests move. */
@Timeout(30)
class VendorPolicyTest {
  private static final String IMAGE = "/reportIncorrectImageCaptcha";
  private static final String TOKEN = "/reportIncorrectTokenCaptcha";
  private static final String SUCCESS = "{\"errorId\":0,\"status\":\"success\"}";
  private static final String WRONG_KEY =
      "{\"errorId\":1,\"errorCode\":\"ERROR_KEY_DOES_NOT_EXIST\"}";
  private static final String NO_SUCH = "{\"errorId\":1,\"errorCode\":\"ERROR_NO_SUCH_CAPCHA_ID\"}";
  private static final String BLOCKED = "{\"errorId\":1,\"errorCode\":\"ERROR_IP_BLOCKED\"}";
  private static final String TOO_MUCH =
      "{\"errorId\":1,\"errorCode\":\"ERROR_TOO_MUCH_REQUESTS\"}";
  private static final Duration TEN_MINUTES = Duration.ofMinutes(10);

  private final ManualClock clock = new ManualClock();
  private CapMonsterEmulator emulator;

  @AfterEach
  void close() {
    if (emulator != null) {
      emulator.close();
    }
  }

  private CapMonsterEmulator start(VendorPolicy policy) {
    emulator =
        CapMonsterEmulator.builder()
            .clientKey(KEY)
            .taskIds(1, 2, 3, 4, 5)
            .vendorPolicy(policy)
            .clock(clock)
            .start();
    return emulator;
  }

  private String send(String path, String key, long taskId) throws IOException {
    Http.Answer answer = post(emulator.baseUrl() + path, "application/json", report(key, taskId));
    assertEquals(200, answer.status(), answer.body());
    return answer.body();
  }

  private String send(String key, long taskId) throws IOException {
    return send(IMAGE, key, taskId);
  }

  private RecordedRequest last() {
    return emulator.lastRequest();
  }

  @Test
  void offByDefaultNothingTrips() throws IOException {
    emulator = CapMonsterEmulator.builder().clientKey(KEY).taskIds(1).clock(clock).start();
    assertNull(emulator.vendorPolicy());
    for (int i = 0; i < 30; i++) {
      assertEquals(WRONG_KEY, send("wrong", 1));
      assertEquals(NO_SUCH, send(KEY, 999));
    }
    clock.advance(Duration.ofHours(1));
    assertEquals(SUCCESS, send(KEY, 1));
    assertEquals(SUCCESS, send(TOKEN, KEY, 1));
    assertFalse(emulator.isBlocked());
    assertEquals(Optional.empty(), emulator.blockedUntil());
    assertEquals(0, emulator.blocksTripped());
    assertEquals(62, emulator.count(PolicyVerdict.NONE));
  }

  @Test
  void wrongKeysBlockOnTheNthNotBefore() throws IOException {
    start(VendorPolicy.builder().wrongKeyLimit(3, Duration.ofMinutes(1)).build());
    for (int i = 1; i <= 2; i++) {
      assertEquals(WRONG_KEY, send("wrong-" + i, 1));
      assertEquals(PolicyVerdict.WRONG_KEY, last().verdict());
      assertFalse(last().trippedBlock());
      assertFalse(emulator.isBlocked(), "after " + i + " wrong keys");
    }
    assertEquals(SUCCESS, send(KEY, 1), "a good key is still served after 2 wrong ones");

    assertEquals(WRONG_KEY, send("wrong-3", 1), "the request that trips is answered as usual");
    assertTrue(last().trippedBlock());
    assertTrue(emulator.isBlocked());
    assertEquals(Optional.of(clock.instant().plus(TEN_MINUTES)), emulator.blockedUntil());
    assertEquals(1, emulator.blocksTripped());

    assertEquals(BLOCKED, send(KEY, 2), "every key is blocked");
    assertEquals(PolicyVerdict.IP_BLOCKED, last().verdict());
    assertEquals(BLOCKED, send(TOKEN, "wrong-4", 2));
    assertEquals(1, emulator.blocksTripped(), "requests while blocked trip no new block");
    assertEquals(3, emulator.count(PolicyVerdict.WRONG_KEY));
    assertEquals(2, emulator.count(PolicyVerdict.IP_BLOCKED));
  }

  @Test
  void theBlockLastsIsExtendedByRequestsAndLifts() throws IOException {
    start(VendorPolicy.builder().wrongKeyLimit(2, Duration.ofMinutes(1)).build());
    send("wrong", 1);
    send("wrong", 1);
    Instant trippedAt = clock.instant();
    assertEquals(Optional.of(trippedAt.plus(TEN_MINUTES)), emulator.blockedUntil());

    clock.advance(Duration.ofMinutes(9));
    assertTrue(emulator.isBlocked(), "9 minutes in");
    assertEquals(BLOCKED, send(KEY, 1));
    Instant extended = clock.instant().plus(TEN_MINUTES);
    assertEquals(Optional.of(extended), emulator.blockedUntil(), "10 minutes from that request");

    clock.advance(TEN_MINUTES.minusMillis(1));
    assertTrue(emulator.isBlocked(), "a query does not extend the block, and it is not over");
    assertEquals(Optional.of(extended), emulator.blockedUntil());
    clock.advance(1, TimeUnit.MILLISECONDS);
    assertFalse(emulator.isBlocked());
    assertEquals(Optional.empty(), emulator.blockedUntil());

    assertEquals(SUCCESS, send(KEY, 1));
    assertEquals(PolicyVerdict.NONE, last().verdict());
    assertEquals(WRONG_KEY, send("wrong", 1));
    assertFalse(emulator.isBlocked(), "the counts start again after a block");
    assertEquals(1, emulator.blocksTripped());
  }

  @Test
  void wrongKeysOutsideTheWindowDoNotAddUp() throws IOException {
    start(VendorPolicy.builder().wrongKeyLimit(3, Duration.ofMinutes(1)).build());
    send("wrong", 1);
    send("wrong", 1);
    clock.advance(Duration.ofMinutes(1));
    send("wrong", 1);
    send("wrong", 1);
    assertFalse(emulator.isBlocked(), "the first two fell out of the window");
    send("wrong", 1);
    assertTrue(emulator.isBlocked(), "three within one minute");
  }

  @Test
  void aSecondReportOfATaskIsRefused() throws IOException {
    start(VendorPolicy.builder().oneReportPerTask(true).build());
    assertEquals(SUCCESS, send(KEY, 1));
    assertEquals(PolicyVerdict.NONE, last().verdict());
    assertEquals(NO_SUCH, send(TOKEN, KEY, 1), "on any endpoint");
    assertEquals(PolicyVerdict.ALREADY_REPORTED, last().verdict());
    assertEquals(SUCCESS, send(KEY, 2));

    emulator.addTaskIds(1);
    assertEquals(SUCCESS, send(KEY, 1), "added again, it is a new task");
    assertEquals(NO_SUCH, send(KEY, 1));
    assertEquals(2, emulator.count(PolicyVerdict.ALREADY_REPORTED));
    assertEquals(0, emulator.blocksTripped(), "no wrong-task-id limit in this policy");
  }

  @Test
  void aTaskExpiresItsLifetimeAfterTheEmulatorLearntIt() throws IOException {
    start(VendorPolicy.builder().taskLifetime(Duration.ofMinutes(5)).build());
    clock.advance(Duration.ofMinutes(5).minusMillis(1));
    assertEquals(SUCCESS, send(KEY, 1));
    assertEquals(SUCCESS, send(KEY, 1), "reports are not limited to one in this policy");
    emulator.addTaskIds(6);
    emulator.acceptAnyTaskId(true);

    clock.advance(1, TimeUnit.MILLISECONDS);
    assertEquals(NO_SUCH, send(KEY, 2));
    assertEquals(PolicyVerdict.TASK_EXPIRED, last().verdict());
    assertEquals(SUCCESS, send(KEY, 6), "added later, it lives 5 minutes from then");
    assertEquals(SUCCESS, send(KEY, 100), "any id: learnt when acceptAnyTaskId turned true");
    assertEquals(NO_SUCH, send(KEY, 0), "not a task id");
    assertEquals(PolicyVerdict.WRONG_TASK_ID, last().verdict());

    clock.advance(Duration.ofMinutes(5));
    assertEquals(NO_SUCH, send(KEY, 6));
    assertEquals(PolicyVerdict.TASK_EXPIRED, last().verdict());
    assertEquals(NO_SUCH, send(KEY, 100));
    assertEquals(PolicyVerdict.TASK_EXPIRED, last().verdict());
  }

  @Test
  void wrongTaskIdsOfEveryKindCountTowardABlock() throws IOException {
    start(
        VendorPolicy.builder()
            .wrongTaskIdLimit(3, Duration.ofMinutes(10))
            .taskLifetime(Duration.ofMinutes(5))
            .oneReportPerTask(true)
            .build());
    assertEquals(SUCCESS, send(KEY, 1));
    send(KEY, 1);
    assertEquals(PolicyVerdict.ALREADY_REPORTED, last().verdict());
    send(KEY, 999);
    assertEquals(PolicyVerdict.WRONG_TASK_ID, last().verdict());
    assertEquals(WRONG_KEY, send("wrong", 998), "a wrong key is not a wrong task id");
    assertFalse(emulator.isBlocked());

    clock.advance(Duration.ofMinutes(5));
    assertEquals(NO_SUCH, send(KEY, 2));
    assertEquals(PolicyVerdict.TASK_EXPIRED, last().verdict());
    assertTrue(last().trippedBlock());
    assertTrue(emulator.isBlocked());
    assertEquals(BLOCKED, send(KEY, 3));
  }

  @Test
  void aRateOverTheLimitIsRefusedAndCountsForNothing() throws IOException {
    start(
        VendorPolicy.builder()
            .rateLimit(3, Duration.ofSeconds(1))
            .wrongKeyLimit(2, Duration.ofMinutes(1))
            .build());
    for (int i = 0; i < 3; i++) {
      assertEquals(SUCCESS, send(KEY, 1), "request " + i + " in one instant");
    }
    for (int i = 0; i < 5; i++) {
      assertEquals(TOO_MUCH, send("wrong", 1));
      assertEquals(PolicyVerdict.RATE_LIMITED, last().verdict());
    }
    assertFalse(emulator.isBlocked(), "refused for the rate, the wrong keys were not counted");

    clock.advance(Duration.ofMillis(999));
    assertEquals(TOO_MUCH, send(KEY, 1), "the window is a full second");
    clock.advance(1, TimeUnit.MILLISECONDS);
    for (int i = 0; i < 3; i++) {
      assertEquals(SUCCESS, send(KEY, 1), "a second later, request " + i);
    }
    assertEquals(TOO_MUCH, send(KEY, 1));
    assertEquals(7, emulator.count(PolicyVerdict.RATE_LIMITED));
    assertEquals(6, emulator.count(PolicyVerdict.NONE));
  }

  @Test
  void onlyReportsMeetTheRulesAndNotTheMisbehavedOnes() throws IOException {
    start(VendorPolicy.builder().wrongKeyLimit(2, Duration.ofMinutes(1)).build());
    for (int i = 0; i < 3; i++) {
      Http.Answer answer =
          post(emulator.baseUrl() + IMAGE, "application/json", "{\"taskId\":1}"); // no key
      assertEquals(400, answer.status());
      assertEquals(PolicyVerdict.NONE, last().verdict());
    }
    assertEquals(405, Http.get(emulator.baseUrl() + IMAGE).status());
    emulator.nextRequests(3).respondJson(200, WRONG_KEY);
    for (int i = 0; i < 3; i++) {
      assertEquals(WRONG_KEY, send("wrong", 1));
      assertEquals(PolicyVerdict.NONE, last().verdict(), "never reached the vendor");
    }
    assertFalse(emulator.isBlocked());

    send("wrong", 1);
    send("wrong", 1);
    assertTrue(emulator.isBlocked());
    Http.Answer blocked = post(emulator.baseUrl() + IMAGE, "text/plain", "not json");
    assertEquals(BLOCKED, blocked.body(), "the block comes before the body is read");
    assertEquals(404, post(emulator.baseUrl() + "/createTask", "application/json", "{}").status());
  }

  @Test
  void oneRequestTripsTheBlockAmongConcurrentOnes() throws Exception {
    start(VendorPolicy.capMonster());
    ExecutorService pool = Executors.newFixedThreadPool(32);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<String>> answers = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        answers.add(
            pool.submit(
                () -> {
                  go.await();
                  return send("wrong", 1);
                }));
      }
      go.countDown();
      for (Future<String> answer : answers) {
        answer.get(20, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, emulator.blocksTripped());
    assertEquals(5, emulator.count(PolicyVerdict.WRONG_KEY));
    assertEquals(27, emulator.count(PolicyVerdict.IP_BLOCKED));
    assertEquals(1, emulator.reports().stream().filter(RecordedRequest::trippedBlock).count());
  }

  @Test
  void resetStartsThePolicyAfresh() throws IOException {
    start(VendorPolicy.capMonster());
    assertEquals(SUCCESS, send(KEY, 1));
    for (int i = 0; i < 5; i++) {
      send("wrong", 1);
    }
    assertTrue(emulator.isBlocked());
    clock.advance(Duration.ofMinutes(4));

    emulator.reset();
    assertFalse(emulator.isBlocked());
    assertEquals(0, emulator.blocksTripped());
    assertEquals(SUCCESS, send(KEY, 1), "no task reported yet");
    clock.advance(Duration.ofMinutes(4));
    assertEquals(SUCCESS, send(KEY, 2), "tasks learnt anew at the reset");
  }

  @Test
  void recordsTheVerdictWithoutShowingTheKey() throws IOException {
    start(VendorPolicy.capMonster());
    send(KEY, 1);
    send(KEY, 1);
    String described = last().toString();
    assertTrue(described.contains("verdict=ALREADY_REPORTED"), described);
    assertFalse(described.contains(KEY), described);
    for (int i = 0; i < 5; i++) {
      send(KEY + "-typo", 1);
    }
    described = last().toString();
    assertTrue(described.contains("tripped a block"), described);
    assertFalse(described.contains(KEY), described);
    assertTrue(emulator.toString().contains("VendorPolicy{"), emulator.toString());
    assertFalse(emulator.toString().contains(KEY));
  }

  @Test
  void capMonsterHasTheDocumentedNumbers() {
    VendorPolicy policy = VendorPolicy.capMonster();
    assertEquals(Duration.ofMinutes(10), policy.blockDuration());
    assertEquals(Duration.ofMinutes(5), policy.taskLifetime());
    assertTrue(policy.oneReportPerTask());
    assertEquals(5, policy.wrongKeyLimit());
    assertEquals(Duration.ofMinutes(1), policy.wrongKeyWindow());
    assertEquals(10, policy.wrongTaskIdLimit());
    assertEquals(Duration.ofMinutes(1), policy.wrongTaskIdWindow());
    assertEquals(0, policy.rateLimit());
    assertEquals(
        "VendorPolicy{wrongKey=5 per PT1M, wrongTaskId=10 per PT1M, block=PT10M,"
            + " taskLifetime=PT5M, oneReportPerTask=true, rate=off}",
        policy.toString());

    assertEquals(policy, policy.toBuilder().build());
    assertEquals(policy.hashCode(), policy.toBuilder().build().hashCode());
    VendorPolicy limited = policy.toBuilder().rateLimit(10, Duration.ofSeconds(1)).build();
    assertNotEquals(policy, limited);
    assertEquals(10, limited.rateLimit());
    assertNull(policy.toBuilder().tasksNeverExpire().build().taskLifetime());

    VendorPolicy none = VendorPolicy.builder().build();
    assertEquals(0, none.wrongKeyLimit());
    assertEquals(0, none.wrongTaskIdLimit());
    assertNull(none.taskLifetime());
    assertFalse(none.oneReportPerTask());
    assertEquals(Duration.ofMinutes(10), none.blockDuration());
  }

  @Test
  void theBuilderRefusesWhatCannotBe() {
    VendorPolicy.Builder builder = VendorPolicy.builder();
    assertThrows(IllegalArgumentException.class, () -> builder.wrongKeyLimit(-1, TEN_MINUTES));
    assertThrows(IllegalArgumentException.class, () -> builder.rateLimit(1, Duration.ZERO));
    assertThrows(
        IllegalArgumentException.class, () -> builder.blockDuration(Duration.ofSeconds(-1)));
    assertThrows(NullPointerException.class, () -> builder.taskLifetime(null));
    assertThrows(NullPointerException.class, () -> CapMonsterEmulator.builder().clock(null));
  }

  @Test
  void theManualClockOnlyMovesWhenTold() {
    ManualClock manual = new ManualClock();
    assertEquals(ManualClock.DEFAULT_START, manual.instant());
    manual.advance(90, TimeUnit.SECONDS).advance(Duration.ofMillis(5));
    assertEquals(ManualClock.DEFAULT_START.plusMillis(90_005), manual.instant());
    java.time.Clock zoned = manual.withZone(java.time.ZoneId.of("Europe/Moscow"));
    manual.advance(Duration.ofMinutes(1));
    assertEquals(manual.instant(), zoned.instant(), "a zoned copy shares the time");
    assertNotEquals(manual, zoned);
    assertEquals(manual, manual.withZone(java.time.ZoneOffset.UTC));
    assertThrows(IllegalArgumentException.class, () -> manual.advance(Duration.ofMillis(-1)));
    assertThrows(IllegalArgumentException.class, () -> manual.advance(-1, TimeUnit.SECONDS));
    assertEquals(Instant.EPOCH, new ManualClock(Instant.EPOCH).instant());
  }

  @Nested
  class UnderTheExtension {
    @RegisterExtension
    final CapMonsterEmulatorExtension capmonster =
        new CapMonsterEmulatorExtension(
            CapMonsterEmulator.builder()
                .clientKey(KEY)
                .taskIds(1)
                .vendorPolicy(VendorPolicy.capMonster())
                .clock(clock));

    @Test
    void theEmulatorKeepsThePolicyAndTheTestsClock(CapMonsterEmulator started) throws IOException {
      emulator = null;
      assertEquals(VendorPolicy.capMonster(), started.vendorPolicy());
      assertEquals(clock, started.clock());
      clock.advance(Duration.ofMinutes(5));
      Http.Answer answer = post(started.baseUrl() + IMAGE, "application/json", report(KEY, 1));
      assertEquals(NO_SUCH, answer.body());
      assertEquals(PolicyVerdict.TASK_EXPIRED, started.lastRequest().verdict());
    }
  }
}
