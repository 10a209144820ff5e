package io.github.capreport.internal;

/** The time, as the account guard reads it; tests advance their own. */
public abstract class Clock {
  /** The JVM's clocks. */
  public static final Clock SYSTEM =
      new Clock() {
        @Override
        public long nanoTime() {
          return System.nanoTime();
        }

        @Override
        public long currentTimeMillis() {
          return System.currentTimeMillis();
        }
      };

  /** For intervals, as {@link System#nanoTime()}. */
  public abstract long nanoTime();

  /** For the times shown to users, as {@link System#currentTimeMillis()}. */
  public abstract long currentTimeMillis();
}
