package io.github.capreport.kotlin

import io.github.capreport.AccountGuard
import io.github.capreport.AccountOnHoldException
import io.github.capreport.ApiErrorCode
import io.github.capreport.CapReportClient
import io.github.capreport.CaptchaKind
import io.github.capreport.ReportOutcome
import io.github.capreport.ReportRefusedException
import io.github.capreport.ReportTask
import io.github.capreport.ReportedTasks
import io.github.capreport.RetryPolicy
import io.github.capreport.TransportFailureException
import io.github.capreport.testkit.CapMonsterEmulator
import io.github.capreport.testkit.CapMonsterEmulatorExtension
import io.github.capreport.testkit.RecordedRequest
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.minutes
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.flow.collect
import kotlinx.coroutines.flow.onEach
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.test.runTest
import kotlinx.coroutines.withContext
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.extension.RegisterExtension

/** Bulk reports as a Flow against the emulator over loopback HTTP. */
class ReportFlowTest {
  private val events = Events()
  private val clients = mutableListOf<CapReportClient>()

  @AfterEach
  fun closeClients() {
    clients.forEach { it.close() }
  }

  @Test
  fun emitsEveryOutcomeOnceInCompletionOrder() = runTest {
    val emulator = capmonster.emulator()
    // The guard's slow start sends task 1 alone and the rest at full concurrency once it is
    // accepted. The second request to arrive is held without an answer: its task, the second or
    // the third given, ends only after every other task, when the emulator lets it go.
    emulator.nextRequest().delay(0, TimeUnit.MILLISECONDS)
    emulator.nextRequest().neverAnswer()
    val client = client(requestTimeoutMillis = 60_000)
    val tasks = images(1L..200L)
    val seen = CopyOnWriteArrayList<ReportOutcome>()
    var recorded = emptyList<RecordedRequest>()
    val releaser =
      launch(Dispatchers.IO) {
        awaitTrue(60) { seen.size >= tasks.size - 1 }
        recorded = emulator.reports()
        emulator.reset() // drops the held request's connection
      }

    client.reportAllFlow(tasks, 2).collect { seen.add(it) }
    releaser.join()

    assertEquals(tasks.size, seen.size)
    assertEquals(tasks.toSet(), seen.map { it.task() }.toSet(), "each task's outcome, once")
    assertEquals(tasks.size, recorded.size, "requests")
    assertEquals(tasks.map { it.taskId() }.toSet(), recorded.map { it.taskId() }.toSet())
    assertEquals(1L, recorded[0].taskId(), "slow start: the first task alone")
    val held = recorded[1].taskId()
    assertTrue(held == 2L || held == 3L, "the held task was given second or third")
    // In task order it would have come second or third; it came last, when it ended.
    assertEquals(held, seen.last().task().taskId())
    assertEquals(ReportOutcome.Status.FAILED, seen.last().status())
    assertTrue(seen.dropLast(1).all { it.status() == ReportOutcome.Status.ACCEPTED })
  }

  @Test
  fun eachOutcomeIsTheOneJavasBulkReportGivesItsTask() = runTest {
    // Both runs send every task: the guard's memory of accepted tasks is off, or the second run
    // would end them ALREADY_REPORTED without I/O (aTaskAcceptedBeforeIsAlreadyReported).
    val client = client(guard = AccountGuard.builder().reportedTasks(ReportedTasks.NONE).build())
    val tasks =
      (1L..200L).map {
        if (it % 4 == 0L) ReportTask.of(CaptchaKind.RECAPTCHA_V2, UNKNOWN + it)
        else ReportTask.of(CaptchaKind.IMAGE, it)
      }

    val flowed = client.reportAllFlow(tasks, 8).toList()
    val java = withContext(Dispatchers.IO) { client.reportAll(tasks, 8).await() }

    assertEquals(tasks.size, flowed.size)
    val byTask = flowed.associateBy { it.task() }
    assertEquals(tasks.size, byTask.size, "one outcome per task")
    for ((task, javaOutcome) in tasks.zip(java)) {
      val outcome = byTask.getValue(task)
      assertEquals(javaOutcome.status(), outcome.status(), task.toString())
      assertEquals(javaOutcome.attempts(), outcome.attempts(), task.toString())
      assertEquals(javaOutcome.failure()?.javaClass, outcome.failure()?.javaClass)
    }
    val refused = flowed.filter { it.status() == ReportOutcome.Status.REFUSED }
    assertEquals(50, refused.size)
    refused.forEach {
      val failure = it.failure() as ReportRefusedException
      assertEquals(ApiErrorCode.ERROR_NO_SUCH_CAPCHA_ID, failure.errorCode())
    }
    for (task in tasks) {
      assertEquals(2, capmonster.emulator().count(task.taskId()), "one request per task and run")
    }
  }

