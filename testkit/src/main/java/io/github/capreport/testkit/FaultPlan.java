package io.github.capreport.testkit;

import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/** Which requests get an injected {@link Fault}: periodically or at random with a seed. */
abstract class FaultPlan {
  private final Fault[] faults;
  private final Answer[] answers;

  FaultPlan(Fault[] faults) {
    if (faults == null || faults.length == 0) {
      throw new IllegalArgumentException("name at least one fault");
    }
    this.faults = faults.clone();
    this.answers = new Answer[faults.length];
    for (int i = 0; i < faults.length; i++) {
      if (faults[i] == null) {
        throw new NullPointerException("faults[" + i + "] == null");
      }
      answers[i] = faults[i].answer();
    }
  }

  /** The fault for the request arriving now, as an index into the faults, or -1 for none. */
  abstract int next();

  Fault fault(int index) {
    return faults[index];
  }

  Answer answer(int index) {
    return answers[index];
  }

  /** Requests n, 2n, 3n... from now get the faults in turn. */
  static FaultPlan every(final int n, Fault[] faults) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1, was " + n);
    }
    return new FaultPlan(faults) {
      private final AtomicLong requests = new AtomicLong();

      @Override
      int next() {
        long number = requests.incrementAndGet();
        if (number % n != 0) {
          return -1;
        }
        return (int) ((number / n - 1) % faultCount());
      }
    };
  }

  /** Each request gets a fault with the given probability, the fault picked at random. */
  static FaultPlan randomly(final double fraction, long seed, Fault[] faults) {
    if (!(fraction >= 0 && fraction <= 1)) {
      throw new IllegalArgumentException("fraction must be in [0, 1], was " + fraction);
    }
    final Random random = new Random(seed);
    return new FaultPlan(faults) {
      @Override
      int next() {
        synchronized (random) {
          if (random.nextDouble() >= fraction) {
            return -1;
          }
          return random.nextInt(faultCount());
        }
      }
    };
  }

  int faultCount() {
    return faults.length;
  }
}
