package io.github.capreport.transport.jdk;

import io.github.capreport.CapReportClient;
import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportProvider;
import io.github.capreport.testkit.TransportContractSuite;
import java.net.http.HttpClient;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

class JdkTransportContractTest extends TransportContractSuite {
  @Override
  protected TransportProvider provider() {
    return new JdkTransportProvider();
  }

  @Override
  protected Transport transportWithOwnClientTrusting(SSLContext trust, long requestTimeoutMillis) {
    HttpClient users =
        HttpClient.newBuilder()
            .sslContext(trust)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    return JdkTransport.builder()
        .httpClient(users)
        .options(
            TransportOptions.builder()
                .requestTimeout(requestTimeoutMillis, TimeUnit.MILLISECONDS)
                .userAgent(CapReportClient.defaultUserAgent(JdkTransportProvider.ID))
                .build())
        .build();
  }
}
