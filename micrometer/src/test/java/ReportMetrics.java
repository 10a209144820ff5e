import io.github.capreport.CapReportClient;
import io.github.capreport.ReportOutcome;
import io.github.capreport.ReportTask;
import io.github.capreport.micrometer.MicrometerReportListener;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;

/**
 * The README's capreport-micrometer block, as it stands there: compiled here until it-readme does.
 */
class ReportMetrics {
  static List<ReportOutcome> reportAll(MeterRegistry registry, String key, List<ReportTask> tasks)
      throws InterruptedException {
    MicrometerReportListener metrics =
        MicrometerReportListener.builder(registry)
            .clientName("checkout") // the "client" tag: one name per client
            .tags("app", "shop") // on every meter
            .build();
    try (CapReportClient client =
        CapReportClient.builder().clientKey(key).listener(metrics).build()) {
      // a new bulkProgress() for each reportAll
      return client.reportAll(tasks, 16, metrics.bulkProgress()).await();
    }
  }
}
