package io.github.capreport.spi;

/**
 * Creates {@link Transport}s. Found with {@code ServiceLoader.load(TransportProvider.class,
 * TransportProvider.class.getClassLoader())}, so implementations need a public no-argument
 * constructor and a {@code META-INF/services/io.github.capreport.spi.TransportProvider} entry.
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
