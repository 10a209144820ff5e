package io.github.capreport.kotlin

import io.github.capreport.ApiErrorCode
import io.github.capreport.CapReportClient
import io.github.capreport.CaptchaKind
import io.github.capreport.ReportOutcome
import io.github.capreport.ReportRefusedException
import io.github.capreport.ReportTask
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
    // The first request to arrive is held without an answer: its task, the first or the second
    // given, ends only after every other task, when the emulator lets it go.
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
    val held = recorded.first().taskId()
    assertTrue(held == 1L || held == 2L, "the held task was given first or second")
    // In task order it would have come first or second; it came last, when it ended.
    assertEquals(held, seen.last().task().taskId())
    assertEquals(ReportOutcome.Status.FAILED, seen.last().status())
    assertTrue(seen.dropLast(1).all { it.status() == ReportOutcome.Status.ACCEPTED })
  }

  @Test
  fun eachOutcomeIsTheOneJavasBulkReportGivesItsTask() = runTest {
    val client = client()
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
      val client = client()
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
      assertTrue(outcomes.all { it.status() == ReportOutcome.Status.ACCEPTED })
      assertEquals(tasks.size, capmonster.emulator().requestCount())
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
    emulator.nextRequests(2).neverAnswer()
    val client = client(requestTimeoutMillis = 60_000)
    val tasks = images(1L..50L)
    val closer =
      launch(Dispatchers.IO) {
        if (emulator.awaitRequests(2, 20, TimeUnit.SECONDS)) {
          client.close()
        }
      }
    val outcomes = client.reportAllFlow(tasks, 2).toList()
    closer.join()

    assertEquals(tasks.toSet(), outcomes.map { it.task() }.toSet())
    assertEquals(tasks.size, outcomes.size)
    assertTrue(outcomes.all { it.status() == ReportOutcome.Status.CANCELLED })
    assertEquals(2, outcomes.count { it.attempts() == 1 }, "the two in flight")
    outcomes.filter { it.attempts() == 0 }.forEach { assertNull(it.failure()) }
    assertEquals(2, emulator.requestCount())
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
   * The emulator answers the first three requests and holds every later one; the reports time out
   * after 3 s and, with retries allowed, would be sent again unless the bulk report was cancelled.
   * At concurrency 2, the first five tasks are sent, three end and two are held.
   */
  private fun holdAfterThreeAnswers(): CapReportClient {
    val emulator = capmonster.emulator()
    emulator.nextRequests(3).delay(0, TimeUnit.MILLISECONDS)
    emulator.nextRequests(195).neverAnswer()
    return client(retryPolicy = FAST, requestTimeoutMillis = 3_000)
  }

  /** After the cancel: the two held reports end by their timeout and nothing more is sent. */
  private suspend fun assertNoRequestAfterTheFifth() {
    val emulator = capmonster.emulator()
    assertTrue(realTime { events.awaitFinished(5) }, "the two held reports ended")
    realTime { Thread.sleep(500) } // far longer than the policy's 1 to 5 ms between attempts
    assertEquals(5, emulator.requestCount(), "requests")
    assertEquals(5, events.started.get(), "attempts started")
    assertEquals(0, events.retries.get(), "retries scheduled")
    val timedOut = events.finished.mapNotNull { it.failure as? TransportFailureException }
    assertEquals(2, timedOut.size)
    timedOut.forEach { assertEquals(TransportFailureException.Kind.TIMEOUT, it.kind()) }
  }

  private fun images(ids: LongRange): List<ReportTask> =
    ids.map { ReportTask.of(CaptchaKind.IMAGE, it) }

  private fun client(
    retryPolicy: RetryPolicy = RetryPolicy.none(),
    requestTimeoutMillis: Long = 10_000,
  ): CapReportClient =
    CapReportClient.builder()
      .clientKey(KEY)
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
