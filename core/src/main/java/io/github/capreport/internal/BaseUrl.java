package io.github.capreport.internal;

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
          "baseUrl has no host (is it \"" + scheme + "://host[:port][/path]\"?)");
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

  /** Loopback by name or literal, decided without a DNS lookup. */
  static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.equals("localhost") || h.equals("[::1]") || h.equals("::1")) {
      return true;
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
