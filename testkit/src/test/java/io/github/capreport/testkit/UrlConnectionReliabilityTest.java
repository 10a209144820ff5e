package io.github.capreport.testkit;

import io.github.capreport.spi.TransportProvider;

/**
 * The client's reliability (retries, bulk reports under faults, close) runs once, here, over the
 * reference transport: it is core's behaviour, and each bundled transport proves the contract it
 * rests on with {@link TransportContractSuite}.
 */
class UrlConnectionReliabilityTest extends TransportReliabilitySuite {
  @Override
  protected TransportProvider provider() {
    return UrlConnectionTransport.provider();
  }

  /** Skipped: the reference transport takes no HTTP client of the user's. */
  @Override
  public void trustsACertificateGivenThroughTheTransportsOwnClient() {}
}
