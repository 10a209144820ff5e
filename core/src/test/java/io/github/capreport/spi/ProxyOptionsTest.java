package io.github.capreport.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Authenticator;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The proxy options: what a transport is handed, and what is refused before any I/O. */
class ProxyOptionsTest {
  private static final URI API =
      URI.create("https://api.capmonster.cloud/reportIncorrectImageCaptcha");
  private static final String PASSWORD = "s3cret-Proxy-pw";

  @Test
  void withoutAProxyOptionTheJvmsDefaultSelectorRoutes() {
    // The one rule for https.proxyHost, http.nonProxyHosts and the rest, the same for every
    // transport: the selector the JVM has when the options are built, which reads them.
    TransportOptions options = TransportOptions.builder().build();
    assertSame(ProxySelector.getDefault(), options.proxySelector());
    assertNull(options.proxyCredentials());
    options.rejectClientSettings("the user's client"); // nothing was set
  }

  @Test
  void anExplicitProxyTakesEveryRequestLoopbackIncluded() {
    ProxySelector selector =
        TransportOptions.builder().proxy("proxy.corp", 3128).build().proxySelector();
    for (String uri :
        new String[] {API.toString(), "http://127.0.0.1:8080/x", "http://[::1]:9/x"}) {
      List<Proxy> proxies = selector.select(URI.create(uri));
      assertEquals(1, proxies.size());
      assertEquals(Proxy.Type.HTTP, proxies.get(0).type());
      InetSocketAddress address = (InetSocketAddress) proxies.get(0).address();
      assertTrue(address.isUnresolved(), "resolved when connecting, by the HTTP library");
      assertEquals("proxy.corp", address.getHostString());
      assertEquals(3128, address.getPort());
    }
  }

  @Test
  void noProxyGoesDirectWhateverTheJvmSays() {
    List<Proxy> proxies = TransportOptions.builder().noProxy().build().proxySelector().select(API);
    assertEquals(Collections.singletonList(Proxy.NO_PROXY), proxies);
  }

  @Test
  void aSelectorOfTheUsersIsHandedOnAsItIs() {
    ProxySelector mine = new FixedSelector();
    assertSame(mine, TransportOptions.builder().proxySelector(mine).build().proxySelector());
  }

