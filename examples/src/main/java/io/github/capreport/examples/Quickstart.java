package io.github.capreport.examples;

import io.github.capreport.CapReportClient;
import io.github.capreport.CapReportException;
import io.github.capreport.CaptchaKind;
import io.github.capreport.ReportRefusedException;
import io.github.capreport.ReportResult;

/**
 * The README's Quickstart, word for word (it-readme/ checks it): reports one token task to {@code
 * CAPMONSTER_BASE_URL} (the real API when unset) with {@code CAPMONSTER_CLIENT_KEY}. The task id is
 * the first argument, 7654322 when there is none. Against the emulator, as the README says:
 *
 * <pre>
 * mvn -B -q -pl examples -am compile exec:java -Dexec.args=emulator        # prints the two variables
 * CAPMONSTER_BASE_URL=http://127.0.0.1:... CAPMONSTER_CLIENT_KEY=demo-client-key \
 *   mvn -B -q -pl examples -am compile exec:java -Dexec.mainClass=io.github.capreport.examples.Quickstart
 * </pre>
 */
public final class Quickstart {
  private Quickstart() {}

  public static void main(String[] args) {
    long taskId = Long.parseLong(args.length > 0 ? args[0] : "7654322");
    String baseUrl =
        System.getenv().getOrDefault("CAPMONSTER_BASE_URL", CapReportClient.DEFAULT_BASE_URL);
    try (CapReportClient client =
        CapReportClient.builder()
            .baseUrl(baseUrl)
            .clientKey(System.getenv("CAPMONSTER_CLIENT_KEY"))
            .build()) {
      ReportResult result = client.report(CaptchaKind.RECAPTCHA_V2, taskId); // or reportImage
      System.out.println("accepted after " + result.attempts() + " attempt(s)");
    } catch (ReportRefusedException e) {
      System.err.println("refused: " + e.errorCode() + " (retryable: " + e.isRetryable() + ")");
    } catch (CapReportException e) {
      System.err.println("not reported: " + e.getMessage()); // never contains the key
    }
  }
}
