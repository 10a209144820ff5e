package io.github.capreport.transport.retrofit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import io.github.capreport.spi.ResponseEnvelope;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The Moshi binding alone: no HTTP here, that is the conformance suite's job. */
class MoshiEnvelopesTest {
  private final MoshiEnvelopes envelopes = new MoshiEnvelopes(MoshiEnvelopes.with(null));

  private ResponseEnvelope parse(String json) throws Exception {
    return envelopes.parse(json.getBytes(StandardCharsets.UTF_8));
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
    assertNull(parse("{\"errorId\":9223372036854775808}").errorId());
    assertNull(parse("{\"errorId\":1.0}").errorId());
    assertNull(parse("{\"errorId\":1e0}").errorId());
    assertNull(parse("{\"errorId\":\"0\"}").errorId());
    assertNull(parse("{\"errorId\":null}").errorId());
    assertNull(parse("{\"errorId\":true}").errorId());
  }

  @Test
  void stringsCountOnlyAsStrings() throws Exception {
    ResponseEnvelope e = parse("{\"errorId\":1,\"errorCode\":42,\"status\":{\"x\":1}}");
    assertNull(e.errorCode());
    assertNull(e.status());
  }

  @Test
  void anythingButAnObjectIsAnError() {
    for (String json :
        new String[] {"[]", "null", "\"success\"", "0", "   ", "{\"errorId\":0", "<html>"}) {
      assertThrows(Exception.class, () -> parse(json), json);
    }
  }

  @Test
  void writesTheBodyWithTaskIdAsANumber() {
    JsonAdapter<ReportBody> adapter = MoshiEnvelopes.with(null).adapter(ReportBody.class);
    assertEquals(
        "{\"clientKey\":\"k\\\"ey\",\"taskId\":9007199254740993}",
        adapter.toJson(new ReportBody("k\"ey", 9007199254740993L)));
  }

  @Test
  void aUserMoshiKeepsItsAdaptersAndGainsOurs() throws Exception {
    Moshi user =
        new Moshi.Builder()
            .add(
                new Object() {
                  @com.squareup.moshi.ToJson
                  String toJson(StringBuilder sb) {
                    return sb.toString();
                  }

                  @com.squareup.moshi.FromJson
                  StringBuilder fromJson(String s) {
                    return new StringBuilder(s);
                  }
                })
            .build();
    Moshi combined = MoshiEnvelopes.with(user);
    assertNotNull(combined.adapter(StringBuilder.class));
    assertEquals(
        Long.valueOf(0),
        new MoshiEnvelopes(combined)
            .parse("{\"errorId\":0}".getBytes(StandardCharsets.UTF_8))
            .errorId());
  }

  @Test
  void theBodyNeverShowsTheKey() {
    assertEquals(
        "ReportBody{clientKey=<redacted>, taskId=7}", new ReportBody("secret", 7).toString());
  }
}
