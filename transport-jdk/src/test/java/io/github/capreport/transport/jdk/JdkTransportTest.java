package io.github.capreport.transport.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.capreport.CapReportClient;
import io.github.capreport.RetryPolicy;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.testkit.CapMonsterEmulatorExtension;
import java.net.http.HttpClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What only the java.net.http transport has to get right; the shared suite covers the rest. */
class JdkTransportTest {
  private static final String KEY = "jdk-transport-test-key";

  @RegisterExtension
  static final CapMonsterEmulatorExtension capmonster = new CapMonsterEmulatorExtension(KEY);

  @Test
  void plainHttpReportsDoNotAskForAnH2cUpgrade() {
    try (JdkTransport transport = JdkTransport.builder().build();
        CapReportClient client = client(transport)) {
      client.reportImage(1);
    }
    assertNull(capmonster.emulator().lastRequest().header("Upgrade"));
    assertNull(capmonster.emulator().lastRequest().header("HTTP2-Settings"));
  }

  @Test
  void aUsersClientThatFollowsRedirectsIsRefused() {
    HttpClient follows =
        HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> JdkTransport.builder().httpClient(follows).build());
    assertTrue(e.getMessage().contains("Redirect.NEVER"), e.getMessage());
  }

  @Test
  void aUsersClientServesAndOutlivesTheTransport() {
    HttpClient users =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    JdkTransport first = JdkTransport.builder().httpClient(users).build();
    try (CapReportClient client = client(first)) {
      client.reportImage(2);
    }
    first.close();
    try (JdkTransport second = JdkTransport.builder().httpClient(users).build();
        CapReportClient client = client(second)) {
      client.reportToken(3);
    }
    assertEquals(2, capmonster.emulator().requestCount());
  }

  private static CapReportClient client(JdkTransport transport) {
    return CapReportClient.builder()
        .clientKey(KEY)
        .baseUrl(capmonster.baseUrl())
        .transport(transport)
        .retryPolicy(RetryPolicy.none())
        .build();
  }

  @Test
  void aProxyOptionBesideAUsersClientFailsTheBuildNamingIt() {
    HttpClient users = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    TransportOptions selector =
        TransportOptions.builder().proxySelector(java.net.ProxySelector.getDefault()).build();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> JdkTransport.builder().httpClient(users).options(selector).build());
    assertTrue(e.getMessage().startsWith("proxySelector cannot apply to"), e.getMessage());
  }

  @Test
  void basicForConnectIsDisabledByDefaultAndByAnyListThatNamesIt() {
    assertTrue(JdkTransport.basicDisabled(null), "the JDK's default (net.properties): Basic");
    assertTrue(JdkTransport.basicDisabled("Basic"));
    assertTrue(JdkTransport.basicDisabled("Digest, basic"));
    assertFalse(JdkTransport.basicDisabled(""));
    assertFalse(JdkTransport.basicDisabled("Digest,NTLM"));
  }

  @Test
  void proxyCredentialsFailTheBuildNamingTheFlagWhileBasicIsDisabled() {
    TransportOptions authenticating =
        TransportOptions.builder()
            .proxy("127.0.0.1", 3128)
            .proxyCredentials("user", "secret-of-the-proxy")
            .build();
    // This JVM runs with the flag (the pom's argLine), as a user of proxyCredentials must.
    assertEquals("", System.getProperty(JdkTransport.TUNNELING_DISABLED));
    JdkTransport.builder().options(authenticating).build().close();
    System.setProperty(JdkTransport.TUNNELING_DISABLED, "Basic");
    try {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () -> JdkTransport.builder().options(authenticating).build());
      assertTrue(
          e.getMessage().contains("-Djdk.http.auth.tunneling.disabledSchemes= (empty)"),
          e.getMessage());
      assertFalse(e.getMessage().contains("secret-of-the-proxy"), e.getMessage());
    } finally {
      System.setProperty(JdkTransport.TUNNELING_DISABLED, "");
    }
  }
}
