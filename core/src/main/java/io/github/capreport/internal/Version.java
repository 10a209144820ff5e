package io.github.capreport.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The library's version, from a resource filtered by the build. */
public final class Version {
  private static final String VERSION = load();

  private Version() {}

  public static String get() {
    return VERSION;
  }

  private static String load() {
    // Relative lookup: it keeps working when a shaded jar relocates this package.
    try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        Properties properties = new Properties();
        properties.load(in);
        String version = properties.getProperty("version");
        if (version != null && !version.startsWith("$")) {
          return version;
        }
      }
    } catch (IOException ignored) {
      // An unreadable resource only costs the version in the User-Agent.
    }
    return "unknown";
  }
}
