package io.github.capreport.internal;

import io.github.capreport.spi.TransportOptions;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** Validates the base URL before any I/O and resolves endpoint paths against it. */
public final class BaseUrl {
  private BaseUrl() {}

  /**
   * The base URL without a trailing slash.
   *
   * @throws IllegalArgumentException when it is not an absolute http(s) URL with a host, has a
   *     query, fragment or user info, or uses plain http to a host that is not loopback while
   *     {@code allowPlainHttp} is false
   */
  public static String validate(String baseUrl, boolean allowPlainHttp) {
    if (baseUrl == null || baseUrl.trim().isEmpty()) {
      throw new IllegalArgumentException("baseUrl is blank");
    }
    URI uri;
    try {
      uri = new URI(baseUrl);
    } catch (URISyntaxException e) {
      // Neither the URL nor the parser's message is repeated: either may hold credentials.
      throw new IllegalArgumentException(
          "baseUrl is not a valid URL: " + e.getReason() + " at index " + e.getIndex());
    }
    String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      throw new IllegalArgumentException(
          "baseUrl must be an absolute http or https URL, its scheme was "
              + (scheme == null ? "absent" : scheme));
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException(
          "baseUrl has no host that java.net.URI accepts (is it \""
              + scheme
              + "://host[:port][/path]\"? a host name has letters, digits, '-' and '.', no '_')");
    }
    if (uri.getPort() == 0 || uri.getPort() > 65535) {
      throw new IllegalArgumentException(
          "baseUrl has port " + uri.getPort() + "; a port is 1 to 65535");
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          "baseUrl must not carry user info (credentials belong in the client key): "
              + uri.getScheme()
              + "://"
              + uri.getHost());
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "baseUrl must not have a query or fragment: endpoint paths are appended to it");
    }
    if ("http".equals(scheme) && !allowPlainHttp && !isLoopback(uri.getHost())) {
      throw new IllegalArgumentException(
          "baseUrl uses plain http to "
              + uri.getHost()
              + ", which would send the client key unencrypted. Use https, or call"
              + " allowPlainHttp(true) if the network path is trusted.");
    }
    for (String segment : uri.getRawPath().split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        // HTTP clients resolve them differently (OkHttp does, Apache does not): refused, so that
        // every transport sends the same bytes.
        throw new IllegalArgumentException("baseUrl's path must not have . or .. segments");
      }
    }
    // Percent-encoded, so that every transport writes the same request line.
    String normalized = uri.toASCIIString();
    while (normalized.endsWith("/")) {
      normalized = normalized.substring(0, normalized.length() - 1);
    }
    return normalized;
  }

  /**
   * Refuses a plain http base URL that the options send through a proxy, which would see the client
   * key in every report, unless {@code allowed}; and proxy credentials with one, which only a
   * {@code CONNECT} for https carries.
   *
   * @throws IllegalArgumentException naming the proxy and the option that allows it
   */
  public static void checkRoute(String baseUrl, TransportOptions options, boolean allowed) {
    if (!baseUrl.regionMatches(true, 0, "http:", 0, 5)) {
      return;
    }
    String proxy = ProxyRoute.proxyFor(options.proxySelector(), URI.create(baseUrl));
    if (proxy != null && options.proxyCredentials() != null) {
      throw new IllegalArgumentException(
          "proxyCredentials open a CONNECT tunnel for an https baseUrl; plain http through the"
              + " authenticating proxy "
              + proxy
              + " is not supported");
    }
    if (proxy != null && !allowed) {
      throw new IllegalArgumentException(
          "baseUrl uses plain http through the proxy "
              + proxy
              + ", which would see the client key in every report. Use https, or call"
              + " allowPlainHttpThroughProxy(true) if that proxy is trusted.");
    }
  }

  /** Loopback by name or literal, decided without a DNS lookup. */
  static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.equals("localhost")) {
      return true;
    }
    if (h.startsWith("[")) {
      // An IPv6 literal ([::1], [0:0:0:0:0:0:0:1], [::ffff:127.0.0.1]): parsed, never looked up.
      try {
        return InetAddress.getByName(h).isLoopbackAddress();
      } catch (java.net.UnknownHostException notALiteral) {
        return false;
      }
    }
    String[] octets = h.split("\\.", -1);
    if (octets.length != 4 || !octets[0].equals("127")) {
      return false;
    }
    for (String octet : octets) {
      if (octet.isEmpty() || octet.length() > 3) {
        return false;
      }
      for (int i = 0; i < octet.length(); i++) {
        if (!Character.isDigit(octet.charAt(i))) {
          return false;
        }
      }
      if (Integer.parseInt(octet) > 255) {
        return false;
      }
    }
    return true;
  }
}
