package io.github.capreport.internal;

import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Removes the client key from text that came from outside (an answer's fields, a body, an HTTP
 * library's exception) before it reaches a message, a {@code toString} or a listener. Only outside
 * text is scrubbed, never the client's own wording, so a short key cannot corrupt a message.
 */
public final class Redactor {
  public static final String MASK = "<redacted>";

  private final String secret;

  /**
   * The key's runs of {@link #PART} characters, or the key itself when shorter: a text that holds a
   * part {@link #scrub} masks holds one of these, which {@code indexOf} finds fast.
   */
  private final String[] parts;

  public Redactor(String secret) {
    this.secret = secret;
    int run = Math.min(secret.length(), PART);
    this.parts = new String[secret.isEmpty() ? 0 : secret.length() - run + 1];
    for (int i = 0; i < parts.length; i++) {
      parts[i] = secret.substring(i, i + run);
    }
  }

  /**
   * Any {@value #PART} characters of the key in a row are masked too, not only the whole key: an
   * HTTP library may quote part of what the server echoed (OkHttp's "Number too large" quotes 17
   * digits of a key sent back as a chunk size), and a key's parts are as secret as the whole.
   */
  static final int PART = 8;

  /** The text with every occurrence of the key, or of {@value #PART} of its characters, masked. */
  public String scrub(String text) {
    boolean[] masked = masked(text);
    if (masked == null) {
      return text;
    }
    StringBuilder scrubbed = new StringBuilder(text.length());
    for (int i = 0; i < masked.length; i++) {
      if (!masked[i]) {
        scrubbed.append(text.charAt(i));
      } else if (i == 0 || !masked[i - 1]) {
        scrubbed.append(MASK);
      }
    }
    return scrubbed.toString();
  }

  /**
   * Which characters of the text are the key's, or null when none is: those in a run of the key's
   * characters as long as the key, or at least {@value #PART} long. The runs are found as a longest
   * common substring is, each text character against each key character: key and text are short.
   */
  private boolean @Nullable [] masked(@Nullable String text) {
    int keyLength = secret.length();
    if (text == null || !holdsAPart(text)) {
      return null;
    }
    int enough = Math.min(keyLength, PART);
    boolean[] masked = null;
    int[] before = new int[keyLength + 1]; // run lengths ending at the previous text character
    int[] now = new int[keyLength + 1];
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      int longest = 0;
      for (int j = 1; j <= keyLength; j++) {
        now[j] = secret.charAt(j - 1) == c ? before[j - 1] + 1 : 0;
        longest = Math.max(longest, now[j]);
      }
      if (longest >= enough) {
        if (masked == null) {
          masked = new boolean[text.length()];
        }
        java.util.Arrays.fill(masked, i - longest + 1, i + 1, true);
      }
      int[] swap = before;
      before = now;
      now = swap;
    }
    return masked;
  }

  /** The length of the key, for callers that cut text after scrubbing it. */
  public int secretLength() {
    return secret.length();
  }

  private boolean holdsAPart(String text) {
    for (String part : parts) {
      if (text.indexOf(part) >= 0) {
        return true;
      }
    }
    return false;
  }

  /** Whether the text holds the key, or a part of it that {@link #scrub} masks. */
  public boolean reveals(@Nullable String text) {
    return masked(text) != null;
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
