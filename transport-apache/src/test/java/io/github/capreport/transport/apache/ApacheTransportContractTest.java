package io.github.capreport.transport.apache;

import io.github.capreport.CapReportClient;
import io.github.capreport.spi.Exchange;
import io.github.capreport.spi.JsonBinding;
import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportProvider;
import io.github.capreport.spi.TransportRequest;
import io.github.capreport.testkit.TransportContractSuite;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.io.CloseMode;

class ApacheTransportContractTest extends TransportContractSuite {
  @Override
  protected TransportProvider provider() {
    return new ApacheTransportProvider();
  }

  @Override
  protected Transport transportWithOwnClientTrusting(SSLContext trust, long requestTimeoutMillis) {
    final CloseableHttpClient users =
        HttpClients.custom()
            .setConnectionManager(
                PoolingHttpClientConnectionManagerBuilder.create()
                    .setTlsSocketStrategy(
                        ClientTlsStrategyBuilder.create().setSslContext(trust).buildClassic())
                    .build())
            .disableAutomaticRetries()
            .build();
    final ApacheTransport transport =
        ApacheTransport.builder()
            .httpClient(users)
            .options(
                TransportOptions.builder()
                    .requestTimeout(requestTimeoutMillis, TimeUnit.MILLISECONDS)
                    .userAgent(CapReportClient.defaultUserAgent(ApacheTransportProvider.ID))
                    .build())
            .build();
    // The transport leaves the user's client open; the case closes both.
    return new Transport() {
      @Override
      public String id() {
        return transport.id();
      }

      @Override
      public JsonBinding json() {
        return transport.json();
      }

      @Override
      public Exchange newExchange(TransportRequest request) {
        return transport.newExchange(request);
      }

      @Override
      public void close() {
        transport.close();
        users.close(CloseMode.IMMEDIATE);
      }
    };
  }
}