  @Test
  fun aCollectorThatFallsBehindLosesNoOutcomeAndBlocksNoCapreportThread() =
    runTest(timeout = 5.minutes) {
      // The first SENT tasks are sent, 64 at a time; the guard answers every later one as reported
      // before, without I/O, as fast as the client's workers can end them. Either way each outcome
      // comes from a capreport thread, through BulkReport's listener, and LARGE of them wait for
      // the collector, far more than a bounded buffer (a channel's default holds 64) would keep,
      // for the cost of SENT requests.
      val reportedBefore =
        object : ReportedTasks {
          override fun contains(taskId: Long) = taskId > SENT

          override fun add(taskId: Long) {}
        }
      val client = client(guard = AccountGuard.builder().reportedTasks(reportedBefore).build())
      val tasks = images(1L..LARGE.toLong())
      val outcomes = ArrayList<ReportOutcome>(tasks.size)
      client.reportAllFlow(tasks, 64).collect { outcome ->
        if (outcomes.isEmpty()) {
          // The collector stops after the first outcome until the client has ended every report:
          // all the others wait in the flow's buffer meanwhile, and no capreport thread waits on
          // it.
          assertTrue(realTime { events.awaitFinished(tasks.size, 300) }, "every report ended")
        }
        outcomes.add(outcome)
      }
      assertEquals(tasks.size, outcomes.size)
      assertEquals(tasks.toSet(), outcomes.map { it.task() }.toSet())
      val (sent, answeredByTheGuard) = outcomes.partition { it.task().taskId() <= SENT }
      assertTrue(sent.all { it.status() == ReportOutcome.Status.ACCEPTED })
      assertTrue(answeredByTheGuard.all { it.status() == ReportOutcome.Status.ALREADY_REPORTED })
      assertEquals(SENT, capmonster.emulator().requestCount())
    }

  @Test
  fun stoppingTheCollectionEarlyCancelsTheBulkReport() = runTest {
    val client = holdAfterThreeAnswers()
    var seen = 0
    val taken =
      client
        .reportAllFlow(images(1L..200L), 2)
        .onEach {
          // Before the third is taken, the two tasks after it are sent and held: the bulk
          // report is known to be mid-way when the collection stops.
          if (++seen == 3) {
            assertTrue(realTime { awaitTrue { capmonster.emulator().requestCount() == 5 } })
          }
        }
        .take(3)
        .toList()
    assertEquals(3, taken.size)
    assertNoRequestAfterTheFifth()
  }

  @Test
  fun cancellingTheCollectingCoroutineCancelsTheBulkReport() = runTest {
    val client = holdAfterThreeAnswers()
    val seen = AtomicInteger()
    val collector = launch {
      client.reportAllFlow(images(1L..200L), 2).collect { seen.incrementAndGet() }
    }
    assertTrue(
      realTime { awaitTrue { seen.get() == 3 && capmonster.emulator().requestCount() == 5 } },
      "three answered, two held",
    )
    collector.cancelAndJoin()
    assertEquals(3, seen.get())
    assertNoRequestAfterTheFifth()
  }

  @Test
  fun closingTheClientStillEndsEveryTaskWithOneOutcome() = runTest {
    val emulator = capmonster.emulator()
    // The first task is answered (the guard's slow start sends it alone), the next two are held.
    emulator.nextRequest().delay(0, TimeUnit.MILLISECONDS)
    emulator.nextRequests(2).neverAnswer()
    val client = client(requestTimeoutMillis = 60_000)
    val tasks = images(1L..50L)
    val closer =
      launch(Dispatchers.IO) {
        if (emulator.awaitRequests(3, 20, TimeUnit.SECONDS)) {
          client.close()
        }
      }
    val outcomes = client.reportAllFlow(tasks, 2).toList()
    closer.join()

    assertEquals(tasks.toSet(), outcomes.map { it.task() }.toSet())
    assertEquals(tasks.size, outcomes.size)
    assertEquals(ReportOutcome.Status.ACCEPTED, outcomes.first().status())
    assertEquals(1L, outcomes.first().task().taskId())
    val rest = outcomes.drop(1)
    assertTrue(rest.all { it.status() == ReportOutcome.Status.CANCELLED })
    assertEquals(2, rest.count { it.attempts() == 1 }, "the two in flight")
    rest.filter { it.attempts() == 0 }.forEach { assertNull(it.failure()) }
    assertEquals(3, emulator.requestCount())
  }

  @Test
  fun aTaskAcceptedBeforeIsAlreadyReported() = runTest {
    val client = client()
    client.reportImageAwait(1)
    val outcomes = client.reportAllFlow(images(1L..3L), 2).toList()
    assertEquals(3, outcomes.size)
    val first = outcomes.single { it.task().taskId() == 1L }
    assertEquals(ReportOutcome.Status.ALREADY_REPORTED, first.status())
    assertTrue(first.result()!!.alreadyReported())
    assertEquals(0, first.attempts())
    assertEquals(1, capmonster.emulator().count(1), "sent once")
    assertEquals(2, outcomes.count { it.status() == ReportOutcome.Status.ACCEPTED })
  }

