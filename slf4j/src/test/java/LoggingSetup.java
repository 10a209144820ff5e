import io.github.capreport.CapReportClient;
import io.github.capreport.slf4j.Slf4jReportListener;

/** The README's capreport-slf4j block, as it stands there: compiled here until it-readme does. */
class LoggingSetup {
  static CapReportClient client(String key) {
    return CapReportClient.builder()
        .clientKey(key)
        .listener(Slf4jReportListener.create()) // io.github.capreport.report.*
        .build();
  }

  static CapReportClient backofficeClient(String key) {
    // Its own loggers: com.example.backoffice.capreport.attempt, .retry, .outcome
    return CapReportClient.builder()
        .clientKey(key)
        .listener(
            Slf4jReportListener.builder().loggerPrefix("com.example.backoffice.capreport").build())
        .build();
  }
}
