package io.github.capreport.benchmarks;

import io.github.capreport.CapReportClient;
import io.github.capreport.CapReportException;
import io.github.capreport.ReportCallback;
import io.github.capreport.ReportEndpoint;
import io.github.capreport.ReportResult;
import io.github.capreport.RetryPolicy;

/** Reports through capreport: discovery picks the transport by id, retries are off. */
final class CapReportReporter implements Reporter {
  private final CapReportClient client;

  CapReportReporter(String transport, String baseUrl) {
    this.client = newClient(transport, baseUrl);
  }

  /** What an application writes: the builder, discovery by id, the defaults except retries. */
  static CapReportClient newClient(String transport, String baseUrl) {
    return CapReportClient.builder()
        .clientKey(Bench.CLIENT_KEY)
        .baseUrl(baseUrl)
        .transportId(transport)
        .retryPolicy(RetryPolicy.none())
        .build();
  }

  @Override
  public Object report() {
    return client.reportImage(Bench.TASK_ID);
  }

  @Override
  public void reportAsync(Done done) {
    client.reportAsync(
        ReportEndpoint.IMAGE_CAPTCHA,
        Bench.TASK_ID,
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
