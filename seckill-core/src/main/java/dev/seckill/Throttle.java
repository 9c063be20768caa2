/*
 * Copyright 2026 The seckill authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package dev.seckill;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * A per-key attempt counter for one kind of key (user ids, or client addresses): at most
 * {@code limit} attempts per fixed window, and a key that overruns its window {@code strikes}
 * times is put on a {@link Blocklist} for the cool-down.
 *
 * <p>Threads: {@link #hit} is lock-free and safe from any number of caller threads; a key's
 * counter is one packed {@code long} updated by compare-and-set, its strike count one
 * {@code int} updated by get-and-add. A hit on a tracked key allocates nothing and costs one
 * size-bounded Caffeine lookup (no expiry bookkeeping: that would cost several times more).
 *
 * <h2>Semantics</h2>
 * Windows are fixed and aligned to the epoch ({@code now / window}), so a key may make up to
 * {@code 2 * limit} attempts across a window boundary; that is the price of one word of state per
 * key. The attempt that first exceeds the limit in a window is a <em>strike</em>; at
 * {@code strikesToBlock} strikes (0 disables blocking) the key is blocked and its strikes reset.
 * Strikes decay: one that comes more than {@code max(window, coolDown)} after the previous
 * strike starts the count again, so occasional overruns days apart never add up to a block.
 * Attempts are counted whether or not they are then refused for another reason.
 *
 * <h2>Bounds and their effects</h2>
 * Counters live in a Caffeine cache with {@code maximumSize(maxTracked)} and no expiry: stale
 * counters are harmless (their window has passed) and are evicted by size. Eviction is
 * W-TinyLFU, so keys that hammer stay tracked while one-off keys go first. An evicted key starts
 * again with a fresh window and no strikes: under a flood of distinct keys the throttle forgets,
 * it never grows. The window index is kept modulo 2^32 windows (with 1 ms windows, 49 days).
 */
final class Throttle {
  /** False for the {@link #off} throttle, which tracks nothing and has no counters. */
  private final boolean enabled;
  private final @Nullable Cache<String, Counter> counters;
  private final Blocklist blocklist;
  private final int limit;
  private final long windowMillis;
  private final int strikesToBlock;
  /** Windows after which a strike no longer counts towards a block. */
  private final long strikeMemoryWindows;

