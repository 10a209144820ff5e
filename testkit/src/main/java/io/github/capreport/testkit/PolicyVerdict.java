package io.github.capreport.testkit;

/**
 * Which rule of the emulator's {@link VendorPolicy} answered or counted a request: {@link
 * RecordedRequest#verdict()}. A test that wants to prove a client never risks a block asserts that
 * none of its requests got {@link #IP_BLOCKED} and that {@link CapMonsterEmulator#blocksTripped()}
 * is 0.
 */
public enum PolicyVerdict {
  /** No rule applied: there is no policy, or the request was answered as without one. */
  NONE,
  /** Answered {@code ERROR_IP_BLOCKED}: the caller's IP was blocked; the block was extended. */
  IP_BLOCKED,
  /** Answered {@code ERROR_TOO_MUCH_REQUESTS}: over the rate limit. */
  RATE_LIMITED,
  /** Answered {@code ERROR_KEY_DOES_NOT_EXIST}; counted toward a block when that rule is on. */
  WRONG_KEY,
  /**
   * Answered {@code ERROR_NO_SUCH_CAPCHA_ID} for a task the emulator does not know; counted toward
   * a block when that rule is on, as are the two below.
   */
  WRONG_TASK_ID,
  /** Answered {@code ERROR_NO_SUCH_CAPCHA_ID}: the task outlived its lifetime. */
  TASK_EXPIRED,
  /** Answered {@code ERROR_NO_SUCH_CAPCHA_ID}: a report of the task was already accepted. */
  ALREADY_REPORTED
}
