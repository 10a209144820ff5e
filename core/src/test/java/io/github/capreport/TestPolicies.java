package io.github.capreport;

import java.util.concurrent.TimeUnit;

/** The retry policies core's tests share. */
final class TestPolicies {
  /** Three attempts, a few milliseconds apart. */
  static final RetryPolicy FAST =
      RetryPolicy.builder()
          .maxAttempts(3)
          .initialDelay(1, TimeUnit.MILLISECONDS)
          .maxDelay(5, TimeUnit.MILLISECONDS)
          .build();

  /** Retries far later than any test waits: a test that ends must have ended the wait. */
  static final RetryPolicy SLOW =
      RetryPolicy.builder()
          .initialDelay(60, TimeUnit.SECONDS)
          .maxDelay(60, TimeUnit.SECONDS)
          .deadline(10, TimeUnit.MINUTES)
          .build();

  private TestPolicies() {}
}
