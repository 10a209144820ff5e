package io.github.capreport.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that stands still until the test moves it: for the time-based rules of a {@link
 * VendorPolicy} (blocks, windows, task expiry), given to {@link CapMonsterEmulator.Builder#clock}.
 *
 * <pre>{@code
 * ManualClock clock = new ManualClock();
 * CapMonsterEmulator emulator = CapMonsterEmulator.builder()
 *     .clientKey("k").taskIds(42).vendorPolicy(VendorPolicy.capMonster()).clock(clock).start();
 * clock.advance(Duration.ofMinutes(5)); // task 42 has now expired
 * }</pre>
 *
 * <p>Thread-safe. It only moves forward. Clocks made by {@link #withZone} share its time.
 */
public final class ManualClock extends Clock {
  /** Where a clock made with {@link #ManualClock()} starts: a fixed instant, not the real time. */
  public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");

  private final AtomicReference<Instant> now;
  private final ZoneId zone;

  /** A clock at {@link #DEFAULT_START}, in UTC. */
  public ManualClock() {
    this(DEFAULT_START);
  }

  /** A clock at {@code start}, in UTC. */
  public ManualClock(Instant start) {
    this(new AtomicReference<>(requireNonNull(start, "start")), ZoneOffset.UTC);
  }

  private ManualClock(AtomicReference<Instant> now, ZoneId zone) {
    this.now = now;
    this.zone = zone;
  }

  /**
   * Moves the clock forward.
   *
   * @throws IllegalArgumentException when {@code amount} is negative
   */
  public ManualClock advance(Duration amount) {
    requireNonNull(amount, "amount");
    if (amount.isNegative()) {
      throw new IllegalArgumentException("a clock only moves forward, not by " + amount);
    }
    Instant before;
    do {
      before = now.get();
    } while (!now.compareAndSet(before, before.plus(amount)));
    return this;
  }

  /** Moves the clock forward by {@code amount} {@code unit}s. */
  public ManualClock advance(long amount, TimeUnit unit) {
    requireNonNull(unit, "unit");
    if (amount < 0) {
      throw new IllegalArgumentException("a clock only moves forward, not by " + amount);
    }
    return advance(Duration.ofNanos(unit.toNanos(amount)));
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return new ManualClock(now, requireNonNull(zone, "zone"));
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ManualClock
        && ((ManualClock) other).now == now
        && ((ManualClock) other).zone.equals(zone);
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(now) ^ zone.hashCode();
  }

  @Override
  public String toString() {
    return "ManualClock{" + now.get() + ", " + zone + "}";
  }

  private static <T> T requireNonNull(T value, String name) {
    if (value == null) {
      throw new NullPointerException(name + " == null");
    }
    return value;
  }
}
