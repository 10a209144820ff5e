package io.github.capreport.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.capreport.CapReportClient;
import io.github.capreport.testkit.CapMonsterEmulator;
import io.github.capreport.testkit.CapMonsterEmulatorExtension;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** jdk, apache and retrofit on one classpath, as in an application that pulled in all three. */
class DiscoveryWithEveryTransportTest {
  private static final String KEY = "discovery-test-key";
  private static final String PROPERTY = "capreport.transport";

  @RegisterExtension
  static final CapMonsterEmulatorExtension capmonster = new CapMonsterEmulatorExtension(KEY);

  @AfterEach
  void clearProperty() {
    System.clearProperty(PROPERTY);
  }

  private static CapReportClient.Builder builder() {
    return CapReportClient.builder().clientKey(KEY).baseUrl(capmonster.baseUrl());
  }

  @Test
  void apacheWinsByPriorityWhateverTheClasspathOrder() {
    // apache 300 > retrofit 200 > jdk 100: the documented default.
    try (CapReportClient client = builder().build()) {
      assertEquals("apache", client.transportId());
      client.reportImage(1);
    }
    assertTrue(capmonster.emulator().lastRequest().header("User-Agent").endsWith("(apache)"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "apache", "retrofit"})
  void thePropertyPicksEachTransport(String id) {
    System.setProperty(PROPERTY, id);
    try (CapReportClient client = builder().build()) {
      assertEquals(id, client.transportId());
      client.reportToken(7);
    }
    CapMonsterEmulator emulator = capmonster.emulator();
    assertEquals(1, emulator.count(7));
    assertTrue(emulator.lastRequest().header("User-Agent").endsWith("(" + id + ")"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "apache", "retrofit"})
  void theBuildersChoiceBeatsTheProperty(String id) {
    System.setProperty(PROPERTY, "jdk".equals(id) ? "retrofit" : "jdk");
    try (CapReportClient client = builder().transportId(id).build()) {
      assertEquals(id, client.transportId());
      client.reportImage(3);
    }
  }

  @Test
  void anAbsentIdListsTheThreePresent() {
    System.setProperty(PROPERTY, "okhttp5");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> builder().build());
    assertTrue(
        e.getMessage().contains(List.of("apache", "retrofit", "jdk").toString()), e.getMessage());
  }
}
