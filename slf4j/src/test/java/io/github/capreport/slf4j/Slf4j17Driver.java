package io.github.capreport.slf4j;

import io.github.capreport.ReportEndpoint;
import io.github.capreport.ReportRefusedException;
import io.github.capreport.ReportResult;
import io.github.capreport.TransportFailureException;
import io.github.capreport.UnexpectedResponseException;
import java.io.IOException;
import java.net.SocketTimeoutException;

/**
 * Runs every path of {@link Slf4jReportListener} once: loaded by {@link Slf4j17CompatibilityTest}
 * in a class loader that has SLF4J 1.7 instead of 2, where a call to API that 1.7 lacks fails to
 * link. Uses nothing of SLF4J itself.
 */
public final class Slf4j17Driver implements Runnable {
  @Override
  public void run() {
    ReportEndpoint image = ReportEndpoint.IMAGE_CAPTCHA;
    Slf4jReportListener listener = Slf4jReportListener.create();
    listener.attemptStarted(image, 17, 1);
    UnexpectedResponseException busy =
        new UnexpectedResponseException("busy", image, 17, 503, "<html>");
    listener.retryScheduled(image, 17, 1, 250, busy);
    listener.reportFinished(image, 17, 2, new ReportResult(image, 17, 200, 2), null);
    listener.reportFinished(
        image,
        18,
        1,
        null,
        new ReportRefusedException("no task", image, 18, 200, 1, "ERROR_NO_SUCH_CAPCHA_ID", null));
    listener.reportFinished(
        image,
        19,
        1,
        null,
        new ReportRefusedException("no key", image, 19, 200, 1, "ERROR_KEY_DOES_NOT_EXIST", null));
    listener.reportFinished(
        image,
        20,
        1,
        null,
        new TransportFailureException(
            "cancelled",
            new IOException("aborted"),
            TransportFailureException.Kind.CANCELLED,
            image,
            20));
    listener.reportFinished(
        image,
        21,
        3,
        null,
        new TransportFailureException(
            "timed out",
            new SocketTimeoutException("read timed out"),
            TransportFailureException.Kind.TIMEOUT,
            image,
            21));
  }
}
