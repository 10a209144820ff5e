package io.github.capreport.spi;

import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * What a transport throws when the proxy answered its {@code CONNECT} for the API host with a
 * status other than 2xx, so that no tunnel was opened and nothing reached the API. Each HTTP
 * library says so its own way (an exception with the status in its message, or the proxy's answer
 * handed back as if it were the server's); the transport states the fact in this type and core
 * decides what it means: 407 is the proxy refusing its credentials, another 4xx its policy, a 5xx
 * the API host out of its reach.
 */
public final class TunnelRefusedException extends IOException {
  private static final long serialVersionUID = 1L;

  private final int statusCode;

  public TunnelRefusedException(int statusCode, @Nullable Throwable cause) {
    super("HTTP " + statusCode + " from the proxy", cause);
    this.statusCode = statusCode;
  }

  /**
   * {@code e} as a refused tunnel, for HTTP libraries that say it only in words: a 407 when its
   * message starts with {@code credentialsRefused} (the library gave up answering the proxy's
   * challenges), the status when it is {@code statusPrefix} followed by one (java.net.http's {@code
   * "Tunnel failed, got: 403"}); else {@code e} itself.
   */
  public static IOException fromMessage(
      IOException e, String statusPrefix, String credentialsRefused) {
    String message = e.getMessage();
    if (message == null) {
      return e;
    }
    if (message.startsWith(credentialsRefused)) {
      return new TunnelRefusedException(407, e);
    }
    if (message.startsWith(statusPrefix)) {
      try {
        return new TunnelRefusedException(
            Integer.parseInt(message.substring(statusPrefix.length()).trim()), e);
      } catch (NumberFormatException notAStatus) {
        // Some other message that starts alike.
      }
    }
    return e;
  }

  /** The proxy's status for the {@code CONNECT}, e.g. 407, 403 or 502. */
  public int statusCode() {
    return statusCode;
  }
}