  @Test
  void anIpv6ProxyIsTakenWithOrWithoutBrackets() {
    for (String host : new String[] {"::1", "[::1]"}) {
      TransportOptions options =
          TransportOptions.builder().proxy(host, 8080).proxyCredentials("u", "p").build();
      InetSocketAddress address =
          (InetSocketAddress) options.proxySelector().select(API).get(0).address();
      assertEquals("::1", address.getHostString());
      assertEquals("::1", options.proxyCredentials().host());
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        "http://proxy.corp",
        "proxy.corp:3128",
        "user:pw@proxy.corp",
        "a b",
        "proxy.corp/path",
        "prøxy.corp",
        "[proxy"
      })
  void aHostThatIsNotOneIsRefusedWithoutRepeatingIt(String host) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> TransportOptions.builder().proxy(host, 3128));
    if (host.length() > 3) {
      assertFalse(e.getMessage().contains(host), e.getMessage());
    }
    assertFalse(e.getMessage().contains("pw"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, 65536})
  void aPortOutOfRangeIsRefused(int port) {
    assertThrows(
        IllegalArgumentException.class, () -> TransportOptions.builder().proxy("proxy.corp", port));
  }

  @Test
  void oneProxyChoiceOnly() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> TransportOptions.builder().proxy("proxy.corp", 3128).noProxy());
    assertEquals(
        "proxy(...) is already set: choose one of proxy, proxySelector and noProxy",
        e.getMessage());
    assertThrows(
        IllegalStateException.class,
        () -> TransportOptions.builder().noProxy().proxySelector(new FixedSelector()));
    // The same choice again replaces it.
    TransportOptions.builder().proxy("a.corp", 1).proxy("b.corp", 2).build();
  }

  @Test
  void credentialsNeedTheProxyTheyAreFor() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> TransportOptions.builder().proxyCredentials("u", PASSWORD).build());
    assertTrue(e.getMessage().contains("proxy(host, port)"), e.getMessage());
    assertThrows(
        IllegalStateException.class,
        () ->
            TransportOptions.builder()
                .proxySelector(new FixedSelector())
                .proxyCredentials("u", PASSWORD)
                .build());
  }

  @Test
  void credentialsThatBasicCannotCarryAlikeEverywhereAreRefused() {
    TransportOptions.Builder b = TransportOptions.builder().proxy("proxy.corp", 3128);
    for (String user : new String[] {"", "a:b", "ünï", "tab\there"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> b.proxyCredentials(user, "pw"));
      assertFalse(e.getMessage().contains(user.isEmpty() ? "\u0000" : user), e.getMessage());
    }
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> b.proxyCredentials("u", "pässword"));
    assertFalse(e.getMessage().contains("pässword"), e.getMessage());
    assertThrows(NullPointerException.class, () -> b.proxyCredentials("u", null));
    b.proxyCredentials("u", ""); // an empty password is a password
  }

  @Test
  void theCredentialsGoToTheirProxyAlone() throws Exception {
    ProxyCredentials credentials =
        TransportOptions.builder()
            .proxy("proxy.corp", 3128)
            .proxyCredentials("user", PASSWORD)
            .build()
            .proxyCredentials();
    assertTrue(credentials.isFor(InetSocketAddress.createUnresolved("PROXY.corp", 3128)));
    assertFalse(credentials.isFor(InetSocketAddress.createUnresolved("proxy.corp", 3129)));
    assertFalse(
        credentials.isFor(InetSocketAddress.createUnresolved("api.capmonster.cloud", 3128)));
    assertFalse(credentials.isFor(null));
    Authenticator authenticator = credentials.authenticator();
    PasswordAuthentication answer =
        ask(authenticator, "proxy.corp", 3128, Authenticator.RequestorType.PROXY);
    assertEquals("user", answer.getUserName());
    assertEquals(PASSWORD, new String(answer.getPassword()));
    assertNull(
        ask(authenticator, "proxy.corp", 3128, Authenticator.RequestorType.SERVER),
        "never for a server, even one at the proxy's address");
    assertNull(ask(authenticator, "other.corp", 3128, Authenticator.RequestorType.PROXY));
    assertNull(ask(authenticator, "proxy.corp", 80, Authenticator.RequestorType.PROXY));
  }

  @Test
  void thePasswordIsInNoStringAndNoMessage() {
    TransportOptions options =
        TransportOptions.builder()
            .proxy("proxy.corp", 3128)
            .proxyCredentials("user", PASSWORD)
            .build();
    assertFalse(options.toString().contains(PASSWORD), options.toString());
    assertFalse(options.proxyCredentials().toString().contains(PASSWORD));
    assertTrue(options.toString().contains("proxy=proxy"), options.toString());
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> options.rejectClientSettings("mine"));
    assertFalse(e.getMessage().contains(PASSWORD), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"proxy", "proxySelector", "noProxy"})
  void aUsersOwnClientRefusesEachProxyOptionNamingIt(String option) {
    TransportOptions.Builder b = TransportOptions.builder();
    if (option.equals("proxy")) {
      b.proxy("proxy.corp", 3128).proxyCredentials("u", PASSWORD);
    } else if (option.equals("proxySelector")) {
      b.proxySelector(new FixedSelector());
    } else {
      b.noProxy();
    }
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> b.build().rejectClientSettings("the OkHttpClient given to RetrofitTransport"));
    assertEquals(
        option
            + " cannot apply to the OkHttpClient given to RetrofitTransport: set it on that client,"
            + " or let the transport build its own",
        e.getMessage());
  }

  @Test
  void toBuilderKeepsTheProxyChoiceAndItsCredentials() {
    TransportOptions options =
        TransportOptions.builder()
            .proxy("proxy.corp", 3128)
            .proxyCredentials("user", PASSWORD)
            .build()
            .toBuilder()
            .build();
    assertEquals("proxy.corp", options.proxyCredentials().host());
    assertEquals(PASSWORD, options.proxyCredentials().password());
    assertThrows(IllegalStateException.class, () -> options.rejectClientSettings("mine"));
    TransportOptions jvm = TransportOptions.builder().build().toBuilder().build();
    jvm.rejectClientSettings("mine"); // still nothing set
  }

  @Test
  void aRefusedTunnelIsReadFromALibrarysWords() {
    IOException jdk = new IOException("Tunnel failed, got: 403");
    IOException read = fromJdkMessage(jdk);
    assertEquals(403, ((TunnelRefusedException) read).statusCode());
    assertSame(jdk, read.getCause());
    IOException gaveUp = new IOException("too many authentication attempts. Limit: 3");
    assertEquals(407, ((TunnelRefusedException) fromJdkMessage(gaveUp)).statusCode());
    assertSame(gaveUp, fromJdkMessage(gaveUp).getCause());
    IOException other = new IOException("Tunnel failed, got: nothing");
    assertSame(other, fromJdkMessage(other));
    IOException none = new IOException((String) null);
    assertSame(none, fromJdkMessage(none));
  }

  private static IOException fromJdkMessage(IOException e) {
    return TunnelRefusedException.fromMessage(
        e, "Tunnel failed, got: ", "too many authentication attempts");
  }

  private static PasswordAuthentication ask(
      Authenticator authenticator, String host, int port, Authenticator.RequestorType type) {
    return authenticator.requestPasswordAuthenticationInstance(
        host, null, port, "http", "realm", "basic", null, type);
  }

  private static final class FixedSelector extends ProxySelector {
    @Override
    public List<Proxy> select(URI uri) {
      return Collections.singletonList(Proxy.NO_PROXY);
    }

    @Override
    public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {}
  }
}
