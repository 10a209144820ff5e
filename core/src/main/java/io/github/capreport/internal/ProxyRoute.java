package io.github.capreport.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The proxy choice core hands every transport as a {@link ProxySelector}: one HTTP proxy for every
 * request, or none; and what core asks of any selector to name the proxy of a request.
 */
public final class ProxyRoute extends ProxySelector {
  private final List<Proxy> proxies;

  private ProxyRoute(Proxy proxy) {
    this.proxies = Collections.singletonList(proxy);
  }

  /** Every request through the HTTP proxy at {@code host:port}, resolved when connecting. */
  public static ProxyRoute through(String host, int port) {
    return new ProxyRoute(
        new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(host, port)));
  }

  /** Every request straight to its host, whatever the JVM's settings. */
  public static ProxyRoute direct() {
    return new ProxyRoute(Proxy.NO_PROXY);
  }

  /**
   * The JVM's {@link ProxySelector#getDefault()} as it is now, which reads {@code https.proxyHost},
   * {@code http.nonProxyHosts} and the rest at each connection; direct when the JVM has none.
   */
  public static ProxySelector jvmDefault() {
    ProxySelector selector = ProxySelector.getDefault();
    return selector != null ? selector : direct();
  }

  @Override
  public List<Proxy> select(URI uri) {
    return proxies;
  }

  @Override
  public void connectFailed(URI uri, SocketAddress address, IOException e) {
    // One choice: there is no other to fall back on.
  }

  /**
   * The HTTP proxy {@code selector} picks first for {@code uri}, as {@code host:port}, or null when
   * there is none: java.net.http and HttpClient take the first choice, and only an HTTP proxy.
   */
  public static @Nullable String proxyFor(ProxySelector selector, URI uri) {
    try {
      List<Proxy> proxies = selector.select(uri);
      Proxy first = proxies == null || proxies.isEmpty() ? null : proxies.get(0);
      if (first != null
          && first.type() == Proxy.Type.HTTP
          && first.address() instanceof InetSocketAddress) {
        InetSocketAddress address = (InetSocketAddress) first.address();
        String host = address.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
      }
    } catch (RuntimeException unusable) {
      // A selector that throws: the transport failed on it first.
    }
    return null;
  }
}
