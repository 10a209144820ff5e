package io.github.capreport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportProvider;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransportSelectorTest {
  private static final TransportProvider JDK = provider("jdk", 100);
  private static final TransportProvider RETROFIT = provider("retrofit", 200);
  private static final TransportProvider APACHE = provider("apache", 300);

  @Test
  void noneFoundNamesTheArtifactsToAdd() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> TransportSelector.select(Collections.emptyList(), null, null));
    assertTrue(e.getMessage().contains("capreport-transport-jdk"), e.getMessage());
    assertTrue(e.getMessage().contains("capreport-transport-apache"), e.getMessage());
    assertTrue(e.getMessage().contains("capreport-transport-retrofit"), e.getMessage());
  }

  @Test
  void oneFoundIsChosen() {
    assertEquals(JDK, TransportSelector.select(Collections.singletonList(JDK), null, null));
  }

  @Test
  void severalFoundChooseTheHighestPriorityWhateverTheOrder() {
    assertEquals(
        APACHE, TransportSelector.select(Arrays.asList(JDK, RETROFIT, APACHE), null, null));
    assertEquals(
        APACHE, TransportSelector.select(Arrays.asList(APACHE, JDK, RETROFIT), null, null));
    assertEquals(RETROFIT, TransportSelector.select(Arrays.asList(JDK, RETROFIT), null, ""));
  }

  @Test
  void equalPrioritiesAreBrokenById() {
    TransportProvider b = provider("b", 5);
    TransportProvider a = provider("a", 5);
    assertEquals(a, TransportSelector.select(Arrays.asList(b, a), null, null));
    assertEquals(a, TransportSelector.select(Arrays.asList(a, b), null, null));
  }

  @Test
  void thePropertyOverridesPriority() {
    List<TransportProvider> all = Arrays.asList(JDK, RETROFIT, APACHE);
    assertEquals(JDK, TransportSelector.select(all, null, "jdk"));
    assertEquals(RETROFIT, TransportSelector.select(all, null, " retrofit "));
  }

  @Test
  void theBuilderBeatsTheProperty() {
    assertEquals(
        RETROFIT,
        TransportSelector.select(Arrays.asList(JDK, RETROFIT, APACHE), "retrofit", "jdk"));
  }

  @Test
  void anUnknownIdListsWhatWasFound() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> TransportSelector.select(Arrays.asList(JDK, APACHE), null, "okhttp"));
    assertTrue(e.getMessage().contains("'okhttp'"), e.getMessage());
    assertTrue(e.getMessage().contains("capreport.transport"), e.getMessage());
    assertTrue(e.getMessage().contains("[apache, jdk]"), e.getMessage());
  }

  @Test
  void discoveryUsesServiceLoader() {
    // core's test resources register exactly one provider.
    List<TransportProvider> found = TransportSelector.discover();
    assertEquals(1, found.size());
    assertEquals("test", found.get(0).id());
  }

  @Test
  void anIdIsAWord() {
    for (String bad :
        new String[] {
          "", " jdk", "jdk ", "my http", "tab\tid", "nl\n", "jdk\u00a0", "\u0434\u0436"
        }) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> provider(bad, 1), bad);
      assertTrue(e.getMessage().contains("\"" + bad + "\""), e.getMessage());
    }
    assertEquals("my-http_2", provider("my-http_2", 1).id());
  }

  /** Registered only by {@link #aProviderWithABadIdFoundByServiceLoaderFailsDiscovery}. */
  public static final class BadIdProvider extends TransportProvider {
    public BadIdProvider() {
      super("my http", 1);
    }

    @Override
    public Transport create(TransportOptions options) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void aProviderWithABadIdFoundByServiceLoaderFailsDiscovery(@TempDir Path dir) throws Exception {
    Path services = dir.resolve("META-INF/services/" + TransportProvider.class.getName());
    Files.createDirectories(services.getParent());
    Files.write(services, BadIdProvider.class.getName().getBytes(StandardCharsets.UTF_8));
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> TransportSelector.discover(loader));
      assertTrue(e.getMessage().contains(BadIdProvider.class.getName()), e.getMessage());
      assertTrue(e.getMessage().contains("not \"my http\""), e.getMessage());
    }
  }

  static TransportProvider provider(final String id, final int priority) {
    return new TransportProvider(id, priority) {

      @Override
      public Transport create(TransportOptions options) {
        throw new UnsupportedOperationException("not created in selection tests");
      }

      @Override
      public String toString() {
        return id;
      }
    };
  }
}
