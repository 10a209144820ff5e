package io.github.capreport.spi;

/**
 * Creates {@link Transport}s. Found with {@code ServiceLoader.load(TransportProvider.class,
 * TransportProvider.class.getClassLoader())}, so implementations need a public no-argument
 * constructor and a {@code META-INF/services/io.github.capreport.spi.TransportProvider} entry.
 *
 * <p>A provider for an HTTP client of your own:
 *
 * <pre>{@code
 * package com.example.http;
 *
 * public final class MyHttpTransportProvider implements TransportProvider {
 *   public MyHttpTransportProvider() {} // ServiceLoader calls this
 *
 *   @Override
 *   public String id() {
 *     return "myhttp"; // -Dcapreport.transport=myhttp or builder.transportId("myhttp")
 *   }
 *
 *   @Override
 *   public int priority() {
 *     return 50; // below jdk (100): picked only when nothing else is found
 *   }
 *
 *   @Override
 *   public Transport create(TransportOptions options) {
 *     return new MyHttpTransport(options); // see Transport for what it must do
 *   }
 * }
 * }</pre>
 *
 * <p>Register it with a file {@code
 * src/main/resources/META-INF/services/io.github.capreport.spi.TransportProvider} holding one line,
 * {@code com.example.http.MyHttpTransportProvider}, and check it against the emulator with the
 * conformance suite of {@code capreport-testkit}:
 *
 * <pre>{@code
 * class MyHttpTransportConformanceTest extends TransportConformanceSuite {
 *   @Override
 *   protected TransportProvider provider() {
 *     return new MyHttpTransportProvider();
 *   }
 * }
 * }</pre>
 *
 * <p>Or skip discovery and hand it to one client: {@code
 * CapReportClient.builder().transportProvider(new MyHttpTransportProvider())}. A shaded jar needs
 * the shade plugin's {@code ServicesResourceTransformer} so that the services file follows the
 * relocated interface; an Android app needs nothing: core's R8 rules keep every provider's
 * constructor.
 */
public interface TransportProvider {
  /**
   * A short, stable id such as {@code jdk}, {@code apache} or {@code retrofit}: what users put in
   * the {@code capreport.transport} system property. It stays the same when the library is shaded
   * and relocated.
   */
  String id();

  /**
   * Which provider wins when several are found and none was asked for by id: the highest priority,
   * ties broken by id.
   */
  int priority();

  /** A new transport that the caller owns and must close. */
  Transport create(TransportOptions options);
}
