package io.github.capreport.jackson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
  void readsTheTopLevelMembersWhateverTheMapper() throws Exception {
    assertEquals(
        Arrays.asList("errorId#1", "errorCode=X", "errorDescription=d", "new=null", "n=null"),
        members(
            new JacksonEnvelopes(STRICT),
            "{\"errorId\":1,\"errorCode\":\"X\",\"errorDescription\":\"d\",\"new\":[1],\"n\":null}"));
  }

  @Test
  void aNumberGoesOverAsWrittenWhateverTheMapperDoesWithNumbers() throws Exception {
    String body =
        "{\"errorId\":\"0\",\"status\":1.5,\"big\":9223372036854775808,\"e\":1e0,"
            + "\"d\":1.0,\"t\":true}";
    List<String> expected =
        Arrays.asList(
            "errorId=0", "status#1.5", "big#9223372036854775808", "e#1e0", "d#1.0", "t=null");
    assertEquals(expected, members(new JacksonEnvelopes(null), body));
    ObjectMapper decimals =
        JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .build();
    assertEquals(expected, members(new JacksonEnvelopes(decimals), body));
  }

  @Test
  void aBodyThatIsNotAnObjectIsRejected() {
    JacksonEnvelopes json = new JacksonEnvelopes(null);
    for (String notAnObject :
        new String[] {
          "[1]", "<html>", "{\"errorId\":", "\"x\"", "", "{\"errorId\":0} junk", "{}{}", "{}]"
        }) {
      assertThrows(IOException.class, () -> members(json, notAnObject), notAnObject);
    }
  }

  /** What the binding hands over: name#number, name=string, or name=null for any other value. */
  private static List<String> members(JacksonEnvelopes json, String body) throws Exception {
    List<String> seen = new ArrayList<>();
    json.readMembers(
        bytes(body), (name, isNumber, text) -> seen.add(name + (isNumber ? "#" : "=") + text));
    return seen;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
