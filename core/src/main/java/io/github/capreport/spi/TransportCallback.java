package io.github.capreport.spi;

import java.io.IOException;

/** The outcome of {@link Transport#sendAsync}: exactly one method is called, once. */
public interface TransportCallback {
  void onResponse(TransportResponse response);

  /** Failures are classified as for {@link Transport#send}. */
  void onFailure(IOException failure);
}
