package io.github.capreport.spi;

import org.jspecify.annotations.Nullable;

/**
 * What every transport's builder takes, decided here once: {@link TransportOptions} for the HTTP
 * client the transport builds, or the caller's own client, whose settings then rule. Like AWS SDK
 * v2's {@code SdkHttpClient.Builder}, which each HTTP client's builder implements.
 *
 * @param <C> the HTTP library's client
 * @param <B> the transport's builder
 */
public abstract class TransportBuilder<C, B extends TransportBuilder<C, B>> {
  private TransportOptions options = TransportOptions.builder().build();
  private @Nullable C client;

  protected TransportBuilder() {}

  /**
   * The connect timeout, TLS, proxy and, where the HTTP library has them, pool size and executor
   * for the client the transport builds. With a client of the caller's, a connect timeout, TLS
   * material or a proxy set here fails the build: that client's own settings rule.
   */
  public final B options(TransportOptions options) {
    if (options == null) {
      throw new NullPointerException("options == null");
    }
    this.options = options;
    return self();
  }

  /** The caller's client, which the transport uses and never closes; its builder names it. */
  protected final B client(C client) {
    if (client == null) {
      throw new NullPointerException("client == null");
    }
    this.client = client;
    return self();
  }

  protected final TransportOptions options() {
    return options;
  }

  /**
   * The caller's client, or null when the transport builds its own from {@link #options()}.
   *
   * @param whose names that client in the message, e.g. "the HttpClient given to JdkTransport"
   * @throws IllegalStateException when an option was set that the caller's client cannot apply
   */
  protected final @Nullable C givenClient(String whose) {
    if (client != null) {
      options.rejectClientSettings(whose);
    }
    return client;
  }

  @SuppressWarnings("unchecked") // B is the subclass, as its declaration says
  private B self() {
    return (B) this;
  }

  public abstract Transport build();
}
