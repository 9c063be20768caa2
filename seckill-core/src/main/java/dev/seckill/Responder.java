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

import com.lmax.disruptor.EventHandler;
import dev.seckill.PurchaseListener;
import dev.seckill.PurchaseRequest;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last consumer of a shard's ring, on thread {@code seckill-responder-N}: delivers each
 * decision to its caller by calling the slot's listener (a caller's {@code PurchaseListener}, or
 * the {@link Reply} future), counts writer-side refusals, and takes each decided request's units
 * out of its sale's admission cap.
 *
 * <p>With durability PERSISTED it is also gated on the flusher: ledger writer, then persisting
 * (the flusher), then delivery. Before delivering a confirmation it waits in
 * {@link OutboxFlusher#awaitStored} until the order is stored in the sink; a dead-lettered order,
 * or one the flusher stopped without storing, is delivered as a failure instead. Decisions are
 * delivered in ring order, so a refusal decided after such a confirmation waits for it too.
 *
 * <p>This is where caller code runs, every time: dependent actions of a future ({@code thenAccept}
 * and the like, unless the caller chose an async variant) and listener methods run on this
 * thread, never on the ledger writer or the flusher. A slow callback delays later results and,
 * once the ring fills, turns into {@code OVERLOADED} for new requests; it never stalls a decision
 * already being made.
 */
final class Responder implements EventHandler<PurchaseEvent> {
  private static final Logger log = LoggerFactory.getLogger(Responder.class);
  private final int shard;
  private final AtomicLong callbackFailures = new AtomicLong();
  /** True with durability PERSISTED: a confirmation waits until {@link #flusher} stored it. */
  private final boolean awaitStored;
  /** The shard's flusher if {@link #awaitStored}; not used otherwise. */
  private final OutboxFlusher flusher;

  private Responder(int shard, boolean awaitStored, OutboxFlusher flusher) {
    this.shard = shard;
    this.awaitStored = awaitStored;
    this.flusher = flusher;
  }

  /** Shard {@code shard}'s responder for durability LEDGER: delivers every decision at once. */
  public static Responder atOnce(int shard) {
    return new Responder(shard, false, null);
  }

  /**
   * Shard {@code shard}'s responder for durability PERSISTED: delivers a confirmation only once
   * {@code flusher} has stored it (as a failure if it could not).
   */
  public static Responder afterStored(int shard, OutboxFlusher flusher) {
    return new Responder(shard, true, Objects.requireNonNull(flusher, "flusher"));
  }

  /** The name of shard {@code shard}'s responder thread. */
  public static String threadName(int shard) {
    return "seckill-responder-" + shard;
  }

  @Override
  public void onStart() {
    Thread.currentThread().setName(threadName(shard));
  }

  @Override
  public void onEvent(PurchaseEvent event, long sequence, boolean endOfBatch) {
    try {
      if (event.kind == PurchaseEvent.Kind.PURCHASE) {
        deliverPurchase(event);
      } else if (event.kind == PurchaseEvent.Kind.REGISTER) {
        if (event.failure != null) {
          event.registration.completeExceptionally(event.failure);
        } else {
          event.registration.complete(event.registered);
        }
      }
    } catch (RuntimeException e) {
      callbackFailed(e);
    } finally {
      event.clear();
    }
  }

  /** The one place a purchase's decision reaches its caller. */
  private void deliverPurchase(PurchaseEvent event) {
    // The writer has decided: these units no longer compete for stock. Taken out of flight
    // before any callback runs, so a throwing callback cannot leak them.
    event.sale.admissionCap().exit(event.request.quantity());
    if (awaitStored && event.failure == null && event.rejection == null) {
      event.failure = flusher.awaitStored(event.orderId); // null once stored
    }
    PurchaseListener listener = event.listener;
    PurchaseRequest request = event.request;
    if (event.failure != null) {
      listener.onFailed(request, event.failure);
    } else if (event.rejection != null) {
      event.sale.countRejection(event.rejection);
      listener.onRejected(request, event.rejection);
    } else {
      listener.onConfirmed(request, event.orderId);
    }
  }
  private void callbackFailed(RuntimeException e) {
    long n = callbackFailures.incrementAndGet();
    if (Long.bitCount(n) == 1) { // 1st, 2nd, 4th, 8th...: visible without flooding the log
      log.warn("a purchase callback threw ({} so far); callbacks must not throw", n, e);
    }
  }

  /** Callbacks that have thrown so far. */
  public long callbackFailures() {
    return callbackFailures.get();
  }
}
