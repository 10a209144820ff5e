package io.github.capreport.internal;

/** Removes the client key from text that came from outside before it goes into a message. */
public final class Redactor {
  public static final String MASK = "<redacted>";

  private final String secret;

  public Redactor(String secret) {
    this.secret = secret;
  }

  public String scrub(String text) {
    if (text == null || secret.isEmpty() || text.indexOf(secret) < 0) {
      return text;
    }
    return text.replace(secret, MASK);
  }
}
