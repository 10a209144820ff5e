@file:JvmName("CapReportCoroutines")

package io.github.capreport.kotlin

import io.github.capreport.BulkReport
import io.github.capreport.CapReportClient
import io.github.capreport.CapReportException
import io.github.capreport.CaptchaKind
import io.github.capreport.ReportCallback
import io.github.capreport.ReportEndpoint
import io.github.capreport.ReportOutcome
import io.github.capreport.ReportResult
import io.github.capreport.ReportTask
import kotlin.coroutines.resume
import kotlin.coroutines.resumeWithException
import kotlinx.coroutines.CancellableContinuation
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.ensureActive
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.suspendCancellableCoroutine

/**
 * Reports a task to [endpoint], suspending until the report is accepted or given up; the suspending
 * form of [CapReportClient.report].
 *
 * Contract: the same report as the Java API's, with the client's retry policy, deadline and
 * listener. It returns the [ReportResult] or throws the [CapReportException] that
 * [CapReportClient.reportAsync]'s [ReportCallback] would have been given: the very instance,
 * subclass and fields as they are, never wrapped. Invalid input fails at once, before any I/O, as
 * in Java: [IllegalArgumentException] for `taskId <= 0`, [IllegalStateException] for a closed
 * client.
 *
 * Threading: never blocks a thread. The report runs on the client's workers, and the caller resumes
 * in its own context (its dispatcher), not on a capreport thread, unless that context is
 * [kotlinx.coroutines.Dispatchers.Unconfined].
 *
 * Cancellation: cancelling the calling coroutine cancels the report through its
 * [io.github.capreport.ReportCall]: the exchange in flight is aborted and no retry starts. The
 * caller resumes with [kotlinx.coroutines.CancellationException] at once, without waiting for the
 * abort to finish. A coroutine that is already cancelled starts no report.
 */
public suspend fun CapReportClient.reportAwait(
  endpoint: ReportEndpoint,
  taskId: Long,
): ReportResult {
  currentCoroutineContext().ensureActive()
  return suspendCancellableCoroutine { continuation ->
    val call = reportAsync(endpoint, taskId, ContinuationCallback(continuation))
    continuation.invokeOnCancellation { call.cancel() }
  }
}

/**
 * Reports a task of the given [kind] at the endpoint for that kind ([CaptchaKind.endpoint]),
 * suspending until it is accepted or given up; see [reportAwait] for the contract, threading and
 * cancellation.
 */
public suspend fun CapReportClient.reportAwait(kind: CaptchaKind, taskId: Long): ReportResult =
  reportAwait(kind.endpoint(), taskId)

/**
 * Reports a wrong image captcha answer (`/reportIncorrectImageCaptcha`), suspending until it is
 * accepted or given up; the suspending form of [CapReportClient.reportImage]. See [reportAwait] for
 * the contract, threading and cancellation.
 */
public suspend fun CapReportClient.reportImageAwait(taskId: Long): ReportResult =
  reportAwait(ReportEndpoint.IMAGE_CAPTCHA, taskId)

/**
 * Reports a token the target site refused (`/reportIncorrectTokenCaptcha`), suspending until it is
 * accepted or given up; the suspending form of [CapReportClient.reportToken]. See [reportAwait] for
 * the contract, threading and cancellation.
 */
public suspend fun CapReportClient.reportTokenAwait(taskId: Long): ReportResult =
  reportAwait(ReportEndpoint.TOKEN_CAPTCHA, taskId)

/**
 * Reports many tasks as one [BulkReport] ([CapReportClient.reportAll]) with at most [concurrency]
 * in flight, and emits each task's [ReportOutcome] as the task ends.
 *
 * Contract: a cold flow. Each collection starts a new bulk report of every task, so collect it once
 * (a second collection reports every task again). The flow emits exactly one outcome per task,
 * `tasks.size` in all, none dropped, then completes; one task's failure never stops the others and
 * never makes the flow fail: it is an outcome (`REFUSED`, `FAILED`). The tasks are read when
 * collection starts. [IllegalArgumentException] for `concurrency < 1` comes from this call,
 * [IllegalStateException] for a closed client from the collection, both before any I/O.
 *
 * Order: **completion order**, the order in which the tasks end, not the order given; each outcome
 * names its task ([ReportOutcome.task]). That is the order in which [BulkReport] reports outcomes
 * as they come, so the collector sees each one as soon as it exists. Task order would hold every
 * finished outcome back behind the slowest earlier task, whose retries may take up to the retry
 * policy's deadline (60 s by default). For the outcomes in task order, wait for all of them with
 * `reportAll(tasks, concurrency).await()`.
 *
 * Threading and memory: no thread is blocked, neither the collector's nor any of capreport's.
 * [BulkReport] starts each task when its turn comes and does not wait for the collector: an outcome
 * that the collector has not taken yet waits in the flow's buffer. That buffer never drops an
 * outcome and holds only references to outcomes the bulk report keeps until it ends anyway, so a
 * slow collector costs at most one reference per task, whatever the task count; no coroutine,
 * future or thread is made per task. Outcomes are emitted in the collector's context.
 *
 * Cancellation: when the collector stops early (cancelled, [kotlinx.coroutines.flow.take], an
 * exception), the bulk report is cancelled ([BulkReport.cancel]): no further request or retry
 * starts, and requests already sent end as their answers arrive. Closing the client cancels the
 * bulk report too; the flow then still emits one outcome per task, `CANCELLED` for those never
 * sent, as [BulkReport] does.
 */
public fun CapReportClient.reportAllFlow(
  tasks: Collection<ReportTask>,
  concurrency: Int,
): Flow<ReportOutcome> {
  require(concurrency >= 1) { "concurrency must be >= 1, was $concurrency" }
  return flow {
    // Unlimited, not bounded: the producer is BulkReport's listener on capreport's threads, which
    // must not block (a collector that reports through the same client, or closes it, would wait
    // for the very threads it blocks), and a bounded buffer that cannot suspend drops outcomes.
    val outcomes = Channel<ReportOutcome>(Channel.UNLIMITED)
    val bulk = reportAll(tasks, concurrency) { outcome, _, _ -> outcomes.trySend(outcome) }
    try {
      repeat(bulk.total()) { emit(outcomes.receive()) }
    } finally {
      outcomes.cancel()
      if (!bulk.isDone) {
        bulk.cancel()
      }
    }
  }
}

/** Hands a report's end to a suspended caller; a cancelled caller ignores it. */
private class ContinuationCallback(
  private val continuation: CancellableContinuation<ReportResult>
) : ReportCallback {
  override fun onAccepted(result: ReportResult) {
    continuation.resume(result)
  }

  override fun onFailed(failure: CapReportException) {
    continuation.resumeWithException(failure)
  }
}
