package io.github.capreport.transport.retrofit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.capreport.spi.ResponseEnvelope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The Moshi binding alone: no HTTP here, that is the conformance suite's job. */
class MoshiEnvelopesTest {
  private static ResponseEnvelope parse(String json) throws Exception {
    return MoshiEnvelopes.INSTANCE.envelope(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsAnAcceptedAnswer() throws Exception {
    ResponseEnvelope e = parse("{\"errorId\":0,\"status\":\"success\"}");
    assertEquals(Long.valueOf(0), e.errorId());
    assertEquals("success", e.status());
    assertNull(e.errorCode());
    assertNull(e.errorDescription());
  }

  @Test
  void readsARefusalAndIgnoresUnknownFields() throws Exception {
    ResponseEnvelope e =
        parse(
            "{\"taskId\":5,\"errorId\":16,\"nested\":{\"a\":[1,2,{\"b\":null}]},"
                + "\"errorCode\":\"ERROR_NO_SUCH_CAPCHA_ID\",\"errorDescription\":\"gone\"}");
    assertEquals(Long.valueOf(16), e.errorId());
    assertEquals("ERROR_NO_SUCH_CAPCHA_ID", e.errorCode());
    assertEquals("gone", e.errorDescription());
    assertNull(e.status());
  }

  @Test
  void errorIdCountsOnlyAsAnIntegerThatFitsALong() throws Exception {
    assertEquals(
        Long.valueOf(Long.MAX_VALUE), parse("{\"errorId\":9223372036854775807}").errorId());
    assertEquals(Long.valueOf(-1), parse("{\"errorId\":-1}").errorId());
    assertNull(parse("{\"errorId\":9223372036854775808}").errorId());
    assertNull(parse("{\"errorId\":1.0}").errorId());
    assertNull(parse("{\"errorId\":1e0}").errorId());
    assertNull(parse("{\"errorId\":\"0\"}").errorId());
    assertNull(parse("{\"errorId\":null}").errorId());
    assertNull(parse("{\"errorId\":true}").errorId());
    assertNull(parse("{\"errorId\":[0]}").errorId());
  }

  @Test
  void stringsCountOnlyAsStrings() throws Exception {
    ResponseEnvelope e =
        parse("{\"errorId\":1,\"errorCode\":42,\"errorDescription\":null,\"status\":{\"x\":1}}");
    assertEquals(Long.valueOf(1), e.errorId());
    assertNull(e.errorCode());
    assertNull(e.errorDescription());
    assertNull(e.status());
  }

  @Test
  void anythingButAnObjectIsAnError() {
    for (String json :
        new String[] {"[]", "null", "\"success\"", "0", "", "   ", "{\"errorId\":0", "<html>"}) {
      assertThrows(Exception.class, () -> parse(json), json);
    }
  }

  @Test
  void writesExactlyTheTwoFieldsInUtf8WithTaskIdAsANumber() throws IOException {
    byte[] body = MoshiEnvelopes.INSTANCE.reportBody("k\"ey\u00e9\u20ac", 9007199254740993L);
    assertEquals(
        "{\"clientKey\":\"k\\\"ey\u00e9\u20ac\",\"taskId\":9007199254740993}",
        new String(body, StandardCharsets.UTF_8));
    assertEquals(
        "{\"clientKey\":\"k\",\"taskId\":1}",
        new String(MoshiEnvelopes.INSTANCE.reportBody("k", 1), StandardCharsets.UTF_8));
  }
}
