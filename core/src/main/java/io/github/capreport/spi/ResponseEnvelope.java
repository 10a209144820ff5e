package io.github.capreport.spi;

/**
 * The fields of the API's JSON answer, as decoded, before core decides what they mean. Any field
 * may be absent (null): an object without {@code errorId} is not the API's answer, and core says
 * so.
 */
public final class ResponseEnvelope {
  private final Long errorId;
  private final String errorCode;
  private final String errorDescription;
  private final String status;

  public ResponseEnvelope(Long errorId, String errorCode, String errorDescription, String status) {
    this.errorId = errorId;
    this.errorCode = errorCode;
    this.errorDescription = errorDescription;
    this.status = status;
  }

  public Long errorId() {
    return errorId;
  }

  public String errorCode() {
    return errorCode;
  }

  public String errorDescription() {
    return errorDescription;
  }

  public String status() {
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
