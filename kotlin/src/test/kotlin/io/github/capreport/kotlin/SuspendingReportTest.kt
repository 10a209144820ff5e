package io.github.capreport.kotlin

import io.github.capreport.AccountGuard
import io.github.capreport.AccountOnHoldException
import io.github.capreport.ApiErrorCode
import io.github.capreport.CapReportClient
import io.github.capreport.CapReportException
import io.github.capreport.CaptchaKind
import io.github.capreport.ReportEndpoint
import io.github.capreport.ReportRefusedException
import io.github.capreport.ReportedTasks
import io.github.capreport.RetryPolicy
import io.github.capreport.TransportFailureException
import io.github.capreport.UnexpectedResponseException
import io.github.capreport.testkit.CapMonsterEmulator
import io.github.capreport.testkit.CapMonsterEmulatorExtension
import java.net.InetAddress
import java.net.ServerSocket
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.job
import kotlinx.coroutines.launch
import kotlinx.coroutines.test.runTest
import kotlinx.coroutines.withContext
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertSame
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.extension.RegisterExtension

/**
 * The suspending forms against the emulator over loopback HTTP, each compared with what the Java
 * API gives for the same exchange.
 */
class SuspendingReportTest {
  private val events = Events()
  private val clients = mutableListOf<CapReportClient>()

  @AfterEach
  fun closeClients() {
    clients.forEach { it.close() }
  }

  @Test
  fun eachFormReportsAtItsEndpointAndReturnsWhatJavaReturns() = runTest {
    // Reports every task twice, once from each API: without the guard's memory of accepted tasks,
    // which would answer the second without I/O (see theGuardsAnswersAreTheJavaApisToo).
    val client = client(guard = AccountGuard.builder().reportedTasks(ReportedTasks.NONE).build())
    val emulator = capmonster.emulator()

    val endpoints =
      listOf(
        ReportEndpoint.IMAGE_CAPTCHA,
        ReportEndpoint.TOKEN_CAPTCHA,
        ReportEndpoint.TOKEN_CAPTCHA,
        ReportEndpoint.IMAGE_CAPTCHA,
        ReportEndpoint.RECAPTCHA_ALIAS,
        ReportEndpoint.HCAPTCHA_ALIAS,
      )
    for ((i, endpoint) in endpoints.withIndex()) {
      val taskId = i + 1L
      val result =
        when (i) {
          0 -> client.reportImageAwait(taskId)
          1 -> client.reportTokenAwait(taskId)
          2 -> client.reportAwait(CaptchaKind.HCAPTCHA, taskId)
          3 -> client.reportAwait(CaptchaKind.IMAGE, taskId)
          else -> client.reportAwait(endpoint, taskId)
        }
      assertEquals(endpoint.path(), emulator.lastRequest().path())
      assertEquals(taskId, emulator.lastRequest().taskId())
      val java = withContext(Dispatchers.IO) { client.report(endpoint, taskId) }
      assertEquals(java, result)
      assertEquals(1, result.attempts())
    }
    assertEquals(2 * endpoints.size, emulator.requestCount())
  }

  @Test
  fun resumesInTheCallersContextNotOnACapreportThread() = runTest {
    val client = client()
    val caller = Thread.currentThread()
    client.reportImageAwait(1)
    assertSame(caller, Thread.currentThread())
    assertFalse(Thread.currentThread().name.startsWith("capreport-"))
  }

  @Test
  fun aRefusalIsTheReportRefusedExceptionTheJavaCallbackGets() = runTest {
    val client = client()
    val refused = assertThrows<ReportRefusedException> { client.reportImageAwait(UNKNOWN_TASK) }
    assertEquals(ApiErrorCode.ERROR_NO_SUCH_CAPCHA_ID, refused.errorCode())
    assertSame(events.failureOf(UNKNOWN_TASK), refused, "the very instance, not a copy")
    assertSameFailure(javaFailure { client.reportImage(UNKNOWN_TASK) }, refused)

    // Each wrong-key client has a guard of its own: the refusal puts the first on hold.
    val wrongKey = client(key = "another-key")
    val unknownKey = assertThrows<ReportRefusedException> { wrongKey.reportTokenAwait(1) }
    assertEquals(ApiErrorCode.ERROR_KEY_DOES_NOT_EXIST, unknownKey.errorCode())
    assertFalse(unknownKey.isRetryable)
    assertSameFailure(javaFailure { client(key = "another-key").reportToken(1) }, unknownKey)
  }

