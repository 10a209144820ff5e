package io.github.capreport.testkit;

import java.time.Duration;

/**
 * The vendor's rules the {@link CapMonsterEmulator} enforces when it is {@linkplain
 * CapMonsterEmulator.Builder#vendorPolicy given one}, so that a test can prove its code does not
 * get its users blocked. An immutable value; without one the emulator enforces none of this.
 *
 * <p>Every rule runs on the emulator's {@linkplain CapMonsterEmulator.Builder#clock clock}, to the
 * millisecond, and counts per caller IP address (on loopback, usually all of {@code 127.0.0.1}):
 *
 * <ul>
 *   <li><b>wrong key</b>: a report with an unknown {@code clientKey} is answered {@code
 *       ERROR_KEY_DOES_NOT_EXIST} as always, and counted; the {@linkplain #wrongKeyLimit() n-th}
 *       such report within a {@linkplain #wrongKeyWindow() window} starts a block;
 *   <li><b>wrong task id</b>: each {@code ERROR_NO_SUCH_CAPCHA_ID} answer (an unknown task, an
 *       expired one, a second report) is counted likewise toward a block ({@link
 *       #wrongTaskIdLimit()} within {@link #wrongTaskIdWindow()});
 *   <li><b>block</b>: while blocked, every report from that IP, whatever its key, is answered
 *       {@code {"errorId":1,"errorCode":"ERROR_IP_BLOCKED"}}, and each such report extends the
 *       block to {@link #blockDuration()} from its arrival. Once the block ends, the counts start
 *       again from zero;
 *   <li><b>task lifetime</b>: a task can be reported for {@link #taskLifetime()} after the emulator
 *       learnt it (builder, {@link CapMonsterEmulator#addTaskIds}, {@link
 *       CapMonsterEmulator#acceptAnyTaskId}, {@link CapMonsterEmulator#reset}); later reports get
 *       {@code ERROR_NO_SUCH_CAPCHA_ID};
 *   <li><b>one report per task</b>: once a report of a task was accepted, the next ones, on any
 *       endpoint, get {@code ERROR_NO_SUCH_CAPCHA_ID};
 *   <li><b>rate</b>: at most {@link #rateLimit()} reports are served in any {@link #ratePeriod()};
 *       the others get {@code {"errorId":1,"errorCode":"ERROR_TOO_MUCH_REQUESTS"}} and count for
 *       nothing. On a {@link ManualClock} that the test does not move, every request falls in one
 *       instant: the first {@code rateLimit()} are served, the rest refused until the clock moves
 *       on by {@code ratePeriod()}.
 * </ul>
 *
 * <p>Only {@code POST}s to the report paths meet the rules; a 404 or 405 is answered as always. The
 * block and the rate come first, before the body is read as a report; a body that is not the API's
 * is answered 400 and counted as nothing. A request the emulator {@linkplain
 * CapMonsterEmulator#nextRequest() misbehaves} with never reaches the rules unless the misbehaviour
 * answers normally after a delay. Which rule answered or counted each request is in {@link
 * RecordedRequest#verdict()}.
 */
public final class VendorPolicy {
  private final int wrongKeyLimit;
  private final Duration wrongKeyWindow;
  private final int wrongTaskIdLimit;
  private final Duration wrongTaskIdWindow;
  private final Duration blockDuration;
  private final Duration taskLifetime;
  private final boolean oneReportPerTask;
  private final int rateLimit;
  private final Duration ratePeriod;

  private VendorPolicy(Builder builder) {
    this.wrongKeyLimit = builder.wrongKeyLimit;
    this.wrongKeyWindow = builder.wrongKeyWindow;
    this.wrongTaskIdLimit = builder.wrongTaskIdLimit;
    this.wrongTaskIdWindow = builder.wrongTaskIdWindow;
    this.blockDuration = builder.blockDuration;
    this.taskLifetime = builder.taskLifetime;
    this.oneReportPerTask = builder.oneReportPerTask;
    this.rateLimit = builder.rateLimit;
    this.ratePeriod = builder.ratePeriod;
  }

  /**
   * CapMonster's rules as far as they are known, and a safe reading where they are not:
   *
   * <ul>
   *   <li>blocks last 10 minutes: the vendor's "lasts 10 minutes, provided that you do not continue
   *       to break the rules";
   *   <li>tasks are kept 5 minutes: the vendor's error glossary, "usually 5 minutes";
   *   <li>one report per task: what anti-captcha.com, whose API CapMonster copies, documents;
   *       CapMonster does not say;
   *   <li>5 wrong-key reports within 1 minute, or 10 wrong-task-id reports within 1 minute, start a
   *       block: the vendor names the causes ("repeated actions within a limited period") but no
   *       numbers, so these are ours, low enough that a client that keeps sending after such an
   *       answer trips them;
   *   <li>no rate limit: the vendor documents none for reports. Set one with {@link
   *       Builder#rateLimit}.
   * </ul>
   */
  public static VendorPolicy capMonster() {
    return builder()
        .wrongKeyLimit(5, Duration.ofMinutes(1))
        .wrongTaskIdLimit(10, Duration.ofMinutes(1))
        .blockDuration(Duration.ofMinutes(10))
        .taskLifetime(Duration.ofMinutes(5))
        .oneReportPerTask(true)
        .build();
  }

