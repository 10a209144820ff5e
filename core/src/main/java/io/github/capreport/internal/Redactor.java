package io.github.capreport.internal;

import java.io.IOException;

/**
 * Removes the client key from text that came from outside (an answer's fields, a body, an HTTP
 * library's exception) before it reaches a message, a {@code toString} or a listener. Only outside
 * text is scrubbed, never the client's own wording, so a short key cannot corrupt a message.
 */
public final class Redactor {
  public static final String MASK = "<redacted>";

  private final String secret;

  public Redactor(String secret) {
    this.secret = secret;
  }

  /** The text with every occurrence of the key masked. */
  public String scrub(String text) {
    if (text == null || secret.isEmpty() || text.indexOf(secret) < 0) {
      return text;
    }
    return text.replace(secret, MASK);
  }

  /** The length of the key, for callers that cut text after scrubbing it. */
  public int secretLength() {
    return secret.length();
  }

  /** Whether the text holds the key. */
  public boolean reveals(String text) {
    return text != null && !secret.isEmpty() && text.indexOf(secret) >= 0;
  }

  /**
   * The exception itself when no message or {@code toString} anywhere in its cause chain or
   * suppressed list holds the key; otherwise a copy of the whole chain with the key scrubbed, each
   * link a {@link RedactedCause} that names the original class and keeps its stack.
   */
  public IOException chain(IOException e) {
    return (IOException) cause(e); // the copy is an IOException too
  }

  /** Like {@link #chain}, for a cause of any type. */
  public Throwable cause(Throwable t) {
    return revealedIn(t, 0) ? copy(t, 0) : t;
  }

  private boolean revealedIn(Throwable t, int depth) {
    if (t == null) {
      return false;
    }
    if (depth > MAX_DEPTH) {
      return true; // unread: assume the worst, and copy() leaves it out
    }
    if (reveals(t.getMessage()) || reveals(t.getLocalizedMessage()) || reveals(t.toString())) {
      return true;
    }
    for (Throwable suppressed : t.getSuppressed()) {
      if (revealedIn(suppressed, depth + 1)) {
        return true;
      }
    }
    return t.getCause() != t && revealedIn(t.getCause(), depth + 1);
  }

  private RedactedCause copy(Throwable t, int depth) {
    RedactedCause copy = new RedactedCause(t.getClass().getName(), scrub(t.getMessage()));
    copy.setStackTrace(t.getStackTrace());
    if (depth < MAX_DEPTH) {
      Throwable cause = t.getCause();
      if (cause != null && cause != t) {
        copy.initCause(copy(cause, depth + 1));
      }
      for (Throwable suppressed : t.getSuppressed()) {
        copy.addSuppressed(copy(suppressed, depth + 1));
      }
    }
    return copy;
  }

  /** Deeper chains are cut: a cycle or a pathological chain must not hang a report. */
  private static final int MAX_DEPTH = 16;

  /**
   * Stands for an exception whose text held the client key: same class name (in the message) and
   * stack, text scrubbed.
   */
  public static final class RedactedCause extends IOException {
    private static final long serialVersionUID = 1L;

    RedactedCause(String originalClass, String scrubbedMessage) {
      super(originalClass + (scrubbedMessage == null ? "" : ": " + scrubbedMessage));
    }
  }
}
