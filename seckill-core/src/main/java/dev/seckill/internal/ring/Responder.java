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
package dev.seckill.internal.ring;

import com.lmax.disruptor.EventHandler;
import dev.seckill.PurchaseResult;
import dev.seckill.Rejection;
import dev.seckill.internal.flush.OutboxFlusher;
import dev.seckill.internal.ledger.StockLedger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second consumer of a shard's ring: delivers each decision to its caller (completes the
 * future, or calls the listener), counts writer-side refusals, and takes each decided request's
 * units out of its sale's admission cap.
 *
 * <p>This is where caller code runs: dependent actions of a future ({@code thenAccept} and the
 * like, unless the caller chose an async variant) and listener methods run on this thread, never
 * on the ledger writer. A slow callback delays later results and, once the ring fills, turns
 * into {@code OVERLOADED} for new requests; it never stalls a decision already being made.
 */
public final class Responder implements EventHandler<PurchaseEvent> {
  private static final Logger log = LoggerFactory.getLogger(Responder.class);
  private final AtomicLong callbackFailures = new AtomicLong();
  private final OutboxFlusher persistedFlusher;

  /**
   * Creates the responder. With a {@code persistedFlusher} (durability PERSISTED), confirmations
   * are handed to it and delivered once stored; otherwise they are delivered here.
   */
  public Responder(OutboxFlusher persistedFlusher) {
    this.persistedFlusher = persistedFlusher;
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

  private void deliverPurchase(PurchaseEvent event) {
    // The writer has decided: these units no longer compete for stock. Taken out of flight
    // before any callback runs, so a throwing callback cannot leak them.
    event.sale.admissionCap().exit(event.request.quantity());
    long decision = event.decision;
    if (event.failure != null) {
      if (event.future != null) {
        event.future.completeExceptionally(event.failure);
      } else {
        event.listener.onFailed(event.request, event.failure);
      }
      return;
    }
    if (StockLedger.isConfirmed(decision)) {
      if (persistedFlusher != null) {
        persistedFlusher.enqueuePending(decision, event.request, event.future, event.listener);
      } else if (event.future != null) {
        event.future.complete(PurchaseResult.confirmed(decision, event.request.quantity()));
      } else {
        event.listener.onConfirmed(event.request, decision);
      }
    } else {
      Rejection reason = StockLedger.rejectionOf(decision);
      event.sale.countRejection(reason);
      if (event.future != null) {
        event.future.complete(PurchaseResult.rejected(reason));
      } else {
        event.listener.onRejected(event.request, reason);
      }
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
