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
import dev.seckill.Rejection;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
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
 * {@link OutboxFlusher#awaitSettled} until the order is stored in the sink; a voided order is
 * delivered as a refusal (VOIDED, or LIMIT_REACHED), a dead-lettered order,
 * or one the flusher stopped without storing, is delivered as a failure instead. Decisions are
 * delivered in ring order, so a refusal decided after such a confirmation waits for it too.
 *
 * <p>This is where caller code runs, every time: dependent actions of a future ({@code thenAccept}
 * and the like, unless the caller chose an async variant) and listener methods run on this
 * thread, never on the ledger writer or the flusher. A slow callback delays later results and,
 * once the ring fills, turns into {@code OVERLOADED} for new requests; it never stalls a decision
 * already being made.
 *
 * <p>It also records the shard's decision latency ({@link #decisionLatency()}): for each purchase
 * whose ring sequence is a multiple of {@link Shard#LATENCY_SAMPLE_EVERY}, the time from the
 * caller's stamp in {@link Shard#tryPublish} to the moment its decision is handed to the listener
 * (after the PERSISTED wait, before the callback runs). This thread is the histogram's only writer.
 */
final class Responder implements EventHandler<PurchaseEvent> {
  private static final Logger log = LoggerFactory.getLogger(Responder.class);
  private final int shard;
  private final AtomicLong callbackFailures = new AtomicLong();
  /**
   * With durability PERSISTED, the shard's flusher: a confirmation waits until it stored it.
   * Null with LEDGER.
   */
  private final @Nullable OutboxFlusher flusher;
  /** Sampled submit-to-decision latency; written only on this thread. */
  private final LatencyHistogram decisionLatency = new LatencyHistogram();

  private Responder(int shard, @Nullable OutboxFlusher flusher) {
    this.shard = shard;
    this.flusher = flusher;
  }

  /** Shard {@code shard}'s responder for durability LEDGER: delivers every decision at once. */
  public static Responder atOnce(int shard) {
    return new Responder(shard, null);
  }

  /**
   * Shard {@code shard}'s responder for durability PERSISTED: delivers a confirmation only once
   * {@code flusher} has stored it (as a failure if it could not).
   */
  public static Responder afterStored(int shard, OutboxFlusher flusher) {
    return new Responder(shard, Objects.requireNonNull(flusher, "flusher"));
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
        deliverPurchase(event, sequence);
      } else if (event.kind == PurchaseEvent.Kind.REGISTER
          || event.kind == PurchaseEvent.Kind.SALE_OP) {
        CompletableFuture<SaleState> registration =
            Objects.requireNonNull(event.registration, "registration");
        Throwable failure = event.failure;
        if (failure != null) {
          registration.completeExceptionally(failure);
        } else {
          registration.complete(event.registered);
        }
      } else if (event.kind == PurchaseEvent.Kind.PAY || event.kind == PurchaseEvent.Kind.CANCEL) {
        CompletableFuture<OrderTransition> answer =
            Objects.requireNonNull(event.transitionAnswer, "transitionAnswer");
        Throwable failure = event.failure;
        if (failure != null) {
          answer.completeExceptionally(failure);
        } else {
          answer.complete(Objects.requireNonNull(event.transition, "transition"));
        }
      }
    } catch (RuntimeException e) {
      callbackFailed(e);
    } finally {
      event.clear();
    }
  }

  /** The one place a purchase's decision reaches its caller. */
  private void deliverPurchase(PurchaseEvent event, long sequence) {
    SaleState sale = event.sale();
    PurchaseRequest request = event.request();
    PurchaseListener listener = event.listener();
    // The writer has decided: these units no longer compete for stock. Taken out of flight
    // before any callback runs, so a throwing callback cannot leak them.
    sale.admissionCap().exit(request.quantity());
    OutboxFlusher f = flusher;
    if (f != null && event.failure == null && event.rejection == null) {
      OutboxFlusher.Settled settled = f.awaitSettled(event.orderId); // null once stored
      if (settled != null) {
        event.failure = settled.failure;
        event.rejection = settled.rejection; // a voided order: refused, not confirmed
      }
    }
    if ((sequence & Shard.LATENCY_SAMPLE_MASK) == 0) { // stamped by tryPublish; before callbacks
      decisionLatency.record(System.nanoTime() - event.submittedNanos);
    }
    Throwable failure = event.failure;
    Rejection rejection = event.rejection;
    if (failure != null) {
      listener.onFailed(request, failure);
    } else if (rejection != null) {
      sale.countRejection(rejection);
      listener.onRejected(request, rejection);
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

  /** Sampled submit-to-decision latency of this shard's purchases. Read from any thread. */
  LatencyHistogram decisionLatency() {
    return decisionLatency;
  }

  /** Callbacks that have thrown so far. */
  public long callbackFailures() {
    return callbackFailures.get();
  }
}
