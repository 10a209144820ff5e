package io.github.capreport.transport.retrofit;

import io.github.capreport.spi.TransportProvider;
import io.github.capreport.testkit.TransportConformanceSuite;

class RetrofitTransportConformanceTest extends TransportConformanceSuite {
  @Override
  protected TransportProvider provider() {
    return new RetrofitTransportProvider();
  }
}
