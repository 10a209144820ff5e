package io.github.capreport.testkit;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The state a {@link VendorPolicy} needs while an emulator runs: per caller IP, the block and the
 * recent requests each rule counts; the tasks already reported. One per emulator, replaced on
 * reset. Thread-safe: each request is decided whole under this object's lock.
 */
final class VendorRules {
  private final VendorPolicy policy;
  private final Clock clock;
  private final Map<InetAddress, Caller> callers = new HashMap<>();
  private final Set<Long> reported = new HashSet<>();
  private int blocksTripped;

  VendorRules(VendorPolicy policy, Clock clock) {
    this.policy = policy;
    this.clock = clock;
  }

  /**
   * Decides a {@code POST} to a report path, records the verdict on {@code request}, and returns
   * it. {@link PolicyVerdict#NONE}, {@code WRONG_KEY} and {@code WRONG_TASK_ID} leave the answer to
   * the emulator; the others are the answer.
   *
   * @param isReport whether the Content-Type and the body are the API's
   * @param keyKnown whether the emulator knows the key
   * @param taskCreatedMillis when the emulator learnt the task, or null when it does not know it
   */
  synchronized PolicyVerdict decide(
      RecordedRequest request, boolean isReport, boolean keyKnown, Long taskCreatedMillis) {
    long now = clock.millis();
    Caller caller = caller(request.remoteAddress());
    PolicyVerdict verdict;
    boolean tripped = false;
    if (now < caller.blockedUntil) {
      caller.blockedUntil = now + policy.blockDuration().toMillis();
      verdict = PolicyVerdict.IP_BLOCKED;
    } else if (!caller.served.admit(now, policy.rateLimit(), policy.ratePeriod().toMillis())) {
      verdict = PolicyVerdict.RATE_LIMITED;
    } else if (!isReport) {
      verdict = PolicyVerdict.NONE;
    } else if (!keyKnown) {
      verdict = PolicyVerdict.WRONG_KEY;
      tripped =
          caller.wrongKeys.countReaches(
              now, policy.wrongKeyLimit(), policy.wrongKeyWindow().toMillis());
    } else {
      verdict = taskVerdict(request.taskId(), taskCreatedMillis, now);
      if (verdict != PolicyVerdict.NONE) {
        tripped =
            caller.wrongTaskIds.countReaches(
                now, policy.wrongTaskIdLimit(), policy.wrongTaskIdWindow().toMillis());
      }
    }
    if (tripped) {
      caller.blockedUntil = now + policy.blockDuration().toMillis();
      caller.wrongKeys.clear();
      caller.wrongTaskIds.clear();
      blocksTripped++;
    }
    request.policy(verdict, tripped);
    return verdict;
  }

  private PolicyVerdict taskVerdict(long taskId, Long createdMillis, long now) {
    if (createdMillis == null) {
      return PolicyVerdict.WRONG_TASK_ID;
    }
    if (policy.taskLifetime() != null && now - createdMillis >= policy.taskLifetime().toMillis()) {
      return PolicyVerdict.TASK_EXPIRED;
    }
    if (!reported.add(taskId) && policy.oneReportPerTask()) {
      return PolicyVerdict.ALREADY_REPORTED;
    }
    return PolicyVerdict.NONE;
  }

  /** Forgets that a task was reported: the emulator learnt it anew. */
  synchronized void forgetReport(long taskId) {
    reported.remove(taskId);
  }

  /** Whether any caller is blocked now. */
  synchronized boolean isBlocked() {
    return latestBlockEnd() != null;
  }

  /** When the longest block in force ends, or null when none is. */
  synchronized Instant latestBlockEnd() {
    long now = clock.millis();
    Long latest = null;
    for (Caller caller : callers.values()) {
      if (now < caller.blockedUntil && (latest == null || caller.blockedUntil > latest)) {
        latest = caller.blockedUntil;
      }
    }
    return latest == null ? null : Instant.ofEpochMilli(latest);
  }

  synchronized int blocksTripped() {
    return blocksTripped;
  }

  private Caller caller(InetSocketAddress remote) {
    InetAddress address = remote == null ? null : remote.getAddress();
    Caller caller = callers.get(address);
    if (caller == null) {
      caller = new Caller();
      callers.put(address, caller);
    }
    return caller;
  }

  /** One caller IP's block and counts. */
  private static final class Caller {
    long blockedUntil = Long.MIN_VALUE;
    final Window served = new Window();
    final Window wrongKeys = new Window();
    final Window wrongTaskIds = new Window();
  }

  /** Times of recent events, for a sliding window of the policy clock. */
  private static final class Window {
    private final ArrayDeque<Long> times = new ArrayDeque<>();

    /** Counts an event at {@code now}; whether that makes {@code limit} within the window. */
    boolean countReaches(long now, int limit, long windowMillis) {
      if (limit == 0) {
        return false;
      }
      forgetBefore(now - windowMillis);
      times.addLast(now);
      return times.size() >= limit;
    }

    /** Counts an event at {@code now} unless {@code limit} are already in the window. */
    boolean admit(long now, int limit, long windowMillis) {
      if (limit == 0) {
        return true;
      }
      forgetBefore(now - windowMillis);
      if (times.size() >= limit) {
        return false;
      }
      times.addLast(now);
      return true;
    }

    void clear() {
      times.clear();
    }

    /** Events at or before {@code edge} are out of the window. */
    private void forgetBefore(long edge) {
      while (!times.isEmpty() && times.peekFirst() <= edge) {
        times.removeFirst();
      }
    }
  }
}
