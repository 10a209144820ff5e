package io.github.capreport.transport.apache;

import io.github.capreport.spi.TransportProvider;
import io.github.capreport.testkit.TransportContractSuite;

class ApacheTransportContractTest extends TransportContractSuite {
  @Override
  protected TransportProvider provider() {
    return new ApacheTransportProvider();
  }
}
