package com.example.consumer;

import io.github.capreport.ApiErrorCode;
import io.github.capreport.CapReportClient;
import io.github.capreport.ReportRefusedException;
import io.github.capreport.ReportResult;
import io.github.capreport.micrometer.MicrometerReportListener;
import io.github.capreport.slf4j.Slf4jReportListener;
import io.github.capreport.spi.TransportProvider;
import io.github.capreport.testkit.CapMonsterEmulator;
import io.github.capreport.testkit.RecordedRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.File;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.ServiceLoader;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Runs from the shaded jar, where the shade plugin has rewritten every reference to our packages,
 * Jackson's, HttpClient's, Retrofit's, OkHttp's, Okio's and Moshi's to {@code
 * com.example.sdk.shaded}. Exits 0 only when the jar holds no unrelocated class of ours, the
 * relocated transports are found by {@link ServiceLoader}, the client picks the expected one, a
 * report is accepted and a refusal decoded, and the User-Agent still carries the version read from
 * the relocated {@code version.properties}; and that the relocated SLF4J and Micrometer listeners
 * work against the unrelocated slf4j-api and micrometer-core beside the jar, which stay out of it.
 *
 * <p>Arguments: the transport id the client must pick, and the project's version.
 */
public final class ShadedConsumer {
  static final String RELOCATED = "com.example.sdk.shaded.";

  /**
   * Original package names, built at run time: the shade plugin also rewrites string constants that
   * name a relocated package, which would turn these checks into no-ops.
   */
  static final String OURS = String.join("/", "io", "github", "capreport", "");

  static final String JACKSON = String.join("/", "com", "fasterxml", "jackson", "");
  static final String HTTPCLIENT = String.join("/", "org", "apache", "hc", "");
  // Split inside the name: shade rewrites even a lone "okio" constant.
  static final String RETROFIT = String.join("", "retro", "fit2", "/");
  static final String OKHTTP = String.join("", "ok", "http3", "/");
  static final String OKIO = String.join("", "ok", "io", "/");
  static final String MOSHI = String.join("/", "com", "squareup", "moshi", "");
  static final String SERVICES = "META-INF/services/";
  // The shared runtimes, which must not be in the jar.
  static final String SLF4J = String.join("/", "org", "slf4j", "");
  static final String MICROMETER = String.join("/", "io", "micrometer", "");

  private static final String KEY = "shaded-consumer-key";
  private static final long KNOWN_TASK = 7654321;
  private static final long UNKNOWN_TASK = 1111111;

  private ShadedConsumer() {}

  public static void main(String[] args) {
    try {
      run(args[0], args[1]);
      System.out.println("shaded consumer: OK (" + args[0] + ")");
      System.exit(0);
    } catch (Throwable e) {
      e.printStackTrace();
      System.exit(1);
    }
  }

  private static void run(String expectedId, String expectedVersion) throws Exception {
    checkJar();
    checkListeners();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    String spi = TransportProvider.class.getName();
    check(spi.startsWith(RELOCATED + "capreport.spi."), "the SPI is relocated: " + spi);

    List<String> ids = new ArrayList<>();
    for (TransportProvider provider : ServiceLoader.load(TransportProvider.class)) {
      String name = provider.getClass().getName();
      check(
          name.startsWith(RELOCATED + "capreport.transport."),
          "ServiceLoader found an unrelocated provider " + name);
      ids.add(provider.id() + "=" + name);
    }
    System.out.println("shaded consumer: providers " + ids);
    check(ids.size() == 3, "the three relocated transports are found: " + ids);

    try (CapMonsterEmulator emulator =
            CapMonsterEmulator.builder().clientKey(KEY).taskIds(KNOWN_TASK).start();
        CapReportClient client =
            CapReportClient.builder()
                .clientKey(KEY)
                .baseUrl(emulator.baseUrl())
                .listener(MicrometerReportListener.create(registry))
                .build()) {
      check(
          emulator.getClass().getName().startsWith(RELOCATED + "capreport.testkit."),
          "the emulator is relocated");
      check(
          expectedId.equals(client.transportId()),
          "expected transport " + expectedId + ", got " + client.transportId());

      ReportResult accepted = client.reportImage(KNOWN_TASK);
      check(accepted.taskId() == KNOWN_TASK, "accepted " + accepted);

      RecordedRequest request = emulator.lastRequest();
      String userAgent = request.header("User-Agent");
      check(
          ("capreport/" + expectedVersion + " (" + expectedId + ")").equals(userAgent),
          "the version survives relocation in the User-Agent: " + userAgent);
      check(request.isWellFormedReport(), "a well-formed report body");

      try {
        client.reportToken(UNKNOWN_TASK);
        throw new AssertionError("an unknown task was accepted");
      } catch (ReportRefusedException e) {
        check(
            e.errorCode() == ApiErrorCode.ERROR_NO_SUCH_CAPCHA_ID,
            "a refusal is decoded: " + e.errorCode());
      }
      System.out.println("shaded consumer: reported through " + userAgent);
    }
    // The meter names are not package names: relocation leaves them as documented.
    check(
        registry.get("capreport.reports").tags("outcome", "accepted").timer().count() == 1
            && registry.get("capreport.reports").tags("outcome", "refused").timer().count() == 1,
        "the relocated Micrometer listener records: " + registry.getMetersAsString());
  }

