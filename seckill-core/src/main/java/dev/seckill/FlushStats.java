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

import java.time.Clock;

/**
 * What one shard's flusher has done with the order sink, for {@link SeckillEngine#health()} and
 * metrics: stored batches and orders, failed stores, when the failures began and the last one.
 *
 * <p><b>Single writer.</b> Only the flusher thread calls {@link #stored} and {@link #failed};
 * each field is a volatile written by that thread alone, so a reader on any thread sees each
 * value whole (not all of them at one instant). No lock, no allocation on a successful store.
 */
final class FlushStats {
  private final Clock clock;
  private volatile long storedBatches;
  private volatile long storedOrders;
  private volatile long failedStores;
  /** Engine-clock millis of the last failure; meaningful once {@link #failedStores} > 0. */
  private volatile long lastFailureAtMillis;
  /** Engine-clock millis of the first failure after the last success; -1 while storing. */
  private volatile long failingSinceMillis = -1;
  private volatile String lastFailure = "";
  /** Engine-clock millis of the oldest order not yet stored, as last read; -1 when none. */
  private volatile long oldestUnflushedMillis = -1;

  FlushStats(Clock clock) {
    this.clock = clock;
  }

  /** The flusher stored a batch of {@code orders}. Flusher thread only. */
  @SuppressWarnings("NonAtomicVolatileUpdate") // single writer: the flusher thread
  void stored(int orders) {
    storedBatches = storedBatches + 1; // single writer: no read-modify-write race
    storedOrders = storedOrders + orders;
    answered();
  }

  /**
   * The sink answered without storing (it refused an order for good, which was dead-lettered):
   * it is reachable, so it is no longer "failing". Flusher thread only.
   */
  void answered() {
    if (failingSinceMillis != -1) {
      failingSinceMillis = -1;
    }
  }

  /** A store threw {@code failure}. Flusher thread only. */
  @SuppressWarnings("NonAtomicVolatileUpdate") // single writer: the flusher thread
  void failed(Throwable failure) {
    long now = clock.millis();
    lastFailure = failure.getClass().getName()
        + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
    lastFailureAtMillis = now;
    if (failingSinceMillis == -1) {
      failingSinceMillis = now;
    }
    failedStores = failedStores + 1; // last: a reader that sees the count sees the rest
  }

  /**
   * The oldest order not yet stored was confirmed at {@code millis} (engine clock), or -1: the
   * outbox is empty. Flusher thread only, when it reads a batch or finds nothing to read.
   */
  void oldestUnflushed(long millis) {
    if (oldestUnflushedMillis != millis) {
      oldestUnflushedMillis = millis;
    }
  }

  /** Engine-clock millis of the oldest unstored order the flusher last saw, or -1 if none. */
  long oldestUnflushedMillis() {
    return oldestUnflushedMillis;
  }

  long storedBatches() {
    return storedBatches;
  }

  long storedOrders() {
    return storedOrders;
  }

  long failedStores() {
    return failedStores;
  }

  /** Engine-clock millis of the last failure, or -1 if none. */
  long lastFailureAtMillis() {
    return failedStores == 0 ? -1 : lastFailureAtMillis;
  }

  /** Engine-clock millis since which every store has failed, or -1 while storing. */
  long failingSinceMillis() {
    return failingSinceMillis;
  }

  /** The last failure as "class: message", or empty if none. */
  String lastFailure() {
    return lastFailure;
  }
}
