package io.github.capreport.jackson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.capreport.ReportEndpoint;
import io.github.capreport.spi.ResponseEnvelope;
import io.github.capreport.spi.TransportRequest;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JacksonEnvelopesTest {
  private static final ObjectMapper STRICT =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(JsonWriteFeature.WRITE_NUMBERS_AS_STRINGS)
          .build();

  @Test
  void writesExactlyTheTwoFields() throws IOException {
    TransportRequest request =
        new TransportRequest(
            URI.create("http://127.0.0.1/reportIncorrectImageCaptcha"),
            ReportEndpoint.IMAGE_CAPTCHA,
            "k\"ey",
            9_000_000_000L,
            "ua",
            100);
    assertEquals(
        "{\"clientKey\":\"k\\\"ey\",\"taskId\":9000000000}",
        new String(JacksonEnvelopes.body(request), StandardCharsets.UTF_8));
  }

  @Test
  void readsTheEnvelopeIgnoringUnknownFieldsWhateverTheMapper() throws IOException {
    ResponseEnvelope e =
        new JacksonEnvelopes(STRICT)
            .parse(
                bytes(
                    "{\"errorId\":1,\"errorCode\":\"X\",\"errorDescription\":\"d\",\"new\":[1]}"));
    assertEquals(1L, e.errorId());
    assertEquals("X", e.errorCode());
    assertEquals("d", e.errorDescription());
    assertNull(e.status());
  }

  @Test
  void mistypedFieldsAreAbsent() throws IOException {
    ResponseEnvelope e =
        new JacksonEnvelopes(null).parse(bytes("{\"errorId\":\"0\",\"status\":1.5}"));
    assertNull(e.errorId());
    assertNull(e.status());
    assertNull(new JacksonEnvelopes(null).parse(bytes("{\"errorId\":1.5}")).errorId());
  }

  @Test
  void aBodyThatIsNotAnObjectIsRejected() {
    JacksonEnvelopes json = new JacksonEnvelopes(null);
    assertThrows(IOException.class, () -> json.parse(bytes("[1]")));
    assertThrows(IOException.class, () -> json.parse(bytes("<html>")));
    assertThrows(IOException.class, () -> json.parse(bytes("{\"errorId\":")));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
