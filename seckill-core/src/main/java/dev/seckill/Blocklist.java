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
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * A bounded blocklist for one kind of key (user ids, or client addresses): automatic entries put
 * there by a {@link Throttle} for a cool-down, and manual entries put there by an operator.
 *
 * <p>Threads: {@link #isBlocked} is lock-free and safe from any number of caller threads.
 * Manual changes ({@link #block}, {@link #unblock}) take this object's monitor, so they are
 * serialised with each other (they are operator calls, rare); automatic entries need no lock.
 *
 * <h2>Bounds and their effects</h2>
 * <ul>
 *   <li>Automatic entries: a Caffeine cache with {@code maximumSize} and expire-after-write of
 *       the cool-down. At the bound, the cache evicts some entries early: those keys are
 *       unblocked before their cool-down ends (and are throttled again if they keep going).
 *   <li>Manual entries: at most {@code maxManual}; expired ones are purged when the list is full,
 *       and if it is still full {@link #block} throws, so an operator's block is never dropped
 *       silently.
 * </ul>
 * Time is the engine's clock: manual expiry compares against the {@code now} the caller passes,
 * automatic expiry reads the cache's {@link ClockTicker}.
 */
final class Blocklist {
  /** The {@code untilMillis} of a block that lasts until {@link #unblock}. */
  public static final long FOREVER = Long.MAX_VALUE;

  private final String kind;
  private final Clock clock;
  private final Cache<String, Boolean> automatic;
  private final ConcurrentHashMap<String, Long> manual = new ConcurrentHashMap<>();
  private final int maxManual;
  /** False when nothing blocks automatically (throttling off): lookups skip the cache. */
  private final boolean automaticUsed;

  /**
   * A blocklist whose automatic entries last {@code coolDown}.
   *
   * @param kind what the keys are, for messages ("user", "address")
   * @param maxAutomatic the most automatic entries kept
   * @param maxManual the most manual entries kept
   * @param maintenance runs Caffeine's cleanup; {@code Runnable::run} makes it synchronous
   */
  public Blocklist(String kind, Clock clock, Duration coolDown, long maxAutomatic, int maxManual,
      Executor maintenance) {
    this(kind, clock, coolDown, maxAutomatic, maxManual, maintenance, true);
  }

  /**
   * As above; with {@code automaticUsed} false (no throttle feeds this list), lookups consult
   * only the manual entries.
   */
  public Blocklist(String kind, Clock clock, Duration coolDown, long maxAutomatic, int maxManual,
      Executor maintenance, boolean automaticUsed) {
    this.automaticUsed = automaticUsed;
    this.kind = Objects.requireNonNull(kind, "kind");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.maxManual = maxManual;
    this.automatic = Caffeine.newBuilder()
        .maximumSize(maxAutomatic)
        .expireAfterWrite(coolDown)
        .ticker(new ClockTicker(clock))
        .executor(maintenance)
        .<String, Boolean>build();
  }

  /** True if {@code key} is blocked at {@code nowMillis}. Lock-free; allocation-free. */
  public boolean isBlocked(String key, long nowMillis) {
    if (!manual.isEmpty()) {
      Long until = manual.get(key);
      if (until != null) {
        if (nowMillis < until) {
          return true;
        }
        manual.remove(key, until); // lazily drop an expired manual block
      }
    }
    return automaticUsed && automatic.getIfPresent(key) != null;
  }

  /** Puts {@code key} on the list for the cool-down (from now, by the engine's clock). */
  void blockAutomatically(String key) {
    assert automaticUsed : "an automatic block on a list created without automatic blocks";
    automatic.put(key, Boolean.TRUE);
  }

  /**
   * Blocks {@code key} until {@code untilMillis} (exclusive), or until unblocked if
   * {@link #FOREVER}. Replaces any earlier manual block of the same key.
   *
   * @throws IllegalStateException if {@code maxManual} unexpired manual blocks already exist
   */
  public synchronized void block(String key, long untilMillis) {
    Objects.requireNonNull(key, kind);
    if (!manual.containsKey(key) && manual.size() >= maxManual) {
      purgeExpired(clock.millis());
      if (manual.size() >= maxManual) {
        throw new IllegalStateException("the manual " + kind + " blocklist is full (maxManualBlocks="
            + maxManual + "): unblock some " + kind + "s or raise maxManualBlocks");
      }
    }
    manual.put(key, untilMillis);
  }

  /** Lifts every block of {@code key}, manual and automatic; true if there was one. */
  public synchronized boolean unblock(String key) {
    Objects.requireNonNull(key, kind);
    boolean had = manual.remove(key) != null;
    if (automatic.asMap().remove(key) != null) {
      had = true;
    }
    return had;
  }

  /** Manual blocks held, expired ones included until purged. */
  public int manualCount() {
    return manual.size();
  }

  /** Automatic blocks held, approximately (Caffeine's estimate). */
  public long automaticCount() {
    return automatic.estimatedSize();
  }

  /** Runs pending cache maintenance now and purges expired manual blocks. */
  public synchronized void cleanUp() {
    automatic.cleanUp();
    purgeExpired(clock.millis());
  }

  private void purgeExpired(long nowMillis) {
    for (Iterator<Map.Entry<String, Long>> it = manual.entrySet().iterator(); it.hasNext(); ) {
      if (it.next().getValue() <= nowMillis) {
        it.remove();
      }
    }
  }
}
