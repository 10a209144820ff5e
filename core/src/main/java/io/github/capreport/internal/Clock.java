package io.github.capreport.internal;

/**
 * The time, as the account guard reads it; tests advance their own by overriding both methods. Not
 * abstract: {@link #SYSTEM} is a plain instance rather than an anonymous class, one fewer in the
 * jar.
 */
public class Clock {
  /** The JVM's clocks. */
  public static final Clock SYSTEM = new Clock();

  /** For intervals, as {@link System#nanoTime()}. */
  public long nanoTime() {
    return System.nanoTime();
  }

  /** For the times shown to users, as {@link System#currentTimeMillis()}. */
  public long currentTimeMillis() {
    return System.currentTimeMillis();
  }
}
