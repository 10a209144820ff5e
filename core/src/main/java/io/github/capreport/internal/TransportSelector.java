package io.github.capreport.internal;

import io.github.capreport.spi.TransportProvider;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.jspecify.annotations.Nullable;

/**
 * Chooses the transport provider: the id asked for in code, else the {@value #PROPERTY} system
 * property, else the highest priority, ties broken by id so that classpath order never decides.
 */
public final class TransportSelector {
  /** The system property that names a transport by id. */
  public static final String PROPERTY = "capreport.transport";

  static final String ARTIFACTS =
      "io.github.capreport:capreport-transport-jdk (Java 11+),"
          + " io.github.capreport:capreport-transport-apache (Apache HttpClient 5) or"
          + " io.github.capreport:capreport-transport-retrofit (Retrofit/OkHttp, Android)";

  private TransportSelector() {}

  /**
   * Providers visible to the class loader that loaded the SPI, skipping any that fail to load.
   *
   * @throws IllegalArgumentException from a provider's constructor, such as an id that is not one
   */
  public static List<TransportProvider> discover() {
    return discover(TransportProvider.class.getClassLoader());
  }

  static List<TransportProvider> discover(@Nullable ClassLoader loader) {
    List<TransportProvider> found = new ArrayList<>();
    Iterator<TransportProvider> it = ServiceLoader.load(TransportProvider.class, loader).iterator();
    while (true) {
      try {
        if (!it.hasNext()) {
          break;
        }
        found.add(it.next());
      } catch (ServiceConfigurationError e) {
        // A provider that cannot load here (say transport-jdk on Java 8) is not a choice; the
        // others still are. One that refuses its own arguments is a bug to be told at once.
        Throwable cause = e.getCause();
        if (cause instanceof IllegalArgumentException) {
          throw new IllegalArgumentException(e.getMessage() + ": " + cause.getMessage(), e);
        }
      }
    }
    return found;
  }

  /**
   * @param requestedId the id given to the client builder; null when none was
   * @param propertyId the value of {@value #PROPERTY}; null or blank when unset
   * @throws IllegalStateException when nothing was found, or the id asked for is not among them
   */
  public static TransportProvider select(
      List<TransportProvider> found, String requestedId, String propertyId) {
    if (found.isEmpty()) {
      throw new IllegalStateException(
          "No capreport transport on the classpath. Add one of " + ARTIFACTS + ".");
    }
    String wanted = requestedId;
    String source = "the client builder";
    if (wanted == null && propertyId != null && !propertyId.trim().isEmpty()) {
      wanted = propertyId.trim();
      source = "the system property " + PROPERTY;
    }
    TransportProvider best = null;
    for (TransportProvider provider : found) {
      if ((wanted == null || provider.id().equals(wanted))
          && (best == null || preferred(provider, best))) {
        best = provider;
      }
    }
    if (best != null) {
      return best;
    }
    // In the order the client would pick them.
    List<TransportProvider> ordered = new ArrayList<>();
    for (TransportProvider provider : found) {
      int at = 0;
      while (at < ordered.size() && !preferred(provider, ordered.get(at))) {
        at++;
      }
      ordered.add(at, provider);
    }
    List<String> ids = new ArrayList<>();
    for (TransportProvider provider : ordered) {
      ids.add(provider.id());
    }
    throw new IllegalStateException(
        "Transport '"
            + wanted
            + "' asked for by "
            + source
            + " is not on the classpath; found: "
            + ids
            + ". Add its artifact, one of "
            + ARTIFACTS
            + ".");
  }

  /**
   * The higher priority wins; a tie goes to the id first in order, so classpath order never
   * decides.
   */
  private static boolean preferred(TransportProvider a, TransportProvider b) {
    return a.priority() != b.priority()
        ? a.priority() > b.priority()
        : a.id().compareTo(b.id()) < 0;
  }
}
