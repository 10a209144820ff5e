package io.github.capreport.slf4j;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * Loggers that keep what they are given: the level, the logger's name, the message formatted as
 * SLF4J formats it, and the whole stack trace of an attached throwable (causes and suppressed ones
 * included), as a backend would print them.
 */
public final class CapturingLoggerFactory implements ILoggerFactory {
  /** One line as logged. */
  public static final class Line {
    public final String logger;
    public final Level level;
    public final String message;

    /** The attached throwable's printed stack trace, or null when none was attached. */
    public final String stackTrace;

    Line(String logger, Level level, String message, String stackTrace) {
      this.logger = logger;
      this.level = level;
      this.message = message;
      this.stackTrace = stackTrace;
    }

    /** Everything a backend would print for this line. */
    public String printed() {
      return level + " " + logger + " - " + message + (stackTrace == null ? "" : "\n" + stackTrace);
    }

    @Override
    public String toString() {
      return printed();
    }
  }

  private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();
  private final List<Line> lines = new ArrayList<>();
  private volatile Level threshold = Level.TRACE;
  private volatile boolean throwing;

  /** The factory SLF4J found: this module's tests run with {@link CapturingProvider} only. */
  public static CapturingLoggerFactory installed() {
    return (CapturingLoggerFactory) LoggerFactory.getILoggerFactory();
  }

  @Override
  public Logger getLogger(String name) {
    return loggers.computeIfAbsent(name, CapturingLogger::new);
  }

  /** Forgets every line; loggers are enabled from {@code threshold} up, and do not throw. */
  public void reset(Level threshold) {
    this.threshold = threshold;
    this.throwing = false;
    synchronized (lines) {
      lines.clear();
    }
  }

  /** When on, every logging call throws instead, as a broken appender might. */
  public void throwing(boolean throwing) {
    this.throwing = throwing;
  }

  /** Every line so far, in order. */
  public List<Line> lines() {
    synchronized (lines) {
      return new ArrayList<>(lines);
    }
  }

  /** The lines of one logger so far. */
  public List<Line> lines(String logger) {
    List<Line> of = new ArrayList<>();
    for (Line line : lines()) {
      if (line.logger.equals(logger)) {
        of.add(line);
      }
    }
    return of;
  }

  private boolean enabled(Level level) {
    if (throwing) {
      throw new IllegalStateException("a broken logging backend");
    }
    return level.toInt() >= threshold.toInt();
  }

  private final class CapturingLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    CapturingLogger(String name) {
      this.name = name;
    }

    @Override
    public boolean isTraceEnabled() {
      return enabled(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
      return enabled(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
      return enabled(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
      return enabled(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
      return enabled(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
      if (!enabled(level)) {
        return;
      }
      String message = MessageFormatter.basicArrayFormat(pattern, arguments);
      String stackTrace = null;
      if (throwable != null) {
        StringWriter out = new StringWriter();
        throwable.printStackTrace(new PrintWriter(out));
        stackTrace = out.toString();
      }
      Line line = new Line(name, level, message, stackTrace);
      synchronized (lines) {
        lines.add(line);
      }
    }
  }
}
