package io.github.capreport.spi;

import org.jspecify.annotations.Nullable;

/**
 * The fields of the API's JSON answer, as decoded, before core decides what they mean. Any field
 * may be absent (null): an object without {@code errorId} is not the API's answer, and core says
 * so.
 */
public final class ResponseEnvelope {
  private final @Nullable Long errorId;
  private final @Nullable String errorCode;
  private final @Nullable String errorDescription;
  private final @Nullable String status;

  public ResponseEnvelope(
      @Nullable Long errorId,
      @Nullable String errorCode,
      @Nullable String errorDescription,
      @Nullable String status) {
    this.errorId = errorId;
    this.errorCode = errorCode;
    this.errorDescription = errorDescription;
    this.status = status;
  }

  /**
   * The {@code errorId} that a JSON number, as its literal was written, stands for: an integer
   * literal that fits a long; null for any other ({@code 1.0}, {@code 1e0}, too large) or none. One
   * rule for every JSON binding, whatever its library makes of such numbers.
   */
  public static @Nullable Long errorIdOf(@Nullable String numberLiteral) {
    try {
      return numberLiteral == null ? null : Long.valueOf(numberLiteral);
    } catch (NumberFormatException notAnIntegerOrTooLarge) {
      return null;
    }
  }

  public @Nullable Long errorId() {
    return errorId;
  }

  public @Nullable String errorCode() {
    return errorCode;
  }

  public @Nullable String errorDescription() {
    return errorDescription;
  }

  public @Nullable String status() {
    return status;
  }

  @Override
  public String toString() {
    return "ResponseEnvelope{errorId="
        + errorId
        + ", errorCode="
        + errorCode
        + ", errorDescription="
        + errorDescription
        + ", status="
        + status
        + "}";
  }
}
