package io.github.capreport.transport.retrofit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Moshi binding alone: no HTTP here, that is the conformance suite's job. */
class MoshiEnvelopesTest {
  /** What the binding hands over: name#number, name=string, or name=null for any other value. */
  private static List<String> members(String json) throws Exception {
    List<String> seen = new ArrayList<>();
    MoshiEnvelopes.INSTANCE.readMembers(
        json.getBytes(StandardCharsets.UTF_8),
        (name, isNumber, text) -> seen.add(name + (isNumber ? "#" : "=") + text));
    return seen;
  }

  @Test
  void readsEveryTopLevelMemberInOrderWithoutEnteringNestedValues() throws Exception {
    assertEquals(
        Arrays.asList(
            "taskId#5", "errorId#16", "nested=null", "errorCode=ERROR_NO_SUCH_CAPCHA_ID", "d=gone"),
        members(
            "{\"taskId\":5,\"errorId\":16,\"nested\":{\"a\":[1,2,{\"errorId\":0}]},"
                + "\"errorCode\":\"ERROR_NO_SUCH_CAPCHA_ID\",\"d\":\"gone\"}"));
  }

  @Test
  void aNumberIsHandedOverAsWritten() throws Exception {
    assertEquals(
        Arrays.asList(
            "a#9223372036854775807", "b#9223372036854775808", "c#-1", "d#1.0", "e#1e0", "f=0"),
        members(
            "{\"a\":9223372036854775807,\"b\":9223372036854775808,\"c\":-1,\"d\":1.0,"
                + "\"e\":1e0,\"f\":\"0\"}"));
  }

  @Test
  void anyOtherValueIsNull() throws Exception {
    assertEquals(
        Arrays.asList("a=null", "b=null", "c=null", "d=null"),
        members("{\"a\":null,\"b\":true,\"c\":[0],\"d\":{}}"));
  }

  @Test
  void everyRepeatOfANameIsHandedOver() throws Exception {
    assertEquals(
        Arrays.asList("errorId#0", "errorId=1"), members("{\"errorId\":0,\"errorId\":\"1\"}"));
  }

  @Test
  void whitespaceAfterTheObjectIsFine() throws Exception {
    assertEquals(Arrays.asList("errorId#0"), members(" {\"errorId\":0}\r\n\t \n"));
  }

  @Test
  void anythingButAnObjectIsAnError() {
    for (String json :
        new String[] {
          "[]",
          "null",
          "\"success\"",
          "0",
          "",
          "   ",
          "{\"errorId\":0",
          "<html>",
          "{\"errorId\":0} junk",
          "{}{}",
          "{}]",
          "{\"errorId\":0} // c",
          "{\"errorId\":0,}",
          "{'errorId':1}",
          "{\"errorId\":+1}",
          "{\"errorId\":007}"
        }) {
      assertThrows(Exception.class, () -> members(json), json);
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
