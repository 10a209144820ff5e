package io.github.capreport.benchmarks;

/**
 * One way to report {@link Bench#TASK_ID}: through capreport, or by hand with the same HTTP client
 * and JSON library. Each throws or fails when the answer is not {@code errorId 0, status success}.
 */
interface Reporter extends AutoCloseable {
  /** Reports once, blocking until the answer is read and checked. */
  Object report() throws Exception;

  /** Reports once without blocking; {@code done} hears null on success, else the failure. */
  void reportAsync(Done done);

  @Override
  void close();

  /** Hears how an asynchronous report ended. */
  interface Done {
    void done(Throwable failure);
  }

  /**
   * @param impl {@code capreport} or {@code raw}
   * @param transport {@code jdk}, {@code apache}, ...
   */
  static Reporter create(String impl, String transport, String baseUrl) {
    switch (impl) {
      case "capreport":
        return new CapReportReporter(transport, baseUrl);
      case "raw":
        switch (transport) {
          case "jdk":
            return new RawJdk(baseUrl);
          case "apache":
            return new RawApache(baseUrl);
          case "retrofit":
            return new RawRetrofit(baseUrl);
          default:
            throw new IllegalArgumentException("no raw baseline for transport " + transport);
        }
      default:
        throw new IllegalArgumentException("impl must be capreport or raw, was " + impl);
    }
  }
}
