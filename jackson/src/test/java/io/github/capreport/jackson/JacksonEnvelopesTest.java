package io.github.capreport.jackson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class JacksonEnvelopesTest {
  private static final JacksonEnvelopes JSON = JacksonEnvelopes.INSTANCE;

  @Test
  void writesExactlyTheTwoFields() throws IOException {
    assertEquals(
        "{\"clientKey\":\"k\\\"ey\",\"taskId\":9000000000}",
        new String(JSON.reportBody("k\"ey", 9_000_000_000L), StandardCharsets.UTF_8));
  }

  @Test
  void readsTheTopLevelMembersInOrder() throws Exception {
    assertEquals(
        Arrays.asList("errorId#1", "errorCode=X", "errorDescription=d", "new=null", "n=null"),
        members(
            JSON,
            "{\"errorId\":1,\"errorCode\":\"X\",\"errorDescription\":\"d\",\"new\":[1],\"n\":null}"));
  }

  @Test
  void aNumberGoesOverAsWritten() throws Exception {
    assertEquals(
        Arrays.asList(
            "errorId=0", "status#1.5", "big#9223372036854775808", "e#1e0", "d#1.0", "t=null"),
        members(
            JSON,
            "{\"errorId\":\"0\",\"status\":1.5,\"big\":9223372036854775808,\"e\":1e0,"
                + "\"d\":1.0,\"t\":true}"));
  }

  /** Strict JSON, as the Moshi binding reads it: none of what a mapper may be set to allow. */
  @Test
  void aBodyThatIsNotOneStrictJsonObjectIsRejected() {
    for (String notAnObject :
        new String[] {
          "[1]",
          "<html>",
          "{\"errorId\":",
          "\"x\"",
          "",
          "{\"errorId\":0} junk",
          "{}{}",
          "{}]",
          "{\"errorId\":0} // c",
          "{\"errorId\":0,}",
          "{'errorId':1}",
          "{\"errorId\":+1}",
          "{\"errorId\":007}",
          "{errorId:1}",
          "{\"errorId\":NaN}"
        }) {
      assertThrows(IOException.class, () -> members(JSON, notAnObject), notAnObject);
    }
  }

  @Test
  void whitespaceAfterTheObjectIsFine() throws Exception {
    assertEquals(Arrays.asList("errorId#0"), members(JSON, " {\"errorId\":0}\r\n\t \n"));
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
