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
package dev.seckill.internal.flush;

import dev.seckill.Durability;
import dev.seckill.PurchaseListener;
import dev.seckill.PurchaseRequest;
import dev.seckill.PurchaseResult;
import dev.seckill.internal.ledger.StockLedger;
import dev.seckill.spi.ConfirmedOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains one shard's outbox into an {@link dev.seckill.spi.OrderSink} on its own thread
 * ({@code seckill-flusher-N}), never on the ledger writer.
 *
 * <p>Loop: read up to {@code batchSize} orders above the flushed watermark and at or below the
 * writer's published sequence; wait up to {@code maxDelay} for a batch to fill; call
 * {@code store}; on success remove the orders from the outbox and advance the persisted flushed
 * watermark; on failure keep them and retry the same range after a capped exponential backoff,
 * logging once per failed attempt. Nothing is dropped: the outbox is in the persisted ledger, so
 * the sale goes on while the sink is down, until the outbox bound turns new purchases into
 * {@code OVERLOADED}.
 *
 * <p>Threads: {@link #run} is the flusher thread. {@link #awaitFlushed}, {@link #enqueuePending}
 * and {@link #stop} may be called from any thread; they communicate through concurrent queues,
 * volatile fields and {@link LockSupport#unpark}.
 */
public final class OutboxFlusher implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(OutboxFlusher.class);

  private final int shard;
  private final StockLedger ledger;
  private final FlushSettings settings;
  private final boolean groupCommit;
  private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private volatile Thread thread;
  private volatile boolean flushNow;
  private volatile long stopDeadlineNanos;
  private volatile boolean stopping;
  /** Flushed watermark as published by the flusher thread, for other threads. */
  private volatile long flushedView;

  /** Creates the flusher for {@code ledger}; {@link #start} runs it. */
  public OutboxFlusher(int shard, StockLedger ledger, FlushSettings settings) {
    this.shard = shard;
    this.ledger = ledger;
    this.settings = settings;
    this.groupCommit = settings.durability() == Durability.PERSISTED;
    this.flushedView = ledger.flushedSeq();
  }

  /** Starts the flusher thread. */
  public void start() {
    Thread t = new Thread(this, "seckill-flusher-" + shard);
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  /**
   * A future completed once every order confirmed on this shard before the call is stored in
   * the sink. Any thread.
   */
  public CompletableFuture<Void> awaitFlushed() {
    long target = ledger.publishedSeq();
    if (flushedView >= target) {
      return CompletableFuture.completedFuture(null);
    }
    Waiter w = new Waiter(target);
    waiters.add(w);
    flushNow = true;
    LockSupport.unpark(thread);
    if (flushedView >= target) { // the flusher may have passed target before we enqueued
      w.future.complete(null);
    }
    return w.future;
  }

  /**
   * Holds a confirmed purchase until its order is stored (for {@link Durability#PERSISTED}).
   * Called by the responder thread.
   */
  public void enqueuePending(long orderId, PurchaseRequest request,
      CompletableFuture<PurchaseResult> future, PurchaseListener listener) {
    pending.add(new Pending(orderId, request, future, listener));
    LockSupport.unpark(thread); // a buyer is waiting: store (or deliver) now, not after maxDelay
  }

  /**
   * Asks the flusher to store what it can until {@code timeoutNanos} from now, then stop; the
   * returned future completes when it has stopped. Orders left are flushed after the next start.
   */
  public CompletableFuture<Void> stop(long timeoutNanos) {
    stopDeadlineNanos = System.nanoTime() + timeoutNanos;
    stopping = true;
    LockSupport.unpark(thread);
    return stopped;
  }

  @Override
  public void run() {
    List<ConfirmedOrder> batch = new ArrayList<>(Math.min(settings.batchSize(), 10_000));
    long backoffNanos = settings.initialBackoff().toNanos();
    int failures = 0;
    long oldestSeenAt = 0;
    try {
      while (true) {
        long published = ledger.publishedSeq();
        long flushed = ledger.flushedSeq();
        boolean stoppingNow = stopping;
        if (stoppingNow && (published == flushed || System.nanoTime() - stopDeadlineNanos >= 0)) {
          completeWaiters(flushed);
          deliverPending(flushed);
          break;
        }
        long available = published - flushed;
        if (available == 0) {
          oldestSeenAt = 0;
          completeWaiters(flushed);
          deliverPending(flushed);
          LockSupport.parkNanos(this, settings.maxDelay().toNanos());
          continue;
        }
        long now = System.nanoTime();
        if (oldestSeenAt == 0) {
          oldestSeenAt = now;
        }
        // With PERSISTED, buyers wait for the store: group commit, no waiting for a fuller batch
        // (orders that arrive during one store form the next batch).
        boolean due = available >= settings.batchSize() || flushNow || stoppingNow || groupCommit
            || now - oldestSeenAt >= settings.maxDelay().toNanos();
        if (!due) {
          LockSupport.parkNanos(this, settings.maxDelay().toNanos() - (now - oldestSeenAt));
          continue;
        }
        flushNow = false;
        batch.clear();
        long upTo = ledger.readUnflushed(published, settings.batchSize(), batch);
        try {
          if (!batch.isEmpty()) {
            settings.sink().store(batch);
          }
        } catch (Exception | LinkageError e) {
          failures++;
          log.warn("seckill shard {}: storing {} orders in the sink failed (attempt {}); the orders"
                  + " stay in the outbox ({} now) and are retried in {} ms", shard, batch.size(),
              failures, ledger.outboxSize(), TimeUnit.NANOSECONDS.toMillis(backoffNanos), e);
          if (stopping && System.nanoTime() - stopDeadlineNanos >= 0) {
            break;
          }
          LockSupport.parkNanos(this, backoffNanos);
          backoffNanos = Math.min(backoffNanos * 2, settings.maxBackoff().toNanos());
          continue;
        }
        if (failures > 0) {
          log.info("seckill shard {}: the sink recovered after {} failed attempts", shard, failures);
          failures = 0;
          backoffNanos = settings.initialBackoff().toNanos();
        }
        ledger.markFlushed(upTo, batch.size());
        flushedView = upTo;
        oldestSeenAt = upTo < published ? System.nanoTime() : 0;
        completeWaiters(upTo);
        deliverPending(upTo);
      }
    } catch (RuntimeException | Error e) {
      log.error("seckill shard {}: the flusher stopped unexpectedly; orders stay in the outbox"
          + " and are flushed after the next start", shard, e);
    } finally {
      failRemaining();
      stopped.complete(null);
    }
  }

  private void completeWaiters(long flushedSeq) {
    for (Waiter w : waiters) {
      if (w.target <= flushedSeq) {
        waiters.remove(w);
        w.future.complete(null);
      }
    }
  }

  /** Delivers PERSISTED confirmations whose orders are now stored; they arrive in id order. */
  private void deliverPending(long flushedSeq) {
    long flushedOrderId = flushedSeq == 0 ? 0 : ledger.orderIdOfSeq(flushedSeq);
    Pending p;
    while ((p = pending.peek()) != null && p.orderId <= flushedOrderId) {
      pending.poll();
      try {
        if (p.future != null) {
          p.future.complete(PurchaseResult.confirmed(p.orderId, p.request.quantity()));
        } else {
          p.listener.onConfirmed(p.request, p.orderId);
        }
      } catch (RuntimeException e) {
        log.warn("seckill shard {}: a purchase callback threw on the flusher thread", shard, e);
      }
    }
  }

  private void failRemaining() {
    Pending p;
    while ((p = pending.poll()) != null) {
      IllegalStateException e = new IllegalStateException("order " + p.orderId
          + " is confirmed in the ledger but was not stored in the sink before the engine closed;"
          + " it is stored after the next start");
      try {
        if (p.future != null) {
          p.future.completeExceptionally(e);
        } else {
          p.listener.onFailed(p.request, e);
        }
      } catch (RuntimeException callbackFailure) {
        log.warn("seckill shard {}: a purchase callback threw on the flusher thread", shard,
            callbackFailure);
      }
    }
    Waiter w;
    while ((w = waiters.poll()) != null) {
      w.future.completeExceptionally(new IllegalStateException(
          "the engine closed before every order was stored in the sink; the rest are stored"
              + " after the next start"));
    }
  }

  private static final class Waiter {
    final long target;
    final CompletableFuture<Void> future = new CompletableFuture<>();

    Waiter(long target) {
      this.target = target;
    }
  }

  private static final class Pending {
    final long orderId;
    final PurchaseRequest request;
    final CompletableFuture<PurchaseResult> future;
    final PurchaseListener listener;

    Pending(long orderId, PurchaseRequest request, CompletableFuture<PurchaseResult> future,
        PurchaseListener listener) {
      this.orderId = orderId;
      this.request = request;
      this.future = future;
      this.listener = listener;
    }
  }
}
