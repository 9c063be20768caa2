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

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reservation timer: one daemon thread, {@code seckill-reservation-timer}, that every
 * interval publishes a TICK event into each shard's ring, so the shard's ledger writer expires
 * the reservations that fell due ({@link StockLedger#tick}). It decides nothing itself and
 * touches no ledger state: expiry stays a writer decision, ordered with pays and cancels.
 *
 * <p>Cost: it is started only once a sale with {@code payWithin} exists (an engine without
 * reservations has no timer thread); then one wake-up per interval, one ring slot per shard per
 * tick, and at most one tick pending per shard ({@link StockLedger#claimTick}), so a slow writer
 * never finds a queue of ticks. A full ring skips the tick (the next one retries). A tick that
 * expired a whole batch ({@link StockLedger#TICK_BATCH}) asks for the next one itself
 * ({@link Shard#requestTick}), so a backlog drains at the writer's pace, a batch at a time
 * between purchases, not a batch per interval.
 *
 * <p>Threads: {@link #start} and {@link #close} from any thread (synchronized, rare).
 */
final class ReservationTimer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReservationTimer.class);
  private final Shards shards;
  private final Duration interval;
  private @Nullable ScheduledExecutorService executor;
  private java.util.concurrent.@Nullable ScheduledFuture<?> ticking;
  private boolean closed;

  ReservationTimer(Shards shards, Duration interval) {
    this.shards = shards;
    this.interval = interval;
  }

  /** Starts ticking, if not already. */
  synchronized void start() {
    if (executor != null || closed) {
      return;
    }
    ScheduledExecutorService e = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "seckill-reservation-timer");
      t.setDaemon(true);
      return t;
    });
    long nanos = interval.toNanos();
    ticking = e.scheduleAtFixedRate(this::tickAll, nanos, nanos, TimeUnit.NANOSECONDS);
    executor = e;
    log.info("seckill reservation timer started: a tick every {} ms per shard", interval.toMillis());
  }

  /** Publishes one tick to every shard that has none pending. Timer thread. */
  private void tickAll() {
    try {
      for (int i = 0; i < shards.count(); i++) {
        shards.get(i).requestTick(); // full or closing: the next interval tries again
      }
    } catch (RuntimeException e) {
      log.warn("seckill reservation timer: a tick failed; the next one retries", e);
    }
  }

  /** True once started and not closed: for tests. */
  synchronized boolean running() {
    return executor != null && !closed;
  }

  @Override
  public synchronized void close() {
    closed = true;
    ScheduledExecutorService e = executor;
    java.util.concurrent.ScheduledFuture<?> t = ticking;
    if (t != null) {
      t.cancel(false);
    }
    if (e != null) {
      e.shutdownNow();
    }
  }
}