  /**
   * A builder with every rule off and blocks of 10 minutes, for a test about one rule; start from
   * {@code capMonster().toBuilder()} to change one number of the vendor's.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this policy's rules. */
  public Builder toBuilder() {
    Builder builder = new Builder();
    builder.wrongKeyLimit = wrongKeyLimit;
    builder.wrongKeyWindow = wrongKeyWindow;
    builder.wrongTaskIdLimit = wrongTaskIdLimit;
    builder.wrongTaskIdWindow = wrongTaskIdWindow;
    builder.blockDuration = blockDuration;
    builder.taskLifetime = taskLifetime;
    builder.oneReportPerTask = oneReportPerTask;
    builder.rateLimit = rateLimit;
    builder.ratePeriod = ratePeriod;
    return builder;
  }

  /** The wrong-key report that starts a block, counting from 1; 0 when the rule is off. */
  public int wrongKeyLimit() {
    return wrongKeyLimit;
  }

  /** How far back wrong-key reports are counted. */
  public Duration wrongKeyWindow() {
    return wrongKeyWindow;
  }

  /** The wrong-task-id answer that starts a block, counting from 1; 0 when the rule is off. */
  public int wrongTaskIdLimit() {
    return wrongTaskIdLimit;
  }

  /** How far back wrong-task-id answers are counted. */
  public Duration wrongTaskIdWindow() {
    return wrongTaskIdWindow;
  }

  /** How long a block lasts after it starts, and after each request sent while blocked. */
  public Duration blockDuration() {
    return blockDuration;
  }

  /** How long a task can be reported after the emulator learnt it; null when tasks never expire. */
  public Duration taskLifetime() {
    return taskLifetime;
  }

  /** Whether a task, once reported, refuses further reports. */
  public boolean oneReportPerTask() {
    return oneReportPerTask;
  }

  /** How many reports are served per {@link #ratePeriod()}; 0 when there is no limit. */
  public int rateLimit() {
    return rateLimit;
  }

  /** The sliding window of the rate limit. */
  public Duration ratePeriod() {
    return ratePeriod;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof VendorPolicy)) {
      return false;
    }
    VendorPolicy that = (VendorPolicy) other;
    return wrongKeyLimit == that.wrongKeyLimit
        && wrongKeyWindow.equals(that.wrongKeyWindow)
        && wrongTaskIdLimit == that.wrongTaskIdLimit
        && wrongTaskIdWindow.equals(that.wrongTaskIdWindow)
        && blockDuration.equals(that.blockDuration)
        && (taskLifetime == null
            ? that.taskLifetime == null
            : taskLifetime.equals(that.taskLifetime))
        && oneReportPerTask == that.oneReportPerTask
        && rateLimit == that.rateLimit
        && ratePeriod.equals(that.ratePeriod);
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("VendorPolicy{");
    sb.append("wrongKey=").append(limit(wrongKeyLimit, wrongKeyWindow));
    sb.append(", wrongTaskId=").append(limit(wrongTaskIdLimit, wrongTaskIdWindow));
    sb.append(", block=").append(blockDuration);
    sb.append(", taskLifetime=").append(taskLifetime == null ? "forever" : taskLifetime);
    sb.append(", oneReportPerTask=").append(oneReportPerTask);
    sb.append(", rate=").append(limit(rateLimit, ratePeriod));
    return sb.append('}').toString();
  }

  private static String limit(int n, Duration window) {
    return n == 0 ? "off" : n + " per " + window;
  }

  /** Builds a {@link VendorPolicy}; not thread-safe. */
  public static final class Builder {
    private int wrongKeyLimit;
    private Duration wrongKeyWindow = Duration.ofMinutes(1);
    private int wrongTaskIdLimit;
    private Duration wrongTaskIdWindow = Duration.ofMinutes(1);
    private Duration blockDuration = Duration.ofMinutes(10);
    private Duration taskLifetime;
    private boolean oneReportPerTask;
    private int rateLimit;
    private Duration ratePeriod = Duration.ofSeconds(1);

    private Builder() {}

    /** The {@code n}-th wrong-key report within {@code window} starts a block; 0 turns it off. */
    public Builder wrongKeyLimit(int n, Duration window) {
      this.wrongKeyLimit = count(n, "n");
      this.wrongKeyWindow = positive(window, "window");
      return this;
    }

    /**
     * The {@code n}-th {@code ERROR_NO_SUCH_CAPCHA_ID} answer within {@code window} starts a block;
     * 0 turns it off.
     */
    public Builder wrongTaskIdLimit(int n, Duration window) {
      this.wrongTaskIdLimit = count(n, "n");
      this.wrongTaskIdWindow = positive(window, "window");
      return this;
    }

    /** How long a block lasts; each request sent while blocked starts it again. */
    public Builder blockDuration(Duration duration) {
      this.blockDuration = positive(duration, "duration");
      return this;
    }

    /** Tasks expire {@code lifetime} after the emulator learnt them. */
    public Builder taskLifetime(Duration lifetime) {
      this.taskLifetime = positive(lifetime, "lifetime");
      return this;
    }

    /** Tasks never expire (the builder's default). */
    public Builder tasksNeverExpire() {
      this.taskLifetime = null;
      return this;
    }

    /** Whether a second report of a task is refused. */
    public Builder oneReportPerTask(boolean oneReport) {
      this.oneReportPerTask = oneReport;
      return this;
    }

    /** At most {@code n} reports are served in any {@code period}; 0 turns the limit off. */
    public Builder rateLimit(int n, Duration period) {
      this.rateLimit = count(n, "n");
      this.ratePeriod = positive(period, "period");
      return this;
    }

    public VendorPolicy build() {
      return new VendorPolicy(this);
    }

    private static int count(int n, String name) {
      if (n < 0) {
        throw new IllegalArgumentException(name + " must be >= 0, was " + n);
      }
      return n;
    }

    private static Duration positive(Duration duration, String name) {
      if (duration == null) {
        throw new NullPointerException(name + " == null");
      }
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + duration);
      }
      return duration;
    }
  }
}
