package com.example.shrink;

import io.github.capreport.CapReportClient;
import io.github.capreport.ReportResult;

/**
 * Runs from a jar that ProGuard has shrunk, obfuscated and repackaged. It references no transport:
 * the only transport, {@link FakeTransportProvider}, is reachable through its services entry alone,
 * as an app's transport is. Exits 0 when the client finds it, reports, and the User-Agent still
 * carries the version read from {@code version.properties}; exits 3 when no transport is found, 1
 * on anything else.
 *
 * <p>Argument: the project's version.
 */
public final class ShrinkConsumer {
  static final int NO_TRANSPORT = 3;

  private ShrinkConsumer() {}

  public static void main(String[] args) {
    CapReportClient client;
    try {
      client = CapReportClient.builder().clientKey("shrink-consumer-key").build();
    } catch (IllegalStateException e) {
      System.out.println("shrink consumer: " + e.getMessage());
      System.exit(NO_TRANSPORT);
      return;
    }
    try {
      String expected = "capreport/" + args[0] + " (fake)";
      if (!expected.equals(client.userAgent())) {
        throw new AssertionError("User-Agent " + client.userAgent() + ", expected " + expected);
      }
      ReportResult result = client.reportImage(7654321);
      if (result.taskId() != 7654321) {
        throw new AssertionError("accepted " + result);
      }
      System.out.println("shrink consumer: OK, reported through " + client.userAgent());
      client.close();
      System.exit(0);
    } catch (Throwable e) {
      e.printStackTrace();
      System.exit(1);
    }
  }
}
