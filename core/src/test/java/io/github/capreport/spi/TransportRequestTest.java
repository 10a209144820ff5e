package io.github.capreport.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.capreport.ReportEndpoint;
import java.net.URI;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TransportRequestTest {
  private static final URI URI_ =
      URI.create("https://api.capmonster.cloud/reportIncorrectImageCaptcha");

  private static TransportRequest request(String userAgent) {
    return new TransportRequest(URI_, ReportEndpoint.IMAGE_CAPTCHA, "key", 1, userAgent, 100);
  }

  @Test
  void headersInOrderWithTheirOwnUserAgent() {
    for (String agent : new String[] {"a/1", "b/2", "a/1", "a/1", "b/2"}) {
      Map<String, String> headers = request(agent).headers();
      assertEquals(
          Arrays.asList("Content-Type", "Accept", "User-Agent"),
          Arrays.asList(headers.keySet().toArray()));
      assertEquals("application/json", headers.get("Content-Type"));
      assertEquals("application/json", headers.get("Accept"));
      assertEquals(agent, headers.get("User-Agent"));
      assertEquals(agent, request(agent).userAgent());
    }
  }

  @Test
  void requestsWithTheSameUserAgentShareOneImmutableMap() {
    Map<String, String> first = request("same/1").headers();
    assertSame(first, request("same/1").headers());
    assertThrows(UnsupportedOperationException.class, () -> first.put("X", "y"));
  }
}
