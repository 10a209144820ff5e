package io.github.capreport.slf4j;

import io.github.capreport.AccountHold;
import io.github.capreport.AccountOnHoldException;
import io.github.capreport.CapReportException;
import io.github.capreport.ReportEndpoint;
import io.github.capreport.ReportListener;
import io.github.capreport.ReportRefusedException;
import io.github.capreport.ReportResult;
import io.github.capreport.TransportFailureException;
import io.github.capreport.UnexpectedResponseException;
import java.text.SimpleDateFormat;
import java.util.Date;
import java.util.Locale;
import java.util.TimeZone;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs what happens to a client's reports through SLF4J: pass one to {@code
 * CapReportClient.builder().listener(...)}.
 *
 * <pre>{@code
 * CapReportClient client = CapReportClient.builder()
 *     .clientKey(key)
 *     .listener(Slf4jReportListener.create())
 *     .build();
 * }</pre>
 *
 * <p>Each kind of event has its own logger, named below the prefix ({@value #DEFAULT_LOGGER_PREFIX}
 * unless {@link Builder#loggerPrefix} says otherwise), so that each can be turned up or down on its
 * own; configuring the prefix configures them all.
 *
 * <table>
 *   <caption>Loggers and levels</caption>
 *   <tr><th>logger</th><th>event</th><th>level</th></tr>
 *   <tr><td>{@code <prefix>.attempt}</td><td>an attempt is about to be sent</td><td>DEBUG</td></tr>
 *   <tr><td>{@code <prefix>.retry}</td><td>an attempt failed and a retry is scheduled, with the
 *       delay and the failure</td><td>INFO</td></tr>
 *   <tr><td rowspan="2">{@code <prefix>.account}</td><td>the account is on hold: an
 *       account-wide refusal ({@code ApiErrorCode.isAccountWide()}) stopped all sending of the
 *       clients that share the {@code AccountGuard}; every report fails without being sent until
 *       the hold ends. Names the error code, what it means, the task whose report met it, and
 *       when sending resumes</td><td>ERROR</td></tr>
 *   <tr><td>the hold ended: its time ran out, or {@code AccountGuard.lift()}</td>
 *       <td>INFO</td></tr>
 *   <tr><td rowspan="5">{@code <prefix>.outcome}</td><td>the report was accepted, or answered
 *       without I/O because its task was accepted before ({@code
 *       ReportResult.alreadyReported()})</td><td>DEBUG</td></tr>
 *   <tr><td>it was not sent, or not sent again, because the account is on hold ({@code
 *       AccountOnHoldException}), without a stack trace: the hold is the ERROR above, once, so a
 *       bulk report of 10,000 tasks held after its first logs one ERROR, not 9,999</td>
 *       <td>DEBUG</td></tr>
 *   <tr><td>it was cancelled, or the calling thread interrupted: the caller asked it to stop
 *       ({@code TransportFailureException} of kind {@code CANCELLED} or {@code INTERRUPTED})</td>
 *       <td>INFO</td></tr>
 *   <tr><td>it was refused for the task, or failed: a task-level refusal, an unknown error code,
 *       a transient refusal that ran out of retries, no answer ({@code CONNECT}, {@code
 *       UNKNOWN_HOST}, {@code TIMEOUT}, {@code IO}, {@code PROXY_UNREACHABLE}, {@code
 *       PROXY_UPSTREAM}), an answer that is not the API's</td><td>WARN</td></tr>
 *   <tr><td>it was refused for the account ({@code ApiErrorCode.isAccountWide()}: {@code
 *       ERROR_KEY_DOES_NOT_EXIST}, {@code ERROR_ZERO_BALANCE}, {@code ERROR_IP_NOT_ALLOWED},
 *       {@code ERROR_IP_BANNED}, {@code ERROR_IP_BLOCKED}), or TLS failed, or the proxy refused
 *       the credentials or the tunnel ({@code PROXY_AUTHENTICATION}, {@code PROXY_REFUSED}), or
 *       the transport is broken ({@code TRANSPORT_BUG}): every later report fails the same way
 *       until someone acts</td><td>ERROR</td></tr>
 * </table>
 *
 * <p>A retry is not a warning: the report may still be accepted. Only how it ends is. A hold is an
 * error, once, on its own logger; the reports it stops are DEBUG, however many. Every line about a
 * report names the endpoint ({@link ReportEndpoint#methodName()}), the task id and the attempt
 * number or count; a retry its delay; a failure its error code, transport failure kind or HTTP
 * status, and the exception's class and message. The stack trace (with the earlier attempts'
 * failures as suppressed exceptions) is attached to the line only when its logger is enabled for
 * DEBUG. For example:
 *
 * <pre>
 * INFO  io.github.capreport.report.retry - reportIncorrectImageCaptcha task 42: attempt 1 failed with HTTP 503, retrying in 312 ms (UnexpectedResponseException: ...)
 * WARN  io.github.capreport.report.outcome - reportIncorrectImageCaptcha task 43: refused with ERROR_NO_SUCH_CAPCHA_ID after 1 attempt (ReportRefusedException: ...)
 * ERROR io.github.capreport.report.account - account on hold after ERROR_ZERO_BALANCE (the account has not enough funds) on reportIncorrectImageCaptcha task 44: no report is sent for 600 s, until 2026-12-01T12:10:00Z, or until AccountGuard.lift()
 * INFO  io.github.capreport.report.account - account hold after ERROR_ZERO_BALANCE ended: reports are sent again
 * </pre>
 *
 * <p>Nothing logged contains the client key: the listener is never given it, and the client redacts
 * it from every message, cause and field of an answer that echoes it. The methods run on the
 * client's threads, log at most one line each, skip their work when the level is off, and never
 * throw. Thread-safe and immutable; one can serve several clients.
 *
 * <p>Built against SLF4J 2 and calling only API that SLF4J 1.7 has too, so it works with either:
 * the module declares {@code slf4j-api} as {@code provided}, and your logging backend brings the
 * {@code slf4j-api} it needs.
 */
public final class Slf4jReportListener extends ReportListener {
  /** The prefix of the loggers' names unless the builder sets another. */
  public static final String DEFAULT_LOGGER_PREFIX = "io.github.capreport.report";

  private static final int DEBUG = 0;
  private static final int INFO = 1;
  private static final int WARN = 2;
  private static final int ERROR = 3;

  private final String loggerPrefix;
  // One logger per kind of event. A new event of ReportListener gets its own: a field here, its
  // name below the prefix, an override, and a row in the class javadoc's table.
  private final Logger attemptLog;
  private final Logger retryLog;
  private final Logger outcomeLog;
  private final Logger accountLog;

  private Slf4jReportListener(Builder builder) {
    this.loggerPrefix = builder.loggerPrefix;
    this.attemptLog = LoggerFactory.getLogger(loggerPrefix + ".attempt");
    this.retryLog = LoggerFactory.getLogger(loggerPrefix + ".retry");
    this.outcomeLog = LoggerFactory.getLogger(loggerPrefix + ".outcome");
    this.accountLog = LoggerFactory.getLogger(loggerPrefix + ".account");
  }

  /** A listener logging under {@value #DEFAULT_LOGGER_PREFIX}. */
  public static Slf4jReportListener create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The prefix of this listener's logger names, e.g. {@value #DEFAULT_LOGGER_PREFIX}. */
  public String loggerPrefix() {
    return loggerPrefix;
  }

  /** DEBUG on {@code <prefix>.attempt}. */
  @Override
  public void attemptStarted(ReportEndpoint endpoint, long taskId, int attempt) {
    try {
      if (attemptLog.isDebugEnabled()) {
        attemptLog.debug("{} task {}: sending attempt {}", endpoint.methodName(), taskId, attempt);
      }
    } catch (RuntimeException ignored) {
      // A broken logger must not reach the client's threads.
    }
  }

  /** INFO on {@code <prefix>.retry}, with the stack trace when DEBUG is enabled there. */
  @Override
  public void retryScheduled(
      ReportEndpoint endpoint,
      long taskId,
      int failedAttempt,
      long delayMillis,
      CapReportException failure) {
    try {
      if (retryLog.isInfoEnabled()) {
        log(
            retryLog,
            INFO,
            failure,
            "{} task {}: attempt {} failed with {}, retrying in {} ms ({})",
            endpoint.methodName(),
            taskId,
            failedAttempt,
            errorOf(failure),
            delayMillis,
            summary(failure));
      }
    } catch (RuntimeException ignored) {
      // A broken logger must not reach the client's threads.
    }
  }

  /**
   * ERROR on {@code <prefix>.account}: the code, what it means, the report that met it and when
   * sending resumes; never the key, which the hold does not hold. No stack trace: the refusal's own
   * line on {@code <prefix>.outcome} has it.
   */
  @Override
  public void accountHoldStarted(AccountHold hold) {
    try {
      if (accountLog.isErrorEnabled()) {
        accountLog.error(
            "account on hold after {} ({}) on {} task {}: no report is sent for {} s, until {},"
                + " or until AccountGuard.lift()",
            hold.errorCode().name(),
            hold.errorCode().meaning(),
            hold.refusal().endpoint().methodName(),
            hold.refusal().taskId(),
            Math.max(0, (hold.resumesAtMillis() - hold.startedAtMillis() + 999) / 1000),
            utc(hold.resumesAtMillis()));
      }
    } catch (RuntimeException ignored) {
      // A broken logger must not reach the client's threads.
    }
  }

  /** INFO on {@code <prefix>.account}. */
  @Override
  public void accountHoldEnded(AccountHold hold) {
    try {
      if (accountLog.isInfoEnabled()) {
        accountLog.info(
            "account hold after {} ended: reports are sent again", hold.errorCode().name());
      }
    } catch (RuntimeException ignored) {
      // A broken logger must not reach the client's threads.
    }
  }

  /**
   * On {@code <prefix>.outcome}: DEBUG when accepted, already reported or held, otherwise INFO,
   * WARN or ERROR as the class javadoc says, with the stack trace when DEBUG is enabled there
   * (never for a held report: the hold's own line says why).
   */
  @Override
  public void reportFinished(
      ReportEndpoint endpoint,
      long taskId,
      int attempts,
      @Nullable ReportResult result,
      @Nullable CapReportException failure) {
    try {
      if (failure == null) {
        if (outcomeLog.isDebugEnabled()) {
          if (result != null && result.alreadyReported()) {
            outcomeLog.debug(
                "{} task {}: already reported, not sent again", endpoint.methodName(), taskId);
          } else {
            outcomeLog.debug(
                "{} task {}: accepted {}", endpoint.methodName(), taskId, afterAttempts(attempts));
          }
        }
        return;
      }
      if (failure instanceof AccountOnHoldException) {
        if (outcomeLog.isDebugEnabled()) {
          outcomeLog.debug(
              "{} task {}: {}, the account is on hold after {} ({})",
              endpoint.methodName(),
              taskId,
              attempts == 0 ? "not sent" : "not sent again " + afterAttempts(attempts),
              ((AccountOnHoldException) failure).hold().errorCode().name(),
              summary(failure));
        }
        return;
      }
      int level = levelOf(failure);
      if (isEnabled(outcomeLog, level)) {
        log(
            outcomeLog,
            level,
            failure,
            "{} task {}: {} {} ({})",
            endpoint.methodName(),
            taskId,
            whatHappened(failure),
            afterAttempts(attempts),
            summary(failure));
      }
    } catch (RuntimeException ignored) {
      // A broken logger must not reach the client's threads.
    }
  }

  @Override
  public String toString() {
    return "Slf4jReportListener{" + loggerPrefix + "}";
  }

  /** How bad an ending is: see the class javadoc. */
  private static int levelOf(CapReportException failure) {
    if (failure instanceof ReportRefusedException) {
      return ((ReportRefusedException) failure).errorCode().isAccountWide() ? ERROR : WARN;
    }
    if (failure instanceof TransportFailureException) {
      TransportFailureException.Kind kind = ((TransportFailureException) failure).kind();
      if (kind == TransportFailureException.Kind.CANCELLED
          || kind == TransportFailureException.Kind.INTERRUPTED) {
        return INFO;
      }
      // Not retryable and not asked for: the same certificate, the same proxy's verdict, or the
      // same broken transport, meets every later report.
      return failure.isRetryable() ? WARN : ERROR;
    }
    return WARN;
  }

  /** The error code, the transport failure kind or the HTTP status: a bounded set of words. */
  private static String errorOf(CapReportException failure) {
    if (failure instanceof ReportRefusedException) {
      return ((ReportRefusedException) failure).errorCode().name();
    }
    if (failure instanceof TransportFailureException) {
      return ((TransportFailureException) failure).kind().name();
    }
    if (failure instanceof UnexpectedResponseException) {
      return "HTTP " + ((UnexpectedResponseException) failure).httpStatus();
    }
    return failure.getClass().getSimpleName();
  }

  private static String whatHappened(CapReportException failure) {
    if (failure instanceof ReportRefusedException) {
      return "refused with " + errorOf(failure);
    }
    if (failure instanceof TransportFailureException) {
      TransportFailureException.Kind kind = ((TransportFailureException) failure).kind();
      if (kind == TransportFailureException.Kind.CANCELLED) {
        return "cancelled";
      }
      if (kind == TransportFailureException.Kind.INTERRUPTED) {
        return "interrupted";
      }
    }
    return "failed with " + errorOf(failure);
  }

  private static String afterAttempts(int attempts) {
    if (attempts == 0) {
      return "before any attempt was sent";
    }
    return attempts == 1 ? "after 1 attempt" : "after " + attempts + " attempts";
  }

  /** An instant as {@code 2026-12-01T12:10:00Z}; java.time is not on Android before API 26. */
  private static String utc(long millis) {
    SimpleDateFormat format = new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss'Z'", Locale.ROOT);
    format.setTimeZone(TimeZone.getTimeZone("UTC"));
    return format.format(new Date(millis));
  }

  /** The class and message; the client keeps the key out of the message. */
  private static String summary(CapReportException failure) {
    return failure.getClass().getSimpleName() + ": " + failure.getMessage();
  }

  private static boolean isEnabled(Logger logger, int level) {
    switch (level) {
      case DEBUG:
        return logger.isDebugEnabled();
      case INFO:
        return logger.isInfoEnabled();
      case WARN:
        return logger.isWarnEnabled();
      default:
        return logger.isErrorEnabled();
    }
  }

  /**
   * One line at {@code level}, with the failure's stack trace when the logger is enabled for DEBUG.
   * Only the {@code (String, Object...)} methods, which SLF4J 1.7 has too: a trailing Throwable
   * argument without a placeholder is the line's stack trace in both.
   */
  private static void log(
      Logger logger, int level, CapReportException failure, String format, Object... args) {
    Object[] arguments = args;
    if (logger.isDebugEnabled()) {
      arguments = new Object[args.length + 1];
      System.arraycopy(args, 0, arguments, 0, args.length);
      arguments[args.length] = failure;
    }
    switch (level) {
      case DEBUG:
        logger.debug(format, arguments);
        break;
      case INFO:
        logger.info(format, arguments);
        break;
      case WARN:
        logger.warn(format, arguments);
        break;
      default:
        logger.error(format, arguments);
    }
  }

  /** Configures a {@link Slf4jReportListener}. */
  public static final class Builder {
    private String loggerPrefix = DEFAULT_LOGGER_PREFIX;

    Builder() {} // not private: a private one costs a synthetic class in the jar

    /**
     * The prefix of the loggers' names, e.g. {@code com.example.captcha.reports} for {@code
     * com.example.captcha.reports.attempt}, {@code .retry}, {@code .outcome} and {@code .account}.
     * Defaults to {@value Slf4jReportListener#DEFAULT_LOGGER_PREFIX}: give each client its own to
     * tell their lines apart.
     *
     * @throws IllegalArgumentException when empty, with whitespace, or starting or ending with a
     *     dot
     */
    public Builder loggerPrefix(String loggerPrefix) {
      if (loggerPrefix == null) {
        throw new NullPointerException("loggerPrefix == null");
      }
      if (loggerPrefix.isEmpty()
          || loggerPrefix.startsWith(".")
          || loggerPrefix.endsWith(".")
          || loggerPrefix.contains("..")) {
        throw new IllegalArgumentException(
            "loggerPrefix must be a dotted logger name, was '" + loggerPrefix + "'");
      }
      for (int i = 0; i < loggerPrefix.length(); i++) {
        if (Character.isWhitespace(loggerPrefix.charAt(i))) {
          throw new IllegalArgumentException(
              "loggerPrefix must not contain whitespace, was '" + loggerPrefix + "'");
        }
      }
      this.loggerPrefix = loggerPrefix;
      return this;
    }

    public Slf4jReportListener build() {
      return new Slf4jReportListener(this);
    }
  }
}
