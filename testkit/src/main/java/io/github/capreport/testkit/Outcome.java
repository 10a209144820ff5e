package io.github.capreport.testkit;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.capreport.CapReportException;
import io.github.capreport.ReportResult;

/** How one report ended, whichever way it was called. */
final class Outcome {
  final ReportResult result;
  final CapReportException failure;

  private Outcome(ReportResult result, CapReportException failure) {
    this.result = result;
    this.failure = failure;
  }

  static Outcome accepted(ReportResult result) {
    if (result == null) {
      fail("the report ended with a null result");
    }
    return new Outcome(result, null);
  }

  static Outcome failed(CapReportException failure) {
    if (failure == null) {
      fail("the report ended with a null failure");
    }
    return new Outcome(null, failure);
  }

  ReportResult accepted() {
    if (failure != null) {
      throw new AssertionError("expected the report to be accepted, but it failed", failure);
    }
    return result;
  }

  <T extends CapReportException> T failedWith(Class<T> type) {
    if (result != null) {
      fail("expected " + type.getSimpleName() + ", but the report was accepted: " + result);
    }
    if (!type.isInstance(failure)) {
      throw new AssertionError(
          "expected " + type.getSimpleName() + ", got " + failure.getClass().getSimpleName(),
          failure);
    }
    return assertInstanceOf(type, failure);
  }
}
