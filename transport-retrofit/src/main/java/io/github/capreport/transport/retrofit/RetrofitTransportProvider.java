package io.github.capreport.transport.retrofit;

import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportProvider;

/**
 * Provides {@link RetrofitTransport}. Priority 200: below the Apache transport (300), above the JDK
 * one (100). On Android it is the only bundled transport that runs, so its rank there does not
 * matter; on a server with both Apache and Retrofit, Apache wins unless asked for by id.
 */
public final class RetrofitTransportProvider extends TransportProvider {
  public static final String ID = "retrofit";

  public RetrofitTransportProvider() {
    super(ID, 200);
  }

  @Override
  public Transport create(TransportOptions options) {
    return RetrofitTransport.builder().options(options).build();
  }
}
