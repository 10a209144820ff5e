package io.github.capreport.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ProtocolException;
import org.junit.jupiter.api.Test;

class RedactorTest {
  private static final String KEY = "0123456789abcdef";
  private final Redactor redactor = new Redactor(KEY);

  @Test
  void scrubsEveryOccurrenceOfTheKeyOnly() {
    assertEquals("a <redacted> b <redacted>", redactor.scrub("a " + KEY + " b " + KEY));
    assertEquals("nothing here", redactor.scrub("nothing here"));
    assertNull(redactor.scrub(null));
    assertEquals("x", new Redactor("").scrub("x"));
    assertTrue(redactor.reveals("..." + KEY));
    assertFalse(redactor.reveals(null));
    assertEquals(KEY.length(), redactor.secretLength());
  }

  @Test
  void aChainWithoutTheKeyIsKeptAsIs() {
    IOException e = new IOException("reset", new ProtocolException("bad status line"));
    assertSame(e, redactor.chain(e));
  }

  @Test
  void aChainWithTheKeyAnywhereIsCopiedWholeScrubbedAndNamed() {
    ProtocolException deep = new ProtocolException("unexpected status line: " + KEY);
    IOException top = new IOException("exchange failed", deep);
    top.addSuppressed(new IOException("chunk " + KEY));
    IOException copy = redactor.chain(top);
    Redactor.RedactedCause head = assertInstanceOf(Redactor.RedactedCause.class, copy);
    assertEquals("java.io.IOException: exchange failed", head.getMessage());
    assertArrayEquals(top.getStackTrace(), head.getStackTrace());
    Redactor.RedactedCause cause = assertInstanceOf(Redactor.RedactedCause.class, head.getCause());
    assertEquals(
        "java.net.ProtocolException: unexpected status line: <redacted>", cause.getMessage());
    assertEquals(1, head.getSuppressed().length);
    StringWriter trace = new StringWriter();
    copy.printStackTrace(new PrintWriter(trace));
    assertFalse(trace.toString().contains(KEY), trace.toString());
  }

  @Test
  void aPathologicallyDeepChainIsCutNotFollowedForever() {
    IOException e = new IOException("bottom");
    for (int i = 0; i < 1000; i++) {
      e = new IOException("level " + i, e);
    }
    IOException shallow = new IOException("top " + KEY, e);
    IOException copy = redactor.chain(shallow);
    int depth = 0;
    for (Throwable t = copy; t != null; t = t.getCause()) {
      depth++;
      assertFalse(String.valueOf(t.getMessage()).contains(KEY));
    }
    assertTrue(depth <= 17, "copied " + depth + " links");
  }

  @Test
  void aCycleInTheChainDoesNotHang() {
    IOException a = new IOException("a " + KEY);
    IOException b = new IOException("b", a);
    a.initCause(b);
    IOException copy = redactor.chain(a);
    assertInstanceOf(Redactor.RedactedCause.class, copy);
    assertFalse(copy.getMessage().contains(KEY));
    assertFalse(copy.getCause().getCause().getMessage().contains(KEY));
  }

  @Test
  void aKeyDeeperThanTheLimitIsStillNotShown() {
    IOException e = new IOException("bottom " + KEY);
    for (int i = 0; i < 20; i++) {
      e = new IOException("level " + i, e);
    }
    StringWriter trace = new StringWriter();
    redactor.chain(e).printStackTrace(new PrintWriter(trace));
    assertFalse(trace.toString().contains(KEY), "the key leaked through a deep chain");
  }

  @Test
  void partsOfTheKeyAreMaskedTooFromEightCharactersOn() {
    Redactor hex = new Redactor("0123456789abcdef0123456789abcdef");
    // OkHttp on a key sent back as a chunk size: 17 of its digits.
    assertEquals("Number too large: <redacted>", hex.scrub("Number too large: 123456789abcdef01"));
    assertTrue(hex.reveals("x 89abcdef y"));
    assertEquals("seven: 89abcde", hex.scrub("seven: 89abcde"), "fewer than 8 stay");
    // The key as the request's JSON carries it, a backslash escaped.
    assertEquals("<redacted>", new Redactor("abcdefgh\\ijklmnop").scrub("abcdefgh\\\\ijklmnop"));
    // A key shorter than eight is masked only whole.
    assertEquals(
        "ERROR_<redacted>_DOES_NOT_EXIST", new Redactor("KEY").scrub("ERROR_KEY_DOES_NOT_EXIST"));
    assertEquals("no KE here", new Redactor("KEY").scrub("no KE here"));
  }
}
