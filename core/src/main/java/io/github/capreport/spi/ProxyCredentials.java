package io.github.capreport.spi;

import java.net.Authenticator;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.SocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * Basic credentials for one HTTP proxy, from {@link TransportOptions#proxyCredentials()}. A
 * transport gives them to that proxy only, to open a {@code CONNECT} tunnel: never to another
 * proxy, never to the API host. Neither {@link #toString()} nor any message shows the password.
 */
public final class ProxyCredentials {
  // Not private: the authenticator reads them, which would cost an accessor method for each.
  final String host;
  final int port;
  final String username;
  final String password;

  ProxyCredentials(String host, int port, String username, String password) {
    this.host = host;
    this.port = port;
    this.username = username;
    this.password = password;
  }

  /** The proxy's host, as given to {@code proxy(host, port)}, without brackets for IPv6. */
  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public String username() {
    return username;
  }

  public String password() {
    return password;
  }

  /** Whether {@code proxyAddress} is this proxy's: the only one that may be given them. */
  public boolean isFor(@Nullable SocketAddress proxyAddress) {
    if (!(proxyAddress instanceof InetSocketAddress)) {
      return false;
    }
    InetSocketAddress address = (InetSocketAddress) proxyAddress;
    return address.getPort() == port && host.equalsIgnoreCase(address.getHostString());
  }

  /**
   * An {@link Authenticator} for an HTTP client that takes one, such as java.net.http's: it answers
   * this proxy's requests for credentials and no other, never a server's.
   */
  public Authenticator authenticator() {
    return new Authenticator() {
      @Override
      protected @Nullable PasswordAuthentication getPasswordAuthentication() {
        return getRequestorType() == RequestorType.PROXY
                && getRequestingPort() == port
                && host.equalsIgnoreCase(getRequestingHost())
            ? new PasswordAuthentication(username, password.toCharArray())
            : null;
      }
    };
  }

  @Override
  public String toString() {
    return "ProxyCredentials{for " + host + ":" + port + ", password=<redacted>}";
  }
}
