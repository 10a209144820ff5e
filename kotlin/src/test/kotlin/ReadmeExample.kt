import io.github.capreport.AccountOnHoldException
import io.github.capreport.CapReportClient
import io.github.capreport.ReportOutcome
import io.github.capreport.ReportTask
import io.github.capreport.kotlin.reportAllFlow
import io.github.capreport.kotlin.reportImageAwait
import kotlinx.coroutines.flow.filter
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.flow.onEach
import kotlinx.coroutines.flow.toList

/** Reports one image task, then a batch; returns the tasks worth reporting again later. */
suspend fun reportWrongAnswers(
  client: CapReportClient,
  imageTask: Long,
  batch: List<ReportTask>,
): List<ReportTask> {
  try {
    client.reportImageAwait(imageTask) // suspends, blocks no thread; cancelling aborts the report
  } catch (e: AccountOnHoldException) {
    return batch // nothing was sent: the key or the balance needs fixing first
  }
  return client
    .reportAllFlow(batch, concurrency = 16) // each task's outcome as the task ends
    .onEach { if (it.status() == ReportOutcome.Status.REFUSED) println(it) }
    .filter { it.failure()?.isRetryable == true } // FAILED for a retryable cause, or ON_HOLD
    .map { it.task() }
    .toList()
}
