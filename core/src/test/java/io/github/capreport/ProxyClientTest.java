package io.github.capreport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.capreport.spi.TunnelRefusedException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** The proxy options of the client's builder: what reaches the transport, what is refused. */
class ProxyClientTest {
  private static final String KEY = "client-key-under-test";
  private static final String PASSWORD = "pw-of-the-proxy-7f3a";
  private final ScriptedTransport transport = new ScriptedTransport();
  private final ScriptedTransport.Provider provider = transport.provider();

  private CapReportClient.Builder builder(String baseUrl) {
    return CapReportClient.builder().clientKey(KEY).baseUrl(baseUrl).transportProvider(provider);
  }

  @Test
  void theTransportGetsTheProxyAndItsCredentials() {
    builder("https://api.example")
        .proxy("proxy.corp", 3128)
        .proxyCredentials("user", PASSWORD)
        .build()
        .close();
    Proxy proxy =
        provider.options.proxySelector().select(URI.create("https://api.example/")).get(0);
    assertEquals(Proxy.Type.HTTP, proxy.type());
    assertEquals(InetSocketAddress.createUnresolved("proxy.corp", 3128), proxy.address());
    assertEquals("user", provider.options.proxyCredentials().username());
  }

  @Test
  void withoutAProxyOptionTheTransportGetsTheJvmsSelector() {
    builder("https://api.example").build().close();
    assertEquals(java.net.ProxySelector.getDefault(), provider.options.proxySelector());
    assertNull(provider.options.proxyCredentials());
  }

  @Test
  void plainHttpThroughAProxyFailsTheBuildUnlessAllowedByName() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> builder("http://127.0.0.1:8080").proxy("proxy.corp", 3128).build());
    assertTrue(e.getMessage().contains("allowPlainHttpThroughProxy(true)"), e.getMessage());
    assertNull(provider.options, "no transport was made");
    builder("http://127.0.0.1:8080")
        .proxy("proxy.corp", 3128)
        .allowPlainHttpThroughProxy(true)
        .build()
        .close();
  }

  @Test
  void plainHttpToAnotherHostNeedsBothPermissions() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            builder("http://api.example")
                .proxy("proxy.corp", 3128)
                .allowPlainHttpThroughProxy(true)
                .build());
    builder("http://api.example")
        .proxy("proxy.corp", 3128)
        .allowPlainHttp(true)
        .allowPlainHttpThroughProxy(true)
        .build()
        .close();
  }

  @Test
  void aTransportOfTheUsersRefusesProxyOptionsNamingThem() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> CapReportClient.builder().clientKey(KEY).transport(transport).noProxy().build());
    assertEquals(
        "noProxy cannot apply to a transport passed to transport(...): set it on that client, or"
            + " let the transport build its own",
        e.getMessage());
  }

  @Test
  void aProxyThatRefusesItsCredentialsIsNeverRetriedAndNamed() {
    transport.then(Answers.notJson(407, "<html>Proxy Authentication Required</html>"));
    try (CapReportClient client =
        builder("https://api.example")
            .proxy("proxy.corp", 3128)
            .proxyCredentials("user", PASSWORD)
            .build()) {
      TransportFailureException e =
          assertThrows(TransportFailureException.class, () -> client.reportImage(7));
      assertEquals(TransportFailureException.Kind.PROXY_AUTHENTICATION, e.kind());
      assertEquals(1, e.attempts(), "never retried");
      assertFalse(e.mayHaveReachedServer());
      assertTrue(e.getMessage().contains("the proxy proxy.corp:3128"), e.getMessage());
      assertFalse(e.getMessage().contains(PASSWORD), e.getMessage());
      assertFalse(client.toString().contains(PASSWORD), client.toString());
    }
  }

  @Test
  void aProxyThatIsDownIsRetriedAndNamed() {
    transport.otherwise(ScriptedTransport.fail(new ConnectException("Connection refused")));
    try (CapReportClient client =
        builder("https://api.example")
            .proxy("proxy.corp", 3128)
            .retryPolicy(TestPolicies.FAST)
            .build()) {
      TransportFailureException e =
          assertThrows(TransportFailureException.class, () -> client.reportImage(7));
      assertEquals(TransportFailureException.Kind.PROXY_UNREACHABLE, e.kind());
      assertEquals(3, e.attempts());
      assertTrue(e.getMessage().contains("could not connect to the proxy proxy.corp:3128"));
    }
  }

  @Test
  void aTunnelToAnUnreachableApiIsRetriedAndOneThePolicyRefusesIsNot() {
    transport.otherwise(ScriptedTransport.fail(new TunnelRefusedException(502, null)));
    try (CapReportClient client =
        builder("https://api.example")
            .proxy("proxy.corp", 3128)
            .retryPolicy(TestPolicies.FAST)
            .build()) {
      TransportFailureException e =
          assertThrows(TransportFailureException.class, () -> client.reportImage(7));
      assertEquals(TransportFailureException.Kind.PROXY_UPSTREAM, e.kind());
      assertEquals(3, e.attempts());
    }
    ScriptedTransport refusing = new ScriptedTransport();
    refusing.otherwise(ScriptedTransport.fail(new TunnelRefusedException(403, null)));
    try (CapReportClient client =
        CapReportClient.builder()
            .clientKey(KEY)
            .transport(refusing)
            .retryPolicy(TestPolicies.FAST)
            .build()) {
      TransportFailureException e =
          assertThrows(TransportFailureException.class, () -> client.reportImage(7));
      assertEquals(TransportFailureException.Kind.PROXY_REFUSED, e.kind());
      assertEquals(1, e.attempts());
      assertTrue(e.getMessage().contains("was refused by the proxy with HTTP 403"), e.getMessage());
    }
  }
}
