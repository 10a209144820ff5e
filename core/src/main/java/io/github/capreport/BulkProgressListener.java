package io.github.capreport;

/**
 * Hears each task of a bulk report end, on the thread that ended it. Must be quick and thread-safe;
 * an exception thrown here is ignored so that it cannot lose an outcome.
 */
public interface BulkProgressListener {
  /**
   * @param outcome how the task ended
   * @param done how many tasks have ended so far, this one included
   * @param total how many tasks the bulk report has
   */
  void onOutcome(ReportOutcome outcome, int done, int total);
}
