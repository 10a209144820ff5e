package io.github.capreport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** What counts of the members a binding reads: one rule for every binding. */
class EnvelopeTest {
  @Test
  void takesTheApisFieldsWithTheApisTypes() {
    Envelope e = new Envelope();
    e.member("errorId", true, "16");
    e.member("errorCode", false, "ERROR_NO_SUCH_CAPCHA_ID");
    e.member("errorDescription", false, "gone");
    e.member("status", false, "success");
    e.member("taskId", true, "5"); // not the API's answer field: ignored
    assertEquals(Long.valueOf(16), e.errorId);
    assertEquals("ERROR_NO_SUCH_CAPCHA_ID", e.errorCode);
    assertEquals("gone", e.errorDescription);
    assertEquals("success", e.status);
  }

  @Test
  void anErrorIdIsAnIntegerLiteralThatFitsALong() {
    assertEquals(0L, Envelope.errorIdOf("0"));
    assertEquals(-1L, Envelope.errorIdOf("-1"));
    assertEquals(Long.MAX_VALUE, Envelope.errorIdOf("9223372036854775807"));
    assertEquals(0L, Envelope.errorIdOf("-0"));
    for (String notOne :
        new String[] {
          "1.0",
          "1e0",
          "9223372036854775808",
          "",
          " 1",
          null,
          "+1",
          "01",
          "-",
          "--1",
          "\u0661",
          "1_0"
        }) {
      assertNull(Envelope.errorIdOf(notOne), String.valueOf(notOne));
    }
  }

  @Test
  void aMemberOfAnotherTypeIsNone() {
    Envelope e = new Envelope();
    e.member("errorId", false, "0"); // a string, however numeric
    e.member("errorCode", true, "42");
    e.member("errorDescription", false, null); // an object, an array, a boolean, null
    e.member("status", true, "1");
    assertNull(e.errorId);
    assertNull(e.errorCode);
    assertNull(e.errorDescription);
    assertNull(e.status);
  }

  /** Whether a binding hands every repeat of a name or only the last, the last one counts. */
  @Test
  void theLastMemberOfARepeatedNameCounts() {
    Envelope e = new Envelope();
    e.member("errorId", true, "0");
    e.member("status", false, "success");
    e.member("errorId", false, "1");
    e.member("status", true, "0");
    assertNull(e.errorId, "a first errorId that a later one of another type replaced");
    assertNull(e.status);
    e.member("errorId", true, "1");
    assertEquals(Long.valueOf(1), e.errorId);
  }

  /** A binding that kept the callback cannot change an answer after core read it. */
  @Test
  void aMemberAfterTheBindingReturnedIsIgnored() {
    Envelope e = new Envelope();
    e.member("errorId", true, "0");
    e.complete = true;
    e.member("errorId", true, "1");
    assertEquals(Long.valueOf(0), e.errorId);
  }
}
