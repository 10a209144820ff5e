package io.github.capreport.examples;

import io.github.capreport.CapReportClient;
import io.github.capreport.CapReportException;
import io.github.capreport.CaptchaKind;
import io.github.capreport.ReportEndpoint;
import io.github.capreport.ReportRefusedException;
import io.github.capreport.ReportResult;
import io.github.capreport.testkit.CapMonsterEmulator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reports wrong answers through whichever transport is on the classpath.
 *
 * <p>With no configuration it starts the local emulator and reports one image task and one token
 * task to it. With {@code CAPMONSTER_CLIENT_KEY} set it talks to the real API (or to {@code
 * CAPMONSTER_BASE_URL} when set) and reports the tasks given as arguments: {@code image:7654321},
 * {@code token:7654322}, or a bare id for a token task. With the single argument {@code emulator}
 * it runs the emulator until Enter is pressed and prints the two variables that point a program at
 * it, such as {@link Quickstart}.
 */
public final class ReportExample {
  private ReportExample() {}

  public static void main(String[] args) throws IOException {
    String key = System.getenv("CAPMONSTER_CLIENT_KEY");
    if (args.length == 1 && args[0].equals("emulator")) {
      serveTheEmulator();
    } else if (key == null || key.isBlank()) {
      againstTheEmulator();
    } else {
      againstTheApi(key, args);
    }
  }

  private static void againstTheEmulator() {
    String demoKey = "demo-client-key";
    try (CapMonsterEmulator emulator =
            CapMonsterEmulator.builder().clientKey(demoKey).taskIds(7654321, 7654322).start();
        CapReportClient client =
            CapReportClient.builder().clientKey(demoKey).baseUrl(emulator.baseUrl()).build()) {
      System.out.println(
          "No CAPMONSTER_CLIENT_KEY set: reporting to the local emulator at "
              + emulator.baseUrl()
              + " through the '"
              + client.transportId()
              + "' transport.");
      report(client, CaptchaKind.IMAGE.endpoint(), 7654321);
      report(client, CaptchaKind.RECAPTCHA_V2.endpoint(), 7654322);
      // A task the emulator does not know, to show what a refusal looks like.
      report(client, ReportEndpoint.TOKEN_CAPTCHA, 1111111);
      System.out.println("The emulator received " + emulator.requestCount() + " reports.");
    }
  }

  private static void serveTheEmulator() throws IOException {
    String demoKey = "demo-client-key";
    try (CapMonsterEmulator emulator =
        CapMonsterEmulator.builder().clientKey(demoKey).taskIds(7654321, 7654322).start()) {
      System.out.println(
          "The emulator knows the key "
              + demoKey
              + " and the tasks 7654321 and 7654322. In another shell:");
      System.out.println(
          "  export CAPMONSTER_BASE_URL="
              + emulator.baseUrl()
              + " CAPMONSTER_CLIENT_KEY="
              + demoKey);
      System.out.println("Press Enter to stop it.");
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      System.out.println("The emulator received " + emulator.requestCount() + " reports.");
    }
  }

  private static void againstTheApi(String key, String[] args) {
    List<String> failures = new ArrayList<>();
    String baseUrl =
        System.getenv().getOrDefault("CAPMONSTER_BASE_URL", CapReportClient.DEFAULT_BASE_URL);
    try (CapReportClient client =
        CapReportClient.builder().clientKey(key).baseUrl(baseUrl).build()) {
      System.out.println(
          "Reporting to "
              + client.baseUrl()
              + " through the '"
              + client.transportId()
              + "' transport.");
      if (args.length == 0) {
        System.out.println("Give tasks as arguments: image:7654321 token:7654322");
      }
      for (String arg : args) {
        boolean image = arg.startsWith("image:");
        long taskId = Long.parseLong(arg.substring(arg.indexOf(':') + 1));
        if (!report(
            client, image ? ReportEndpoint.IMAGE_CAPTCHA : ReportEndpoint.TOKEN_CAPTCHA, taskId)) {
          failures.add(arg);
        }
      }
    }
    if (!failures.isEmpty()) {
      System.exit(1);
    }
  }

  private static boolean report(CapReportClient client, ReportEndpoint endpoint, long taskId) {
    try {
      ReportResult result = client.report(endpoint, taskId);
      System.out.println("  accepted: " + result);
      return true;
    } catch (ReportRefusedException e) {
      System.out.println(
          "  refused:  "
              + e.errorCode()
              + " (retryable: "
              + e.isRetryable()
              + ") - "
              + e.getMessage());
    } catch (CapReportException e) {
      System.out.println("  failed:   " + e.getMessage());
    }
    return false;
  }
}
