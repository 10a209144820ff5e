package io.github.capreport.transport.retrofit;

import io.github.capreport.CapReportClient;
import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportProvider;
import io.github.capreport.testkit.SelfSignedCertificate;
import io.github.capreport.testkit.TransportContractSuite;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;

class RetrofitTransportContractTest extends TransportContractSuite {
  @Override
  protected TransportProvider provider() {
    return new RetrofitTransportProvider();
  }

  @Override
  protected Transport transportWithOwnClientTrusting(SSLContext trust, long requestTimeoutMillis) {
    X509TrustManager trustManager = trustManager();
    OkHttpClient users =
        new OkHttpClient.Builder().sslSocketFactory(trust.getSocketFactory(), trustManager).build();
    return RetrofitTransport.builder()
        .okHttpClient(users)
        .options(
            TransportOptions.builder()
                .requestTimeout(requestTimeoutMillis, TimeUnit.MILLISECONDS)
                .userAgent(CapReportClient.defaultUserAgent(RetrofitTransportProvider.ID))
                .build())
        .build();
  }

  /** OkHttp wants the trust manager behind the socket factory too. */
  private static X509TrustManager trustManager() {
    try {
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(SelfSignedCertificate.forLoopback().trustStore());
      return (X509TrustManager) factory.getTrustManagers()[0];
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
