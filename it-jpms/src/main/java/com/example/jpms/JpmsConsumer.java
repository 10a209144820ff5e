package com.example.jpms;

import io.github.capreport.ApiErrorCode;
import io.github.capreport.CapReportClient;
import io.github.capreport.ReportRefusedException;
import io.github.capreport.ReportResult;
import io.github.capreport.internal.TransportSelector;
import io.github.capreport.kotlin.CapReportCoroutines;
import io.github.capreport.micrometer.MicrometerReportListener;
import io.github.capreport.slf4j.Slf4jReportListener;
import io.github.capreport.spi.TransportProvider;
import io.github.capreport.testkit.CapMonsterEmulator;
import io.github.capreport.testkit.RecordedRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import kotlin.coroutines.EmptyCoroutineContext;
import kotlinx.coroutines.BuildersKt;

/**
 * Runs as the named module {@code com.example.jpms} with capreport's jars on the module path. Exits
 * 0 only when every capreport jar is the automatic module its manifest names, core's own {@code
 * ServiceLoader} lookup finds the transports in their automatic modules, the client picks the
 * expected one, a report is accepted and a refusal decoded, and the optional modules work there
 * too: a Kotlin suspending report (run from Java with {@code runBlocking}) recorded by the
 * Micrometer listener, and a report logged through the SLF4J one.
 *
 * <p>Arguments: the transport id the client must pick, and the project's version.
 */
public final class JpmsConsumer {
  private static final String KEY = "jpms-consumer-key";
  private static final long KNOWN_TASK = 7654321;
  private static final long UNKNOWN_TASK = 1111111;
  private static final long KOTLIN_TASK = 7654322;

  private JpmsConsumer() {}

  public static void main(String[] args) {
    try {
      run(args[0], args[1]);
      System.out.println("jpms consumer: OK (" + args[0] + ")");
      System.exit(0);
    } catch (Throwable e) {
      e.printStackTrace();
      System.exit(1);
    }
  }

  private static void run(String expectedId, String expectedVersion)
      throws IOException, InterruptedException {
    Module self = JpmsConsumer.class.getModule();
    check(
        "com.example.jpms".equals(self.getName()) && !self.getDescriptor().isAutomatic(),
        "runs as an explicit named module, not from the class path: " + self);
    checkAutomatic(CapReportClient.class, "io.github.capreport.core");
    checkAutomatic(CapMonsterEmulator.class, "io.github.capreport.testkit");
    checkAutomatic(CapReportCoroutines.class, "io.github.capreport.kotlin");
    checkAutomatic(Slf4jReportListener.class, "io.github.capreport.slf4j");
    checkAutomatic(MicrometerReportListener.class, "io.github.capreport.micrometer");

    // The lookup core makes, with the SPI's class loader, from inside the core module.
    List<String> found = new ArrayList<>();
    TransportProvider expected = null;
    for (TransportProvider provider : TransportSelector.discover()) {
      checkAutomatic(provider.getClass(), "io.github.capreport.transport." + provider.id());
      found.add(provider.id());
      if (provider.id().equals(expectedId)) {
        expected = provider;
      }
    }
    System.out.println("jpms consumer: core discovered " + found);
    check(
        found.size() == 3 && expected != null,
        "core's ServiceLoader finds the three transports: " + found);

    // The same providers through this module's own `uses`.
    int viaUses = 0;
    for (TransportProvider provider : ServiceLoader.load(TransportProvider.class)) {
      viaUses++;
    }
    check(viaUses == found.size(), "ServiceLoader in this module sees the same providers");

    try (CapMonsterEmulator emulator =
            CapMonsterEmulator.builder().clientKey(KEY).taskIds(KNOWN_TASK, KOTLIN_TASK).start();
        CapReportClient client =
            CapReportClient.builder()
                .clientKey(KEY)
                .baseUrl(emulator.baseUrl())
                .listener(Slf4jReportListener.create())
                .build()) {
      check(
          expectedId.equals(client.transportId()),
          "expected transport " + expectedId + ", got " + client.transportId());

      ReportResult accepted = client.reportImage(KNOWN_TASK);
      check(accepted.taskId() == KNOWN_TASK, "accepted " + accepted);
      RecordedRequest request = emulator.lastRequest();
      String userAgent = request.header("User-Agent");
      check(
          ("capreport/" + expectedVersion + " (" + expectedId + ")").equals(userAgent),
          "version.properties is read from inside the core module: " + userAgent);

      try {
        client.reportToken(UNKNOWN_TASK);
        throw new AssertionError("an unknown task was accepted");
      } catch (ReportRefusedException e) {
        check(
            e.errorCode() == ApiErrorCode.ERROR_NO_SUCH_CAPCHA_ID,
            "a refusal is decoded: " + e.errorCode());
      }
      System.out.println("jpms consumer: reported through " + userAgent);
    }
    // slf4j-simple, found by slf4j-api 1.7 on the module path, wrote the listener's lines.
    Path log = Paths.get(System.getProperty("org.slf4j.simpleLogger.logFile"));
    String logged = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
    check(
        logged.contains(
            "WARN io.github.capreport.report.outcome - reportIncorrectTokenCaptcha task "
                + UNKNOWN_TASK
                + ": refused with ERROR_NO_SUCH_CAPCHA_ID after 1 attempt"),
        "slf4j: the refusal is logged in " + log + ": " + logged);
    check(!logged.contains(KEY), "slf4j: the key is not logged");

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (CapMonsterEmulator emulator =
            CapMonsterEmulator.builder().clientKey(KEY).taskIds(KOTLIN_TASK).start();
        CapReportClient client =
            CapReportClient.builder()
                .clientKey(KEY)
                .baseUrl(emulator.baseUrl())
                .listener(MicrometerReportListener.create(registry))
                .build()) {
      ReportResult result =
          BuildersKt.runBlocking(
              EmptyCoroutineContext.INSTANCE,
              (scope, continuation) ->
                  CapReportCoroutines.reportImageAwait(client, KOTLIN_TASK, continuation));
      check(result.taskId() == KOTLIN_TASK && result.attempts() == 1, "kotlin: " + result);
      long timed =
          registry
              .get(MicrometerReportListener.REPORTS)
              .tags("outcome", "accepted", "endpoint", "reportIncorrectImageCaptcha")
              .timer()
              .count();
      check(timed == 1, "micrometer timed the kotlin report: " + registry.getMetersAsString());
      System.out.println("jpms consumer: kotlin and micrometer OK");
    }
  }

  private static void checkAutomatic(Class<?> type, String moduleName) {
    Module module = type.getModule();
    ModuleDescriptor descriptor = module.getDescriptor();
    check(
        module.isNamed() && moduleName.equals(module.getName()) && descriptor.isAutomatic(),
        type.getName() + " is in the automatic module " + moduleName + ", not " + module);
  }

  private static void check(boolean condition, String what) {
    if (!condition) {
      throw new AssertionError(what);
    }
  }
}