  @Test
  fun theGuardsAnswersAreTheJavaApisToo() = runTest {
    val emulator = capmonster.emulator()
    val client = client()
    client.reportImageAwait(1)
    val again = client.reportImageAwait(1)
    assertTrue(again.alreadyReported(), "answered by the guard")
    assertEquals(0, again.attempts())
    assertEquals(withContext(Dispatchers.IO) { client.reportImage(1) }, again)
    assertEquals(1, emulator.count(1), "sent once")

    val wrongKey = client(key = "another-key")
    assertThrows<ReportRefusedException> { wrongKey.reportImageAwait(2) }
    val held = assertThrows<AccountOnHoldException> { wrongKey.reportTokenAwait(3) }
    assertEquals(ApiErrorCode.ERROR_KEY_DOES_NOT_EXIST, held.hold().errorCode())
    assertTrue(held.isRetryable)
    assertSame(events.failureOf(3), held, "the very instance, not a copy")
    assertSameFailure(javaFailure { wrongKey.reportToken(3) }, held)
    assertEquals(0, emulator.count(3), "nothing sent while on hold")
  }

  @Test
  fun anAnswerThatIsNotTheApisFailsAsInJavaAfterEveryAttempt() = runTest {
    val client = client(retryPolicy = FAST)
    val emulator = capmonster.emulator()
    emulator.nextRequests(5).respond(502, "text/html", "<html>Bad gateway</html>")
    val failure = assertThrows<UnexpectedResponseException> { client.reportImageAwait(1) }
    assertEquals(502, failure.httpStatus())
    assertEquals(5, failure.attempts())
    assertEquals(4, failure.suppressed.size)
    assertTrue(failure.isRetryable)
    assertSame(events.failureOf(1), failure)

    emulator.nextRequests(5).respond(502, "text/html", "<html>Bad gateway</html>")
    assertSameFailure(javaFailure { client.reportImage(1) }, failure)
    assertEquals(10, emulator.count(1))
  }

  @Test
  fun noAnswerInTimeIsATransportFailureOfKindTimeout() = runTest {
    val client = client(requestTimeoutMillis = 500)
    capmonster.emulator().nextRequest().neverAnswer()
    val failure = assertThrows<TransportFailureException> { client.reportImageAwait(1) }
    assertEquals(TransportFailureException.Kind.TIMEOUT, failure.kind())
    assertSame(events.failureOf(1), failure)

    capmonster.emulator().nextRequest().neverAnswer()
    assertSameFailure(javaFailure { client.reportImage(1) }, failure)
  }

  @Test
  fun aClosedPortIsATransportFailureOfKindConnect() = runTest {
    val closedPort = ServerSocket(0, 1, InetAddress.getLoopbackAddress()).use { it.localPort }
    val client = client(baseUrl = "http://127.0.0.1:$closedPort")
    val failure = assertThrows<TransportFailureException> { client.reportTokenAwait(1) }
    assertEquals(TransportFailureException.Kind.CONNECT, failure.kind())
    assertSame(events.failureOf(1), failure)
    assertSameFailure(javaFailure { client.reportToken(1) }, failure)
  }

  @Test
  fun invalidInputFailsAtOnceBeforeAnyIoAsInJava() = runTest {
    val client = client()
    val java = assertThrows(IllegalArgumentException::class.java) { client.reportImage(0) }
    val kotlin = assertThrows<IllegalArgumentException> { client.reportImageAwait(0) }
    assertEquals(java.message, kotlin.message)
    client.close()
    assertThrows<IllegalStateException> { client.reportAwait(CaptchaKind.TURNSTILE, 1) }
    assertEquals(0, capmonster.emulator().requestCount())
  }