  /**
   * A throttle allowing {@code limit} attempts per {@code window}, blocking a key on
   * {@code blocklist} after {@code strikesToBlock} overrun windows (0: never).
   *
   * @param coolDown how long automatic blocks last; strikes are remembered this long, or one
   *     window if longer
   * @param maintenance runs Caffeine's cleanup; {@code Runnable::run} makes it synchronous
   */
  public Throttle(int limit, Duration window, int strikesToBlock, Duration coolDown,
      long maxTracked, Executor maintenance, Blocklist blocklist) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }
    if (window.toMillis() < 1) {
      throw new IllegalArgumentException("window must be at least 1ms, was " + window);
    }
    this.enabled = true;
    this.limit = limit;
    this.windowMillis = window.toMillis();
    this.strikesToBlock = strikesToBlock;
    this.blocklist = Objects.requireNonNull(blocklist, "blocklist");
    this.strikeMemoryWindows = Math.max(1, coolDown.toMillis() / windowMillis);
    this.counters = Caffeine.newBuilder()
        .maximumSize(maxTracked)
        .executor(maintenance)
        .<String, Counter>build();
  }

  /** The throttle of a disabled check, escalating to nothing: allows every attempt. */
  private Throttle(Blocklist blocklist) {
    this.enabled = false;
    this.counters = null;
    this.blocklist = Objects.requireNonNull(blocklist, "blocklist");
    this.limit = Integer.MAX_VALUE;
    this.windowMillis = 1;
    this.strikesToBlock = 0;
    this.strikeMemoryWindows = 1;
  }

  /** The mapping function of {@code counters.get}: a fresh counter for a key not tracked. */
  private static Counter newCounter(String key) {
    return new Counter();
  }

  /**
   * A throttle that is off: {@link #hit} always allows, without tracking the key, and
   * {@code blocklist} only serves manual blocks.
   */
  public static Throttle off(Blocklist blocklist) {
    return new Throttle(blocklist);
  }

  /** False for a throttle made by {@link #off}. */
  public boolean isEnabled() {
    return enabled;
  }

  /**
   * Counts one attempt by {@code key} at {@code nowMillis}: {@link Verdict#ALLOW} within the
   * limit, {@link Verdict#THROTTLED} beyond it, {@link Verdict#BLOCKED} if this attempt earned
   * the strike that blocks the key.
   */
  public Verdict hit(String key, long nowMillis) {
    Cache<String, Counter> counters = this.counters;
    if (counters == null) { // the off throttle (enabled is false exactly when counters is null)
      return Verdict.ALLOW;
    }
    Counter counter = counters.get(key, Throttle::newCounter); // non-capturing: not allocated
    int window = (int) Math.floorDiv(nowMillis, windowMillis);
    int attempts = counter.increment(window);
    if (attempts <= limit) {
      return Verdict.ALLOW;
    }
    if (attempts == limit + 1 && strikesToBlock > 0
        && counter.strike(window, strikeMemoryWindows) >= strikesToBlock) {
      counter.clearStrikes();
      blocklist.blockAutomatically(key);
      return Verdict.BLOCKED;
    }
    return Verdict.THROTTLED;
  }

  /** Forgets {@code key}'s attempts and strikes (after an operator unblocks it). */
  public void forget(String key) {
    Cache<String, Counter> counters = this.counters;
    if (counters != null) {
      counters.invalidate(key);
    }
  }

  /** Keys tracked now, approximately (Caffeine's estimate; exact after {@link #cleanUp()}). */
  public long trackedCount() {
    Cache<String, Counter> counters = this.counters;
    return counters != null ? counters.estimatedSize() : 0;
  }

  /** Runs pending cache maintenance (evictions, expiry) now. */
  public void cleanUp() {
    Cache<String, Counter> counters = this.counters;
    if (counters != null) {
      counters.cleanUp();
    }
  }

  /** The blocklist this throttle escalates to. */
  public Blocklist blocklist() {
    return blocklist;
  }

  /** What one {@link #hit} decided. */
  public enum Verdict {
    /** Within the window's limit. */
    ALLOW,
    /** Over the window's limit. */
    THROTTLED,
    /** Over the limit for the {@code strikesToBlock}-th time: the key is now blocked. */
    BLOCKED
  }

  /** One key's window and strikes. */
  static final class Counter {
    private static final VarHandle STATE;
    private static final VarHandle STRIKES;
    private static final VarHandle LAST_STRIKE;

    static {
      try {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        STATE = lookup.findVarHandle(Counter.class, "state", long.class);
        STRIKES = lookup.findVarHandle(Counter.class, "strikes", int.class);
        LAST_STRIKE = lookup.findVarHandle(Counter.class, "lastStrikeWindow", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    /** High 32 bits: window index (mod 2^32); low 32 bits: attempts in it, saturating. */
    @SuppressWarnings("unused") // accessed through STATE
    private volatile long state;

    @SuppressWarnings("unused") // accessed through STRIKES
    private volatile int strikes;

    /** The window (mod 2^32) of the latest strike. */
    @SuppressWarnings("unused") // accessed through LAST_STRIKE
    private volatile int lastStrikeWindow;

    /** Counts an attempt in window {@code window}; returns the attempts in it so far. */
    int increment(int window) {
      for (;;) {
        long current = (long) STATE.getVolatile(this);
        int attempts = (int) current;
        int next;
        if ((int) (current >>> 32) != window) {
          next = 1; // a new window
        } else if (attempts == Integer.MAX_VALUE) {
          return attempts; // saturated
        } else {
          next = attempts + 1;
        }
        long updated = ((long) window << 32) | (next & 0xFFFF_FFFFL);
        if (STATE.compareAndSet(this, current, updated)) { // CAS: one winner per attempt
          return next;
        }
      }
    }

    /**
     * Adds a strike in {@code window}; returns the strikes so far, counting afresh if the
     * previous strike is more than {@code memoryWindows} windows old. Racing strikes may lose a
     * reset or a count: the block comes a strike early or late, never unbounded.
     */
    int strike(int window, long memoryWindows) {
      int previous = (int) LAST_STRIKE.getAndSet(this, window);
      if (((window - previous) & 0xFFFF_FFFFL) > memoryWindows) {
        STRIKES.setVolatile(this, 0); // the last strike is old news: start again
      }
      return (int) STRIKES.getAndAdd(this, 1) + 1;
    }

    void clearStrikes() {
      STRIKES.setVolatile(this, 0);
    }
  }
}