  /**
   * Relocated, against the application's slf4j-api and micrometer-core. Shade rewrites the string
   * constants that start with a relocated package, so the default logger prefix moves with the
   * classes: a shaded SDK's loggers are under its own package, the meters' names stay.
   */
  private static void checkListeners() throws ReflectiveOperationException {
    check(
        Slf4jReportListener.class.getName().startsWith(RELOCATED + "capreport.slf4j."),
        "the SLF4J listener is relocated");
    check(
        MicrometerReportListener.class.getName().startsWith(RELOCATED + "capreport.micrometer."),
        "the Micrometer listener is relocated");
    // Read from the relocated class, not inlined here; and without creating a logger, which would
    // have slf4j-api 1.7 say on stderr that it has no backend.
    String prefix = (String) Slf4jReportListener.class.getField("DEFAULT_LOGGER_PREFIX").get(null);
    check(
        prefix.equals(RELOCATED + "capreport.report"),
        "the default logger prefix is relocated with the classes: " + prefix);
    check(
        MicrometerReportListener.REPORTS.equals(String.join(".", "capreport", "reports")),
        "the meter names stay: " + MicrometerReportListener.REPORTS);
    check(
        SimpleMeterRegistry.class.getName().startsWith(String.join(".", "io", "micrometer", "")),
        "micrometer-core is the application's, not relocated");
  }

  /** The jar this class was loaded from holds only relocated copies of the shaded libraries. */
  private static void checkJar() throws Exception {
    File jar =
        new File(ShadedConsumer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    check(jar.isFile(), "runs from a jar: " + jar);
    List<String> unrelocated = new ArrayList<>();
    boolean relocatedServices = false;
    boolean relocatedVersion = false;
    try (JarFile file = new JarFile(jar)) {
      for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements(); ) {
        String name = entries.nextElement().getName();
        String bare = name.replaceFirst("^META-INF/versions/[0-9]+/", "");
        if (bare.startsWith(SERVICES)) {
          bare = bare.substring(SERVICES.length()).replace('.', '/');
        }
        if (bare.startsWith(OURS)
            || bare.startsWith(JACKSON)
            || bare.startsWith(HTTPCLIENT)
            || bare.startsWith(RETROFIT)
            || bare.startsWith(OKHTTP)
            || bare.startsWith(OKIO)
            || bare.startsWith(MOSHI)
            || bare.startsWith(SLF4J)
            || bare.startsWith(MICROMETER)) {
          unrelocated.add(name);
        }
        relocatedServices |= name.equals(SERVICES + RELOCATED + "capreport.spi.TransportProvider");
        relocatedVersion |=
            name.equals("com/example/sdk/shaded/capreport/internal/version.properties");
      }
    }
    check(unrelocated.isEmpty(), "unrelocated entries in " + jar.getName() + ": " + unrelocated);
    check(relocatedServices, "the services file is renamed to the relocated SPI");
    check(relocatedVersion, "version.properties moves with its package");
  }

  private static void check(boolean condition, String what) {
    if (!condition) {
      throw new AssertionError(what);
    }
  }
}
