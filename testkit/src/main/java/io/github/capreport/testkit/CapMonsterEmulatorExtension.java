package io.github.capreport.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Runs a {@link CapMonsterEmulator} around JUnit 5 tests.
 *
 * <p>In a static field, one emulator serves the whole class: started before all tests, {@linkplain
 * CapMonsterEmulator#reset() reset} before and after each (recordings, queued misbehaviour, held
 * requests, keys and task ids back to the builder's), closed after all. In an instance field, each
 * test gets a fresh emulator, closed after it.
 *
 * <pre>{@code
 * class MyReporterTest {
 *   @RegisterExtension
 *   static final CapMonsterEmulatorExtension capmonster =
 *       new CapMonsterEmulatorExtension(CapMonsterEmulator.builder().clientKey("test-key").taskIds(42));
 *
 *   @Test
 *   void reportsOnce() {
 *     myReporter(capmonster.baseUrl()).reportWrongAnswer(42);
 *     assertEquals(1, capmonster.emulator().count(42));
 *   }
 *
 *   @Test
 *   void survivesABadGateway(CapMonsterEmulator emulator) { // or take it as a parameter
 *     emulator.nextRequest().respond(502, "text/html", "<html>Bad gateway</html>");
 *     ...
 *   }
 * }
 * }</pre>
 *
 * <p>Test and lifecycle method parameters of type {@link CapMonsterEmulator} receive the emulator
 * of the extension registered in that class.
 */
public final class CapMonsterEmulatorExtension
    implements BeforeAllCallback,
        BeforeEachCallback,
        AfterEachCallback,
        AfterAllCallback,
        ParameterResolver {
  private final CapMonsterEmulator.Builder builder;
  private volatile CapMonsterEmulator emulator;
  private int classDepth;

  /** An emulator that accepts the given key and any positive task id. */
  public CapMonsterEmulatorExtension(String clientKey) {
    this(CapMonsterEmulator.builder().clientKey(clientKey).acceptAnyTaskId());
  }

  /** An emulator configured by {@code builder}; the extension starts it. */
  public CapMonsterEmulatorExtension(CapMonsterEmulator.Builder builder) {
    if (builder == null) {
      throw new NullPointerException("builder == null");
    }
    this.builder = builder.copy();
  }

  /**
   * The running emulator.
   *
   * @throws IllegalStateException outside the tests the extension runs around
   */
  public CapMonsterEmulator emulator() {
    CapMonsterEmulator running = emulator;
    if (running == null) {
      throw new IllegalStateException(
          "the emulator runs only while the tests of the class that registered it run");
    }
    return running;
  }

  /** Shorthand for {@code emulator().baseUrl()}. */
  public String baseUrl() {
    return emulator().baseUrl();
  }

  @Override
  public synchronized void beforeAll(ExtensionContext context) {
    // Nested classes and sibling subclasses of a shared base see the same static extension.
    if (classDepth++ == 0) {
      emulator = builder.start();
    }
  }

  @Override
  public synchronized void beforeEach(ExtensionContext context) {
    if (classDepth == 0) {
      emulator = builder.start();
    } else {
      emulator.reset();
    }
  }

  @Override
  public synchronized void afterEach(ExtensionContext context) {
    CapMonsterEmulator running = emulator;
    if (running == null) {
      return;
    }
    if (classDepth == 0) {
      emulator = null;
      running.close();
    } else {
      // Drops held requests now rather than at the end of the class.
      running.reset();
    }
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) {
    if (--classDepth == 0 && emulator != null) {
      emulator.close();
      emulator = null;
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == CapMonsterEmulator.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return emulator();
  }

  @Override
  public String toString() {
    CapMonsterEmulator running = emulator;
    return "CapMonsterEmulatorExtension{" + (running == null ? builder : running) + "}";
  }
}
