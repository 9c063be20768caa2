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
import com.lmax.disruptor.Sequence;
import dev.seckill.PurchaseRequest;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger writer, on thread {@code seckill-ledger-N}: the first consumer of a shard's ring and
 * the only thread that mutates its {@link StockLedger}. It decides and writes the decision into the slot; it never completes a
 * future or calls a listener, so no caller code ever runs on this thread.
 */
final class LedgerHandler implements EventHandler<PurchaseEvent> {
  private static final Logger log = LoggerFactory.getLogger(LedgerHandler.class);
  private final int shard;
  private final StockLedger ledger;
  /**
   * With {@link IdleStrategy#BLOCKING}, the ring's wait strategy: signalled at the end of each
   * batch so that a parked responder wakes. Null with the other strategies (their waiters poll).
   */
  private final @Nullable ParkingWaitStrategy downstream;
  /** This handler's own sequence, to publish it at the end of a batch before signalling. */
  private @Nullable Sequence sequenceCallback;
  /** Asks for another tick at once; set by the shard. Called on this (the writer) thread. */
  private @Nullable Runnable retick;
  private long checkpointFailures;

  /** Creates the writer for shard {@code shard}'s {@code ledger}; no end-of-batch signal. */
  public LedgerHandler(int shard, StockLedger ledger) {
    this(shard, ledger, null);
  }

  /**
   * Creates the writer for shard {@code shard}'s {@code ledger}, signalling {@code downstream}
   * (if not null) at the end of each batch.
   */
  public LedgerHandler(int shard, StockLedger ledger, @Nullable ParkingWaitStrategy downstream) {
    this.shard = shard;
    this.ledger = ledger;
    this.downstream = downstream;
  }

  /**
   * Sets what to run when a tick expired a whole batch and more reservations may be due: the
   * shard's non-blocking {@link Shard#requestTick}. Before the writer starts.
   */
  void onTickBacklog(Runnable retick) {
    this.retick = retick;
  }

  @Override
  public void setSequenceCallback(Sequence sequenceCallback) {
    this.sequenceCallback = sequenceCallback;
  }

  /** The name of shard {@code shard}'s ledger writer thread. */
  public static String threadName(int shard) {
    return "seckill-ledger-" + shard;
  }

  @Override
  public void onStart() {
    Thread.currentThread().setName(threadName(shard)); // named here, not by consumer order
    if (downstream != null && sequenceCallback == null) {
      // Without its sequence the writer cannot signal: a parked responder would wake only at
      // ParkingWaitStrategy's park bound. Disruptor's DSL always provides it.
      throw new IllegalStateException("the ledger writer was started without its sequence");
    }
    ledger.bindWriter(); // single-writer rule: only this thread may mutate the ledger from now on
  }

  @Override
  public void onShutdown() {
    ledger.releaseWriter(); // the ring is drained; close() takes over on its own thread
  }

  @Override
  public void onEvent(PurchaseEvent event, long sequence, boolean endOfBatch) {
    try {
      if (event.kind == PurchaseEvent.Kind.PURCHASE) {
        PurchaseRequest request = event.request();
        // userId was validated on the caller thread (INVALID_REQUEST): never null here
        ledger.decide(event.sale(), Objects.requireNonNull(request.userId(), "userId"),
            event.userKey, request.quantity(), event.hasRequestKey ? event.requestKey : null,
            event);
      } else if (event.kind == PurchaseEvent.Kind.REGISTER) {
        event.registered = ledger.register(Objects.requireNonNull(event.saleToRegister, "sale"));
      } else if (event.kind == PurchaseEvent.Kind.PAY || event.kind == PurchaseEvent.Kind.CANCEL) {
        ledger.transition(event);
      } else if (event.kind == PurchaseEvent.Kind.TICK) {
        if (ledger.tick() == StockLedger.TICK_BATCH && retick != null) {
          // More may be due: queue the next tick behind what is in the ring now, instead of
          // waiting for the timer's next interval (which bounded expiry at 1024 per interval).
          retick.run();
        }
      } else if (event.kind == PurchaseEvent.Kind.SALE_OP) {
        event.registered = ledger.operate(event.sale(), Objects.requireNonNull(event.saleOp, "op"),
            event.saleOpArg);
      } else if (event.kind == PurchaseEvent.Kind.VOIDS) {
        ledger.applyVoids(Objects.requireNonNull(event.voids, "voids"));
      } else if (event.kind == PurchaseEvent.Kind.LEASE_OP) {
        // Answered here, not by the responder: with PERSISTED the responder may wait for the
        // sink, and the cluster thread must not. The cluster thread waits on this future itself
        // and chains nothing to it, so completing it runs no caller code on this thread.
        LeaseOp op = Objects.requireNonNull(event.leaseOp, "leaseOp");
        try {
          ledger.leaseOp(op);
          op.answer.complete(op.result);
        } catch (Throwable e) {
          op.answer.completeExceptionally(e);
        }
      } // else an empty slot, claimed by a caller racing close(): nothing to decide
    } catch (Throwable e) { // decide answers Chronicle's failures itself; else a bug or a refused
      // registration / sale operation, which its caller receives
      event.failure = e;
    }
    if (endOfBatch) {
      try {
        ledger.checkpoint(); // one counters-and-watermark write for the whole batch
      } catch (Throwable e) {
        // The batch's orders are complete in the outbox and the users map: recovery replays
        // them, and the next checkpoint retries. Failing this event would tell a buyer whose
        // order stands that it failed; log instead.
        long n = ++checkpointFailures;
        if (Long.bitCount(n) == 1) {
          log.error("seckill ledger: a checkpoint failed ({} so far); it is retried with the next"
              + " batch, and the orders stand", n, e);
        }
      }
      ParkingWaitStrategy down = downstream;
      Sequence own = sequenceCallback;
      if (down != null && own != null) {
        // The batch is decided: publish the writer's sequence now (the processor would set the
        // same value after this call returns), with a full fence, then wake a parked responder.
        // Store, fence, read the waiter slot: the signaller's half of ParkingWaitStrategy's
        // protocol.
        own.setVolatile(sequence);
        down.signalDownstream();
      }
    }
  }
}
