package io.github.capreport.jackson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.capreport.spi.ResponseEnvelope;
import java.io.IOException;
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
    assertEquals(
        "{\"clientKey\":\"k\\\"ey\",\"taskId\":9000000000}",
        new String(
            new JacksonEnvelopes(STRICT).reportBody("k\"ey", 9_000_000_000L),
            StandardCharsets.UTF_8));
  }

  @Test
  void readsTheEnvelopeIgnoringUnknownFieldsWhateverTheMapper() throws IOException {
    ResponseEnvelope e =
        new JacksonEnvelopes(STRICT)
            .envelope(
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
        new JacksonEnvelopes(null).envelope(bytes("{\"errorId\":\"0\",\"status\":1.5}"));
    assertNull(e.errorId());
    assertNull(e.status());
    assertNull(new JacksonEnvelopes(null).envelope(bytes("{\"errorId\":1.5}")).errorId());
  }

  @Test
  void aBodyThatIsNotAnObjectIsRejected() {
    JacksonEnvelopes json = new JacksonEnvelopes(null);
    assertThrows(IOException.class, () -> json.envelope(bytes("[1]")));
    assertThrows(IOException.class, () -> json.envelope(bytes("<html>")));
    assertThrows(IOException.class, () -> json.envelope(bytes("{\"errorId\":")));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
