package io.github.capreport.benchmarks;

import io.github.capreport.CapReportClient;
import io.github.capreport.CapReportException;
import io.github.capreport.ReportCallback;
import io.github.capreport.ReportEndpoint;
import io.github.capreport.ReportResult;
import io.github.capreport.RetryPolicy;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reports through capreport: discovery picks the transport by id, retries are off. Each report is
 * of a new task: the client answers a second report of an accepted task without I/O, so reporting
 * one task again and again would measure that instead of a request (the emulator accepts any id).
 */
final class CapReportReporter implements Reporter {
  private final CapReportClient client;
  private final AtomicLong nextTask = new AtomicLong(Bench.TASK_ID);

  CapReportReporter(String transport, String baseUrl) {
    this.client = newClient(transport, baseUrl);
  }

  /** What an application writes: the builder, discovery by id, the defaults except retries. */
  static CapReportClient newClient(String transport, String baseUrl) {
    return newClientBuilder(transport, baseUrl).build();
  }

  /** {@link #newClient}'s builder, not yet built: for a test that changes one setting more. */
  static CapReportClient.Builder newClientBuilder(String transport, String baseUrl) {
    return CapReportClient.builder()
        .clientKey(Bench.CLIENT_KEY)
        .baseUrl(baseUrl)
        .transportId(transport)
        .retryPolicy(RetryPolicy.none());
  }

  @Override
  public Object report() {
    return client.reportImage(nextTask.getAndIncrement());
  }

  @Override
  public void reportAsync(Done done) {
    client.reportAsync(
        ReportEndpoint.IMAGE_CAPTCHA,
        nextTask.getAndIncrement(),
        new ReportCallback() {
          @Override
          public void onAccepted(ReportResult result) {
            done.done(null);
          }

          @Override
          public void onFailed(CapReportException failure) {
            done.done(failure);
          }
        });
  }

  @Override
  public void close() {
    client.close();
  }
}
