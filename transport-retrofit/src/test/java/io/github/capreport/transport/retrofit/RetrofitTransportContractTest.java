package io.github.capreport.transport.retrofit;

import io.github.capreport.spi.TransportProvider;
import io.github.capreport.testkit.TransportContractSuite;

class RetrofitTransportContractTest extends TransportContractSuite {
  @Override
  protected TransportProvider provider() {
    return new RetrofitTransportProvider();
  }
}
