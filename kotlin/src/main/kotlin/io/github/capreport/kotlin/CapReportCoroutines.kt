@file:JvmName("CapReportCoroutines")

package io.github.capreport.kotlin

import io.github.capreport.CapReportClient
import io.github.capreport.CapReportException
import io.github.capreport.CaptchaKind
import io.github.capreport.ReportCallback
import io.github.capreport.ReportEndpoint
import io.github.capreport.ReportResult
import kotlin.coroutines.resume
import kotlin.coroutines.resumeWithException
import kotlinx.coroutines.CancellableContinuation
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.ensureActive
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
