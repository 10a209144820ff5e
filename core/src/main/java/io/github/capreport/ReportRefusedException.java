package io.github.capreport;

import org.jspecify.annotations.Nullable;

/** The API answered with an error envelope ({@code errorId} not 0): the report was refused. */
public final class ReportRefusedException extends CapReportException {
  private static final long serialVersionUID = 1L;

  private final long errorId;
  private final ApiErrorCode errorCode;
  private final @Nullable String rawErrorCode;
  private final @Nullable String errorDescription;
  private final int httpStatus;

  /** Made by the client; public so that tests of callers can build one. */
  public ReportRefusedException(
      String message,
      ReportEndpoint endpoint,
      long taskId,
      int httpStatus,
      long errorId,
      @Nullable String rawErrorCode,
      @Nullable String errorDescription) {
    this(message, endpoint, taskId, httpStatus, errorId, rawErrorCode, errorDescription, -1);
  }

  /** As above, with the server's {@code Retry-After} in milliseconds (-1 when absent). */
  public ReportRefusedException(
      String message,
      ReportEndpoint endpoint,
      long taskId,
      int httpStatus,
      long errorId,
      @Nullable String rawErrorCode,
      @Nullable String errorDescription,
      long retryAfterMillis) {
    super(message, null, endpoint, taskId, retryAfterMillis);
    this.httpStatus = httpStatus;
    this.errorId = errorId;
    this.rawErrorCode = rawErrorCode;
    this.errorCode = ApiErrorCode.fromWire(rawErrorCode);
    this.errorDescription = errorDescription;
  }

  /** The envelope's {@code errorId}; never 0. */
  public long errorId() {
    return errorId;
  }

  /** The code, {@link ApiErrorCode#UNKNOWN} when this version does not know it. */
  public ApiErrorCode errorCode() {
    return errorCode;
  }

  /** The {@code errorCode} string exactly as sent; null when the envelope had none. */
  public @Nullable String rawErrorCode() {
    return rawErrorCode;
  }

  /** The envelope's {@code errorDescription}, when the service sent one; otherwise null. */
  public @Nullable String errorDescription() {
    return errorDescription;
  }

  /** The HTTP status of the answer; an error envelope may come with 200 or with an error status. */
  public int httpStatus() {
    return httpStatus;
  }

  @Override
  public boolean isRetryable() {
    return errorCode.isRetryable();
  }
}
