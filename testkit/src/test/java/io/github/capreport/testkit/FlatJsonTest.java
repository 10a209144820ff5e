package io.github.capreport.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FlatJsonTest {
  @Test
  void parsesAFlatObject() {
    Map<String, Object> fields =
        FlatJson.parse(
            " { \"s\" : \"a\\\"b\\\\c\\u0041\\n\", \"n\":-12.5e2, \"t\":true, \"f\":false,"
                + " \"z\":null, \"i\":9000000000 } ");
    assertEquals(List.of("s", "n", "t", "f", "z", "i"), List.copyOf(fields.keySet()));
    assertEquals("a\"b\\cA\n", fields.get("s"));
    assertEquals(new BigDecimal("-12.5e2"), fields.get("n"));
    assertEquals(Boolean.TRUE, fields.get("t"));
    assertEquals(Boolean.FALSE, fields.get("f"));
    assertSame(FlatJson.NULL, fields.get("z"));
    assertEquals(new BigDecimal("9000000000"), fields.get("i"));
    assertEquals(Map.of(), FlatJson.parse("{}"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "{",
        "[]",
        "{\"a\":{}}",
        "{\"a\":[1]}",
        "{\"a\":1,}",
        "{\"a\":1}x",
        "{a:1}",
        "{\"a\":01}",
        "{\"a\":1,\"a\":2}",
        "{\"a\":\"\\x\"}",
        "{\"a\":tru}",
        "{\"a\":-}"
      })
  void rejectsAnythingElse(String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FlatJson.parse(text));
    assertFalse(e.getMessage().contains(text.isEmpty() ? "\u0000" : text));
  }

  @Test
  void escapesForJson() {
    assertEquals("a\\\"b\\\\c\\u000a", FlatJson.escape("a\"b\\c\n"));
  }
}
