package io.github.capreport.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.capreport.ReportEndpoint;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TransportRequestTest {
  private static final URI URI_ =
      URI.create("https://api.capmonster.cloud/reportIncorrectImageCaptcha");

  private static Map<String, String> headers(String agent) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("Accept", "application/json");
    headers.put("User-Agent", agent);
    return headers;
  }

  private static TransportRequest template(String agent) {
    return new TransportRequest(URI_, ReportEndpoint.IMAGE_CAPTCHA, headers(agent));
  }

  @Test
  void headersAreCopiedInOrderAndImmutable() {
    Map<String, String> given = headers("a/1");
    TransportRequest request = new TransportRequest(URI_, ReportEndpoint.IMAGE_CAPTCHA, given);
    given.put("X-Later", "changed");
    given.put("User-Agent", "b/2");
    Map<String, String> headers = request.headers();
    assertEquals(
        Arrays.asList("Content-Type", "Accept", "User-Agent"),
        Arrays.asList(headers.keySet().toArray()));
    assertEquals("a/1", headers.get("User-Agent"));
    assertThrows(UnsupportedOperationException.class, () -> headers.put("X", "y"));
  }

  @Test
  void aTemplateHasNoBodyAndNoTask() {
    TransportRequest template = template("a/1");
    assertEquals(0, template.taskId());
    assertEquals(0, template.bodyLength());
    assertEquals(0, template.body().length);
  }

  @Test
  void eachReportSharesTheTemplatesUriAndHeaders() {
    TransportRequest template = template("same/1");
    TransportRequest first = template.withBody(1, new byte[] {1});
    TransportRequest second = template.withBody(2, new byte[] {2, 2});
    assertSame(template.headers(), first.headers());
    assertSame(template.headers(), second.headers());
    assertSame(template.uri(), second.uri());
    assertEquals(ReportEndpoint.IMAGE_CAPTCHA, second.endpoint());
    assertEquals(2, second.taskId());
    assertEquals(2, second.bodyLength());
    assertEquals(0, template.bodyLength(), "withBody must not change the template");
  }

  @Test
  void theBodyIsCopiedInAndOut() {
    byte[] given = "{\"clientKey\":\"k\",\"taskId\":1}".getBytes(StandardCharsets.UTF_8);
    byte[] expected = given.clone();
    TransportRequest request = template("a/1").withBody(1, given);
    given[0] = 'X';
    assertArrayEquals(expected, request.body());
    request.body()[0] = 'Y';
    assertArrayEquals(expected, request.body());
  }

  @Test
  void toStringNeverShowsTheBody() {
    TransportRequest request =
        template("a/1").withBody(9, "{\"clientKey\":\"s3cr3t\"}".getBytes(StandardCharsets.UTF_8));
    assertEquals(
        "TransportRequest{POST /reportIncorrectImageCaptcha, taskId=9, body=<redacted>}",
        request.toString());
    assertFalse(request.toString().contains("s3cr3t"));
  }

  @Test
  void nullsAreRejected() {
    assertThrows(
        NullPointerException.class,
        () -> new TransportRequest(null, ReportEndpoint.IMAGE_CAPTCHA, headers("a")));
    assertThrows(NullPointerException.class, () -> new TransportRequest(URI_, null, headers("a")));
    assertThrows(
        NullPointerException.class,
        () -> new TransportRequest(URI_, ReportEndpoint.IMAGE_CAPTCHA, null));
    assertThrows(NullPointerException.class, () -> template("a").withBody(1, null));
  }
}
