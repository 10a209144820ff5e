package io.github.capreport.spi;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import org.jspecify.annotations.Nullable;

/**
 * An answer's status and headers, with its body unread: core reads the body, bounded, and decides
 * what it means.
 */
public interface TransportResponse extends Closeable {
  int statusCode();

  /** The first value of the header {@code name}, matched without regard to case; null if absent. */
  @Nullable String header(String name);

  /** The body, unread; null or an empty stream when there is none. */
  @Nullable InputStream body() throws IOException;

  /**
   * Releases the answer. After the body was read to its end the connection may be reused; core
   * aborts the exchange first when it leaves a body unread, so that nothing is drained.
   */
  @Override
  void close();
}
