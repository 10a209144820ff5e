package io.github.capreport.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

class TransportOptionsTest {
  private static final String WHOSE = "the HttpClient given to JdkTransport";

  @Test
  void defaults() {
    TransportOptions options = TransportOptions.builder().build();
    assertEquals(TransportOptions.DEFAULT_CONNECT_TIMEOUT_MILLIS, options.connectTimeoutMillis());
    assertEquals(TransportOptions.DEFAULT_REQUEST_TIMEOUT_MILLIS, options.requestTimeoutMillis());
    assertEquals(TransportOptions.DEFAULT_MAX_CONNECTIONS, options.maxConnections());
    assertNull(options.sslContext());
    assertNull(options.executor());
  }

  @Test
  void aGivenClientAcceptsOptionsThatAreCoresOwn() {
    TransportOptions.builder()
        .requestTimeout(5, TimeUnit.SECONDS)
        .maxConnections(3)
        .userAgent("a/1")
        .executor(Runnable::run)
        .build()
        .rejectClientSettings(WHOSE);
  }

  @Test
  void aGivenClientRejectsAConnectTimeoutNamingItAndTheClient() {
    // Even the default value, set explicitly: the user asked for it and it would be ignored.
    TransportOptions options =
        TransportOptions.builder()
            .connectTimeout(TransportOptions.DEFAULT_CONNECT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
            .build();
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> options.rejectClientSettings(WHOSE));
    assertEquals(
        "connectTimeout cannot apply to "
            + WHOSE
            + ": set it on that client, or let the transport build its own",
        e.getMessage());
  }

  @Test
  void aGivenClientRejectsAnSslContext() throws Exception {
    TransportOptions options =
        TransportOptions.builder().sslContext(SSLContext.getDefault()).build();
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> options.rejectClientSettings(WHOSE));
    assertTrue(e.getMessage().startsWith("sslContext cannot apply to " + WHOSE), e.getMessage());
  }

  @Test
  void toBuilderKeepsEverythingIncludingWhetherTheConnectTimeoutWasSet() throws Exception {
    Executor executor = Runnable::run;
    SSLContext tls = SSLContext.getDefault();
    TransportOptions options =
        TransportOptions.builder()
            .connectTimeout(3, TimeUnit.SECONDS)
            .requestTimeout(4, TimeUnit.SECONDS)
            .maxConnections(5)
            .userAgent("ua/1")
            .sslContext(tls)
            .executor(executor)
            .build();
    TransportOptions copy = options.toBuilder().build();
    assertEquals(3000, copy.connectTimeoutMillis());
    assertEquals(4000, copy.requestTimeoutMillis());
    assertEquals(5, copy.maxConnections());
    assertEquals("ua/1", copy.userAgent());
    assertSame(tls, copy.sslContext());
    assertSame(executor, copy.executor());
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> copy.toBuilder().sslContext(null).build().rejectClientSettings(WHOSE));
    assertTrue(e.getMessage().startsWith("connectTimeout"), e.getMessage());
  }

  @Test
  void badValuesAreRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> TransportOptions.builder().connectTimeout(0, TimeUnit.SECONDS));
    assertThrows(
        IllegalArgumentException.class,
        () -> TransportOptions.builder().requestTimeout(999, TimeUnit.MICROSECONDS));
    assertThrows(
        NullPointerException.class, () -> TransportOptions.builder().requestTimeout(1, null));
    assertThrows(
        IllegalArgumentException.class, () -> TransportOptions.builder().maxConnections(0));
    assertThrows(IllegalArgumentException.class, () -> TransportOptions.builder().userAgent(" "));
    assertThrows(
        IllegalArgumentException.class, () -> TransportOptions.builder().userAgent("a\nb"));
  }

  @Test
  void toStringShowsNoTlsMaterialOrExecutor() {
    String text = TransportOptions.builder().executor(Runnable::run).build().toString();
    assertTrue(text.contains("customSslContext=false"), text);
    assertTrue(text.contains("coreExecutor=true"), text);
  }
}