  @Test
  fun cancellingTheCoroutineAbortsTheReportInFlightAndStartsNoRetry() = runTest {
    val emulator = capmonster.emulator()
    emulator.nextRequest().neverAnswer()
    // Five attempts a few milliseconds apart, and a deadline far beyond the test: only the cancel
    // can end this report without a retry.
    val client = client(retryPolicy = FAST, requestTimeoutMillis = 30_000)
    // Connections that earlier tests' clients keep in the JDK's pool until they are collected.
    val openBefore = emulator.openConnections()
    val report = launch { client.reportImageAwait(7) }

    assertTrue(realTime { emulator.awaitRequests(1, 20, TimeUnit.SECONDS) }, "the server saw it")
    report.cancelAndJoin()
    assertTrue(report.isCancelled)

    // Core's own record: the report ended by the cancel, not by an answer or the timeout.
    assertTrue(realTime { events.awaitFinished(1) }, "the report ended")
    val failure = events.failureOf(7) as TransportFailureException
    assertEquals(TransportFailureException.Kind.CANCELLED, failure.kind())
    assertTrue(
      realTime { emulator.awaitOpenConnectionsAtMost(openBefore, 20, TimeUnit.SECONDS) },
      "the client dropped the connection it was waiting on",
    )
    realTime { Thread.sleep(500) } // far longer than the policy's 1 to 5 ms between attempts
    assertEquals(1, emulator.count(7), "requests for the task")
    assertEquals(1, events.started.get(), "attempts started")
    assertEquals(0, events.retries.get(), "retries scheduled")
  }

  @Test
  fun aCoroutineAlreadyCancelledStartsNoReport() = runTest {
    val client = client()
    val report =
      launch(start = CoroutineStart.UNDISPATCHED) {
        coroutineContext.job.cancel()
        client.reportImageAwait(1)
      }
    report.join()
    assertTrue(report.isCancelled)
    assertEquals(0, events.started.get())
    assertTrue(events.finished.isEmpty(), "no report was made")
    assertEquals(0, capmonster.emulator().requestCount())
  }

  private fun client(
    retryPolicy: RetryPolicy = RetryPolicy.none(),
    baseUrl: String = capmonster.baseUrl(),
    key: String = KEY,
    requestTimeoutMillis: Long = 10_000,
    guard: AccountGuard = AccountGuard.create(),
  ): CapReportClient =
    CapReportClient.builder()
      .clientKey(key)
      .accountGuard(guard)
      .baseUrl(baseUrl)
      .transportId("jdk")
      .retryPolicy(retryPolicy)
      .listener(events)
      .requestTimeout(requestTimeoutMillis, TimeUnit.MILLISECONDS)
      .build()
      .also { clients += it }

  companion object {
    private const val KEY = "kotlin-suspending-test-key"
    private const val UNKNOWN_TASK = 999_999L

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
        CapMonsterEmulator.builder().clientKey(KEY).taskIds(*LongArray(10) { it + 1L })
      )
  }
}

/** Runs a blocking wait off the test's thread, in real time rather than the test's virtual time. */
internal suspend fun <T> realTime(block: () -> T): T = withContext(Dispatchers.IO) { block() }

/** What the Java API throws for the same exchange, from a blocking call off the test's thread. */
internal suspend fun javaFailure(block: () -> Unit): CapReportException =
  withContext(Dispatchers.IO) { assertThrows(CapReportException::class.java) { block() } }

/** Throws unless [block] throws a [T], which it returns: for suspending blocks too. */
internal suspend inline fun <reified T : Throwable> assertThrows(block: () -> Unit): T {
  try {
    block()
  } catch (e: Throwable) {
    if (e is T) {
      return e
    }
    throw AssertionError("expected ${T::class.java.simpleName}, got $e", e)
  }
  throw AssertionError("expected ${T::class.java.simpleName}, nothing was thrown")
}

/** The Kotlin form failed as the Java API does: same type, same fields, same history. */
internal fun assertSameFailure(java: CapReportException, kotlin: CapReportException) {
  assertEquals(java.javaClass, kotlin.javaClass)
  assertEquals(java.endpoint(), kotlin.endpoint())
  assertEquals(java.taskId(), kotlin.taskId())
  assertEquals(java.attempts(), kotlin.attempts())
  assertEquals(java.isRetryable, kotlin.isRetryable)
  assertEquals(java.suppressed.map { it.javaClass }, kotlin.suppressed.map { it.javaClass })
  assertEquals(java.cause?.javaClass, kotlin.cause?.javaClass)
  when (java) {
    is ReportRefusedException -> {
      kotlin as ReportRefusedException
      assertEquals(java.errorCode(), kotlin.errorCode())
      assertEquals(java.httpStatus(), kotlin.httpStatus())
      assertEquals(java.message, kotlin.message)
    }
    is TransportFailureException ->
      assertEquals(java.kind(), (kotlin as TransportFailureException).kind())
    is UnexpectedResponseException -> {
      kotlin as UnexpectedResponseException
      assertEquals(java.httpStatus(), kotlin.httpStatus())
      assertEquals(java.bodyPreview(), kotlin.bodyPreview())
      assertEquals(java.message, kotlin.message)
    }
  }
}
