package io.github.capreport.testkit;

import static io.github.capreport.testkit.Http.KEY;
import static io.github.capreport.testkit.Http.post;
import static io.github.capreport.testkit.Http.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(30)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CapMonsterEmulatorExtensionTest {
  @RegisterExtension
  static final CapMonsterEmulatorExtension CAPMONSTER = new CapMonsterEmulatorExtension(KEY);

  private static CapMonsterEmulator first;

  @Test
  @Order(1)
  void startsBeforeTheTests(CapMonsterEmulator emulator) throws IOException {
    first = emulator;
    assertSame(CAPMONSTER.emulator(), emulator);
    assertEquals(emulator.baseUrl(), CAPMONSTER.baseUrl());
    assertTrue(
        post(
                emulator.baseUrl() + "/reportIncorrectImageCaptcha",
                "application/json",
                report(KEY, 5))
            .body()
            .contains("success"));
    emulator.addClientKey("added-in-test-1");
    emulator.nextRequest().respond(500, "text/plain", "left over");
  }

  @Test
  @Order(2)
  void resetsBetweenTests(CapMonsterEmulator emulator) throws IOException {
    assertSame(first, emulator);
    assertEquals(0, emulator.requestCount());
    Http.Answer answer =
        post(
            emulator.baseUrl() + "/reportIncorrectImageCaptcha",
            "application/json",
            report("added-in-test-1", 5));
    assertEquals(200, answer.status());
    assertTrue(answer.body().contains("ERROR_KEY_DOES_NOT_EXIST"));
  }

  @Nested
  class PerTestEmulator {
    @RegisterExtension
    final CapMonsterEmulatorExtension own =
        new CapMonsterEmulatorExtension(CapMonsterEmulator.builder().clientKey("own").taskIds(3));

    @Test
    void getsItsOwnEmulator() throws IOException {
      assertNotSame(CAPMONSTER.emulator(), own.emulator());
      assertTrue(
          post(own.baseUrl() + "/reportIncorrectImageCaptcha", "application/json", report("own", 3))
              .body()
              .contains("success"));
    }
  }

  @Test
  void isUnavailableOutsideTests() {
    CapMonsterEmulatorExtension idle = new CapMonsterEmulatorExtension(KEY);
    assertThrows(IllegalStateException.class, idle::emulator);
    assertTrue(!idle.toString().contains(KEY), idle.toString());
  }
}
