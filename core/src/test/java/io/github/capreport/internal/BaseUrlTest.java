package io.github.capreport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BaseUrlTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://api.capmonster.cloud",
        "https://api.capmonster.cloud/",
        "http://127.0.0.1:8080",
        "http://localhost:1234",
        "http://[::1]:99",
        "http://[0:0:0:0:0:0:0:1]:99",
        "http://[::ffff:127.0.0.1]:99",
        "https://[2001:db8::1]:8443/prefix",
        "https://example.com/prefix"
      })
  void acceptsAbsoluteHttpsAndLoopbackHttp(String url) {
    String normalized = BaseUrl.validate(url, false);
    assertFalse(normalized.endsWith("/"));
  }

  @Test
  void stripsTrailingSlashes() {
    assertEquals("https://h.example/api", BaseUrl.validate("https://h.example/api//", false));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "  ",
        "api.capmonster.cloud",
        "/reportIncorrectImageCaptcha",
        "ftp://api.capmonster.cloud",
        "https://user:pw@api.capmonster.cloud",
        "https://api.capmonster.cloud?x=1",
        "https://api.capmonster.cloud#frag",
        "https:///nohost",
        "ht tp://bad"
      })
  void rejectsWhatIsNotAnAbsoluteHttpUrl(String url) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BaseUrl.validate(url, true));
    assertTrue(e.getMessage().startsWith("baseUrl"), e.getMessage());
  }

  @Test
  void rejectsNull() {
    assertThrows(IllegalArgumentException.class, () -> BaseUrl.validate(null, false));
  }

  @Test
  void userInfoIsNotEchoedInTheMessage() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> BaseUrl.validate("https://user:s3cret@h.example", false));
    assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
  }

  @Test
  void plainHttpToAnotherHostNeedsExplicitPermission() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> BaseUrl.validate("http://api.capmonster.cloud", false));
    assertTrue(e.getMessage().contains("allowPlainHttp"), e.getMessage());
    assertEquals(
        "http://api.capmonster.cloud", BaseUrl.validate("http://api.capmonster.cloud", true));
  }

  @Test
  void loopbackIsDecidedWithoutDns() {
    assertTrue(BaseUrl.isLoopback("127.0.0.1"));
    assertTrue(BaseUrl.isLoopback("127.1.2.3"));
    assertTrue(BaseUrl.isLoopback("LOCALHOST"));
    assertTrue(BaseUrl.isLoopback("[::1]"));
    assertTrue(BaseUrl.isLoopback("[0:0:0:0:0:0:0:1]"));
    assertTrue(BaseUrl.isLoopback("[::FFFF:127.0.0.2]"));
    assertFalse(BaseUrl.isLoopback("[2001:db8::1]"));
    assertFalse(BaseUrl.isLoopback("[::2]"));
    assertFalse(BaseUrl.isLoopback("127.0.0.1.evil.example"));
    assertFalse(BaseUrl.isLoopback("127.0.0.256"));
    assertFalse(BaseUrl.isLoopback("localhost.evil.example"));
    assertFalse(BaseUrl.isLoopback("10.0.0.1"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"https://h.example:0", "https://h.example:99999", "http://127.0.0.1:65536"})
  void rejectsAPortOutOfRange(String url) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BaseUrl.validate(url, true));
    assertTrue(e.getMessage().contains("port"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ht tp://user:s3cret@h.example",
        "ftp://user:s3cret@h.example",
        "https://h.example/s3cret?q",
        "https://user:s3cret@/nohost"
      })
  void neverRepeatsTheUrlWhichMayHoldCredentials(String url) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BaseUrl.validate(url, false));
    assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"https://h.example/a/../b", "https://h.example/./api", "https://h.example/.."})
  void refusesDotSegmentsThatClientsWouldResolveDifferently(String url) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BaseUrl.validate(url, false));
    assertTrue(e.getMessage().contains(". or .."), e.getMessage());
  }

  @Test
  void percentEncodesWhatIsNotAscii() {
    assertEquals(
        "https://h.example/%D0%BF%D1%83%D1%82%D1%8C",
        BaseUrl.validate("https://h.example/\u043f\u0443\u0442\u044c/", false));
  }

  @Test
  void anIpv6LiteralThatIsNotLoopbackStillNeedsPermissionForPlainHttp() {
    assertThrows(
        IllegalArgumentException.class, () -> BaseUrl.validate("http://[2001:db8::1]:80", false));
    assertEquals("http://[2001:db8::1]:80", BaseUrl.validate("http://[2001:db8::1]:80", true));
  }

  @Test
  void plainHttpThroughAProxyNeedsPermissionByName() {
    io.github.capreport.spi.TransportOptions proxied =
        io.github.capreport.spi.TransportOptions.builder().proxy("proxy.corp", 3128).build();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> BaseUrl.checkRoute("http://127.0.0.1:8080", proxied, false));
    assertEquals(
        "baseUrl uses plain http through the proxy proxy.corp:3128, which would see the client key"
            + " in every report. Use https, or call allowPlainHttpThroughProxy(true) if that proxy"
            + " is trusted.",
        e.getMessage());
    BaseUrl.checkRoute("http://127.0.0.1:8080", proxied, true);
    BaseUrl.checkRoute("https://api.capmonster.cloud", proxied, false);
    BaseUrl.checkRoute(
        "http://127.0.0.1:8080",
        io.github.capreport.spi.TransportOptions.builder().noProxy().build(),
        false);
  }

  @Test
  void proxyCredentialsGoOnlyInATunnelForHttps() {
    io.github.capreport.spi.TransportOptions authenticating =
        io.github.capreport.spi.TransportOptions.builder()
            .proxy("proxy.corp", 3128)
            .proxyCredentials("user", "pw-of-the-proxy")
            .build();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> BaseUrl.checkRoute("http://127.0.0.1:8080", authenticating, true));
    assertTrue(e.getMessage().contains("https"), e.getMessage());
    assertFalse(e.getMessage().contains("pw-of-the-proxy"), e.getMessage());
    BaseUrl.checkRoute("https://127.0.0.1:8443", authenticating, false);
  }
}
