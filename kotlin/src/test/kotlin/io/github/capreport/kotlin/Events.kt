package io.github.capreport.kotlin

import io.github.capreport.CapReportException
import io.github.capreport.ReportEndpoint
import io.github.capreport.ReportListener
import io.github.capreport.ReportResult
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger

/** What a client's listener heard: the Java side's own record of each report. */
internal class Events : ReportListener() {
  val started = AtomicInteger()
  val retries = AtomicInteger()
  val finished = ConcurrentLinkedQueue<Finished>()
  /** [finished]'s size, which the queue itself counts by walking every element. */
  private val finishedCount = AtomicInteger()

  /** One report's end, as core delivered it to its callback. */
  class Finished(val taskId: Long, val result: ReportResult?, val failure: CapReportException?)

  override fun attemptStarted(endpoint: ReportEndpoint, taskId: Long, attempt: Int) {
    started.incrementAndGet()
  }

  override fun retryScheduled(
    endpoint: ReportEndpoint,
    taskId: Long,
    failedAttempt: Int,
    delayMillis: Long,
    failure: CapReportException,
  ) {
    retries.incrementAndGet()
  }

  override fun reportFinished(
    endpoint: ReportEndpoint,
    taskId: Long,
    attempts: Int,
    result: ReportResult?,
    failure: CapReportException?,
  ) {
    finished.add(Finished(taskId, result, failure))
    finishedCount.incrementAndGet()
  }

  /** The failure the report of [taskId] ended with, once it ended. */
  fun failureOf(taskId: Long): CapReportException? =
    finished.firstOrNull { it.taskId == taskId }?.failure

  /** Waits, on the calling thread, until [n] reports have finished; whether they did in time. */
  fun awaitFinished(n: Int, seconds: Long = 20): Boolean =
    awaitTrue(seconds) { finishedCount.get() >= n }
}

/** Polls [condition] on the calling thread, in real time; whether it held within [seconds]. */
internal fun awaitTrue(seconds: Long = 20, condition: () -> Boolean): Boolean {
  val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds)
  while (!condition()) {
    if (System.nanoTime() - deadline > 0) {
      return false
    }
    Thread.sleep(5)
  }
  return true
}
