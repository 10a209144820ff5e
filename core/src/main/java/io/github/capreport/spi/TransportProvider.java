package io.github.capreport.spi;

/**
 * Creates {@link Transport}s. Found with {@code ServiceLoader.load(TransportProvider.class,
 * TransportProvider.class.getClassLoader())}, so implementations need a public no-argument
 * constructor and a {@code META-INF/services/io.github.capreport.spi.TransportProvider} entry. A
 * class rather than an interface, as the JDK's service providers are: a provider states its id and
 * priority once, to this constructor, and core checks them there.
 *
 * <p>A provider for an HTTP client of your own:
 *
 * <pre>{@code
 * package com.example.http;
 *
 * public final class MyHttpTransportProvider extends TransportProvider {
 *   public MyHttpTransportProvider() { // ServiceLoader calls this
 *     // -Dcapreport.transport=myhttp or builder.transportId("myhttp"); priority 50, below jdk
 *     // (100): picked only when nothing else is found
 *     super("myhttp", 50);
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
 * relocated class; an Android app needs nothing: core's R8 rules keep every provider's constructor.
 */
public abstract class TransportProvider {
  private final String id;
  private final int priority;

  /**
   * @param id a short, stable id such as {@code jdk}, {@code apache} or {@code retrofit}: what
   *     users put in the {@code capreport.transport} system property, so ASCII letters, digits,
   *     {@code -}, {@code _} and {@code .} only. It stays the same when the library is shaded and
   *     relocated.
   * @param priority which provider wins when several are found and none was asked for by id: the
   *     highest priority, ties broken by id
   */
  protected TransportProvider(String id, int priority) {
    boolean word = !id.isEmpty();
    for (int i = 0; i < id.length() && word; i++) {
      char c = id.charAt(i);
      word = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
      word |= "-_.".indexOf(c) >= 0;
    }
    if (!word) {
      throw new IllegalArgumentException(
          "a transport id is ASCII letters, digits, '-', '_' and '.', such as \"jdk\", not \""
              + id
              + "\"");
    }
    this.id = id;
    this.priority = priority;
  }

  /** The id given to the constructor. */
  public final String id() {
    return id;
  }

  /** The priority given to the constructor. */
  public final int priority() {
    return priority;
  }

  /** A new transport that the caller owns and must close. */
  public abstract Transport create(TransportOptions options);
}
