package io.github.capreport.internal;

import io.github.capreport.spi.JsonBinding;
import org.jspecify.annotations.Nullable;

/**
 * The API's fields of an answer's JSON object, whichever binding read it. One rule for every
 * binding: the last member of a name counts, and only with the API's type: {@code errorId} an
 * integer literal that fits a long ({@code 1.0}, {@code 1e0} or a larger number are none), the
 * others JSON strings. A member of another type leaves its field null; unknown members are ignored.
 */
final class Envelope implements JsonBinding.Members {
  @Nullable Long errorId;
  boolean hasErrorId; // whatever its type: an errorId that is not an integer is not missing
  @Nullable String errorCode;
  @Nullable String errorDescription;
  @Nullable String status;

  /** Set once the binding returned: a member handed over later is ignored. */
  boolean complete;

  @Override
  public void member(String name, boolean isNumber, @Nullable String text) {
    if (complete) {
      return;
    }
    String string = isNumber ? null : text;
    switch (name) {
      case "errorId":
        errorId = isNumber ? errorIdOf(text) : null;
        hasErrorId = true;
        break;
      case "errorCode":
        errorCode = string;
        break;
      case "errorDescription":
        errorDescription = string;
        break;
      case "status":
        status = string;
        break;
      default: // a field the API may add later
    }
  }

  /** JSON's integer grammar, {@code -?(0|[1-9][0-9]*)}: no sign +, no other digits than ASCII. */
  static @Nullable Long errorIdOf(@Nullable String numberLiteral) {
    if (numberLiteral == null) {
      return null;
    }
    int start = numberLiteral.startsWith("-") ? 1 : 0;
    int length = numberLiteral.length();
    boolean integer = length > start && (numberLiteral.charAt(start) != '0' || length == start + 1);
    for (int i = start; i < length && integer; i++) {
      integer = numberLiteral.charAt(i) >= '0' && numberLiteral.charAt(i) <= '9';
    }
    try {
      return integer ? Long.valueOf(numberLiteral) : null;
    } catch (NumberFormatException tooLarge) {
      return null;
    }
  }
}
