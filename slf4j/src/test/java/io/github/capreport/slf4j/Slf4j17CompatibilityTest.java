package io.github.capreport.slf4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.capreport.ReportListener;
import java.io.IOException;
import java.io.Writer;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The listener is built against SLF4J 2 but promises to run on 1.7 (the slf4j-api of logback 1.2,
 * Spring Boot 2, httpclient5): here it runs in a class loader with slf4j-api and slf4j-simple
 * 1.7.36 and nothing of SLF4J 2, and every path logs its line.
 */
class Slf4j17CompatibilityTest {
  @Test
  void everyPathRunsOnSlf4j17(@TempDir Path dir) throws Exception {
    Path slf4j17 = Paths.get(System.getProperty("capreport.slf4j17.dir"));
    Path logFile = dir.resolve("slf4j-simple.log");
    Path config = dir.resolve("config");
    Files.createDirectories(config);
    try (Writer out =
        Files.newBufferedWriter(
            config.resolve("simplelogger.properties"), StandardCharsets.UTF_8)) {
      out.write("org.slf4j.simpleLogger.defaultLogLevel=info\n");
      out.write("org.slf4j.simpleLogger.log.io.github.capreport.report.attempt=debug\n");
      out.write("org.slf4j.simpleLogger.logFile=" + logFile.toString().replace("\\", "/") + "\n");
      out.write("org.slf4j.simpleLogger.showThreadName=false\n");
    }
    List<URL> path = new ArrayList<>();
    path.add(jar(slf4j17, "slf4j-api-1.7."));
    path.add(jar(slf4j17, "slf4j-simple-1.7."));
    path.add(config.toUri().toURL());
    path.add(locationOf(Slf4jReportListener.class)); // main classes
    path.add(locationOf(Slf4j17Driver.class)); // test classes
    path.add(locationOf(ReportListener.class)); // core
    ClassLoader previous = Thread.currentThread().getContextClassLoader();
    try (URLClassLoader slf4j17Only =
        new URLClassLoader(path.toArray(new URL[0]), ClassLoader.getPlatformClassLoader())) {
      Class<?> logger = slf4j17Only.loadClass("org.slf4j.Logger");
      assertTrue(
          logger
              .getProtectionDomain()
              .getCodeSource()
              .getLocation()
              .toString()
              .contains("slf4j-api-1.7."),
          "SLF4J comes from 1.7: " + logger.getProtectionDomain().getCodeSource());
      Class<?> spi = null;
      try {
        spi = slf4j17Only.loadClass("org.slf4j.spi.SLF4JServiceProvider");
      } catch (ClassNotFoundException expected) {
        // 1.7 has no service providers
      }
      assertEquals(null, spi, "no SLF4J 2 in this class loader");
      // slf4j-simple reads simplelogger.properties through the context class loader.
      Thread.currentThread().setContextClassLoader(slf4j17Only);
      Runnable driver =
          (Runnable)
              slf4j17Only
                  .loadClass(Slf4j17Driver.class.getName())
                  .getDeclaredConstructor()
                  .newInstance();
      driver.run();
    } finally {
      Thread.currentThread().setContextClassLoader(previous);
    }
    List<String> lines =
        Files.readAllLines(logFile, StandardCharsets.UTF_8).stream()
            .filter(line -> !line.startsWith("\t") && !line.startsWith("Caused by"))
            .collect(Collectors.toList());
    String all = String.join("\n", lines);
    assertContains(
        all,
        "DEBUG io.github.capreport.report.attempt - reportIncorrectImageCaptcha task 17: sending attempt 1");
    assertContains(
        all,
        "INFO io.github.capreport.report.retry - reportIncorrectImageCaptcha task 17: attempt 1 failed with HTTP 503, retrying in 250 ms (UnexpectedResponseException: busy)");
    assertContains(
        all,
        "WARN io.github.capreport.report.outcome - reportIncorrectImageCaptcha task 18: refused with ERROR_NO_SUCH_CAPCHA_ID after 1 attempt (ReportRefusedException: no task)");
    assertContains(
        all,
        "ERROR io.github.capreport.report.outcome - reportIncorrectImageCaptcha task 19: refused with ERROR_KEY_DOES_NOT_EXIST after 1 attempt");
    assertContains(
        all,
        "INFO io.github.capreport.report.outcome - reportIncorrectImageCaptcha task 20: cancelled after 1 attempt");
    assertContains(
        all,
        "WARN io.github.capreport.report.outcome - reportIncorrectImageCaptcha task 21: failed with TIMEOUT after 3 attempts (TransportFailureException: timed out)");
    assertTrue(!all.contains("accepted"), "the outcome logger is at INFO: " + all);
  }

  /** The one jar in {@code dir} whose name starts so. */
  private static URL jar(Path dir, String prefix) throws IOException {
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      List<Path> jars =
          files
              .filter(f -> f.getFileName().toString().startsWith(prefix))
              .collect(Collectors.toList());
      assertEquals(1, jars.size(), prefix + " in " + dir + ": " + jars);
      return jars.get(0).toUri().toURL();
    }
  }

  private static URL locationOf(Class<?> type) throws IOException {
    return type.getProtectionDomain().getCodeSource().getLocation();
  }

  private static void assertContains(String text, String part) {
    assertTrue(text.contains(part), "no «" + part + "» in:\n" + text);
  }
}