  @Test
  fun aWrongKeyPutsTheRestOnHoldAndTheFlowStillEmitsOneOutcomePerTask() = runTest {
    val client = client(key = "a-typo")
    val tasks = images(1L..100L)
    val outcomes = client.reportAllFlow(tasks, 8).toList()
    assertEquals(tasks.toSet(), outcomes.map { it.task() }.toSet())
    val refused = outcomes.single { it.status() == ReportOutcome.Status.REFUSED }
    assertEquals(
      ApiErrorCode.ERROR_KEY_DOES_NOT_EXIST,
      (refused.failure() as ReportRefusedException).errorCode(),
    )
    val held = outcomes.filter { it.status() == ReportOutcome.Status.ON_HOLD }
    assertEquals(tasks.size - 1, held.size)
    held.forEach {
      val failure = it.failure() as AccountOnHoldException
      assertEquals(ApiErrorCode.ERROR_KEY_DOES_NOT_EXIST, failure.hold().errorCode())
      assertEquals(0, it.attempts())
    }
    assertEquals(1, capmonster.emulator().requestCount(), "the slow start sent one request")
  }

  @Test
  fun reportsNothingForNoTasksAndRefusesBadArgumentsAsJavaDoes() = runTest {
    val client = client()
    assertEquals(emptyList<ReportOutcome>(), client.reportAllFlow(emptyList(), 4).toList())
    val java = assertThrows<IllegalArgumentException> { client.reportAll(images(1L..1L), 0) }
    val kotlin = assertThrows<IllegalArgumentException> { client.reportAllFlow(images(1L..1L), 0) }
    assertEquals(java.message, kotlin.message)
    client.close()
    assertThrows<IllegalStateException> { client.reportAllFlow(images(1L..1L), 1).collect() }
    assertEquals(0, capmonster.emulator().requestCount())
  }

  /**
   * The emulator answers the first three requests and holds every later one until the test lets
   * them go; with retries allowed, a report it drops would be sent again unless the bulk report was
   * cancelled, and the deadline is far beyond the test: only the test ends the held reports. At
   * concurrency 2, the first five tasks are sent, three end and two are held.
   */
  private fun holdAfterThreeAnswers(): CapReportClient {
    val emulator = capmonster.emulator()
    emulator.nextRequests(3).delay(0, TimeUnit.MILLISECONDS)
    emulator.nextRequests(195).neverAnswer()
    return client(retryPolicy = FAST, requestTimeoutMillis = 60_000)
  }

  /**
   * After the cancel: the emulator drops the two held requests, each report fails with a retryable
   * failure, and nothing more is sent: no retry, no further task.
   */
  private suspend fun assertNoRequestAfterTheFifth() {
    val emulator = capmonster.emulator()
    assertEquals(5, emulator.requestCount(), "requests before the held ones were let go")
    emulator.reset() // drops the held requests' connections; it forgets the five it recorded
    assertTrue(realTime { events.awaitFinished(5) }, "the two held reports ended")
    realTime { Thread.sleep(500) } // far longer than the policy's 1 to 5 ms between attempts
    assertEquals(0, emulator.requestCount(), "requests after the held ones were let go")
    assertEquals(5, events.started.get(), "attempts started")
    assertEquals(0, events.retries.get(), "retries scheduled")
    val dropped = events.finished.mapNotNull { it.failure as? TransportFailureException }
    assertEquals(2, dropped.size)
    dropped.forEach {
      assertEquals(TransportFailureException.Kind.IO, it.kind())
      assertTrue(it.isRetryable, "a failure the policy would retry but for the cancel")
    }
  }

  private fun images(ids: LongRange): List<ReportTask> =
    ids.map { ReportTask.of(CaptchaKind.IMAGE, it) }

  private fun client(
    retryPolicy: RetryPolicy = RetryPolicy.none(),
    requestTimeoutMillis: Long = 10_000,
    key: String = KEY,
    guard: AccountGuard = AccountGuard.create(),
  ): CapReportClient =
    CapReportClient.builder()
      .clientKey(key)
      .accountGuard(guard)
      .baseUrl(capmonster.baseUrl())
      .transportId("jdk")
      .retryPolicy(retryPolicy)
      .listener(events)
      .requestTimeout(requestTimeoutMillis, TimeUnit.MILLISECONDS)
      .build()
      .also { clients += it }

  companion object {
    private const val KEY = "kotlin-flow-test-key"
    private const val UNKNOWN = 1_000_000L
    private const val LARGE = 10_000
    /** How many of LARGE tasks are sent, the guard answering the rest. */
    private const val SENT = 1_000

    /** Five attempts, a few milliseconds apart. */
    private val FAST: RetryPolicy =
      RetryPolicy.builder()
        .maxAttempts(5)
        .initialDelay(1, TimeUnit.MILLISECONDS)
        .maxDelay(5, TimeUnit.MILLISECONDS)
        .build()

    @JvmField
    @RegisterExtension
    val capmonster =
      CapMonsterEmulatorExtension(
        CapMonsterEmulator.builder().clientKey(KEY).taskIds(*LongArray(LARGE) { it + 1L })
      )
  }
}
