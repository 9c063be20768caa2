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

import dev.seckill.Durability;
import dev.seckill.IdleStrategy;
import dev.seckill.Rejection;
import dev.seckill.spi.ConfirmedOrder;
import dev.seckill.spi.OrderStateChange;
import dev.seckill.spi.PermanentSinkException;
import dev.seckill.spi.VoidedOrder;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains one shard's outbox into an {@link dev.seckill.spi.OrderSink} on its own thread
 * ({@code seckill-flusher-N}), never on the ledger writer.
 *
 * <p>Loop: read up to {@code batchSize} orders above the flushed watermark and at or below the
 * writer's published sequence; wait up to {@code maxDelay} for a batch to fill; call
 * {@code store}; on success advance the persisted flushed watermark (the journal then reuses
 * the segments wholly below it; no per-order delete); on failure keep them and retry the same range after a capped exponential backoff,
 * logging once per failed attempt. Nothing is dropped: the outbox is in the persisted ledger, so
 * the sale goes on while the sink is down, until the outbox bound turns new purchases into
 * {@code OVERLOADED}.
 *
 * <p>Poison orders: a {@link PermanentSinkException} says an order in the batch can never be
 * stored. The flusher then bisects: it reads batches of half the failed size from the watermark,
 * halving again on each permanent failure, until a batch of one order fails permanently; that
 * order goes to the {@link DeadLetterFile} (fsync'd) and only then does the watermark pass it.
 * A success that passes the end of the failed range, or a dead letter, ends the isolation and
 * restores the full batch size. Bisecting costs about two stores per halving, and no backoff:
 * the sink answered, it is not down. A PERSISTED buyer of a dead-lettered order gets a
 * {@link PermanentSinkException} instead of a confirmation.
 *
 * <p>Durability PERSISTED: the flusher is the persisting stage between the ledger writer and the
 * responder. The responder, before delivering a confirmation, calls {@link #awaitSettled}, which
 * wakes the flusher (a buyer waits: store now) and waits until the order is stored, dead-lettered,
 * or the flusher has stopped without storing it; the flusher wakes it after each store. The
 * flusher never runs caller code: every callback runs on the responder thread.
 *
 * <p>Voided orders: the flusher calls {@link dev.seckill.spi.OrderSink#storeOrVoid}, which
 * answers per order: stored, or voided with a reason (cluster mode: the node's lease was lost, or
 * the buyer holds the per-user limit on another node). A voided order is settled like a stored
 * one: the watermark passes it. Each batch's voids are counted ({@link #voidedOrders}), logged
 * once per batch, and handed to the shard's ledger writer as one ring event
 * ({@link PurchaseEvent.Kind#VOIDS}, published after the watermark moved, retried while the ring
 * is full), which gives the buyer's units back (and, for a LIMIT_REACHED void in cluster mode,
 * the units to the local lease); a crash between the watermark and that event loses only the
 * units' return to the buyer (the stricter side: the buyer may buy fewer, never more). With
 * PERSISTED, a voided order's buyer is refused ({@link dev.seckill.Rejection#VOIDED} for
 * LEASE_LOST, {@link dev.seckill.Rejection#LIMIT_REACHED} for LIMIT_REACHED), through the same
 * hand-over as dead letters; with LEDGER the buyer was already told, so the void is only counted
 * and logged.
 *
 * <p>Threads: {@link #run} is the flusher thread. {@link #awaitFlushed} and {@link #stop} may be
 * called from any thread, {@link #awaitSettled} from the responder thread only; they communicate
 * through concurrent queues, volatile fields and {@link LockSupport#unpark}.
 */
final class OutboxFlusher implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(OutboxFlusher.class);

  private final int shard;
  private final StockLedger ledger;
  /** The shard's outbox (the journal's reading side): this flusher's own. */
  private final OrderJournalReader outbox;
  private final FlushSettings settings;
  private final DeadLetterFile deadLetters;
  private final boolean groupCommit;
  private final IdleStrategy idle;
  private final FlushStats stats;
  private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  /** The flusher thread; null until {@link #start} (unparking null does nothing). */
  private volatile @Nullable Thread thread;
  private volatile boolean flushNow;
  private volatile long stopDeadlineNanos;
  private volatile boolean stopping;
  /** With {@link #stopping}: true once the ring's writer has decided every published request. */
  private volatile BooleanSupplier writerDrained = () -> true;
  /** Flushed watermark as published by the flusher thread, for other threads. */
  private volatile long publishedFlushedSeq;
  /** The order id of {@link #publishedFlushedSeq}: every order up to it is stored or parked. */
  private volatile long storedOrderId;
  /** True once {@link #run} has ended: nothing more will be stored before the next start. */
  private volatile boolean finished;
  /** The order id the responder waits for in {@link #awaitSettled}, 0 if it is not waiting. */
  private volatile long awaitedOrderId;
  /** The responder thread once it has waited in {@link #awaitSettled}; null before. */
  private volatile @Nullable Thread storeWaiter;
  /**
   * PERSISTED only: dead-lettered orders whose buyer may still be waiting, in id order, each with
   * the failure to give that buyer. Added by the flusher before its watermark passes the order,
   * taken by the responder.
   */
  private final ConcurrentLinkedQueue<DeadOrder> deadForPending = new ConcurrentLinkedQueue<>();
  /** Orders the sink voided since start (all durabilities). */
  private final AtomicLong voided = new AtomicLong();
  /**
   * Void batches not yet handed to the writer (the ring was full); flusher thread only. Each is
   * offered to {@link #voidPublisher}, which answers false while the ring is full.
   */
  private final ArrayDeque<List<VoidEntry>> voidsToPublish = new ArrayDeque<>();
  /** Hands a batch of voids to the ledger writer (a ring event); set by the shard. */
  private volatile Predicate<List<VoidEntry>> voidPublisher = voids -> true;

  /**
   * Creates the flusher for {@code ledger}, parking poison orders in {@code deadLetters};
   * {@link #start} runs it.
   */
  public OutboxFlusher(int shard, StockLedger ledger, FlushSettings settings,
      DeadLetterFile deadLetters, IdleStrategy idle) {
    this.shard = shard;
    this.ledger = ledger;
    this.outbox = ledger.outbox();
    this.settings = settings;
    this.deadLetters = deadLetters;
    this.idle = idle;
    this.stats = new FlushStats(ledger.clock());
    this.groupCommit = settings.durability() == Durability.PERSISTED;
    this.publishedFlushedSeq = outbox.flushedSeq();
    this.storedOrderId = orderIdOf(publishedFlushedSeq);
  }

  /** The name of shard {@code shard}'s flusher thread. */
  public static String threadName(int shard) {
    return "seckill-flusher-" + shard;
  }

  /** What this flusher has stored and failed to store; any thread reads it. */
  FlushStats stats() {
    return stats;
  }

  /**
   * Sets how voids reach the ledger writer: {@code publisher} publishes one ring event and
   * answers false if the ring is full (retried on the next pass). Before {@link #start}.
   */
  void onVoids(Predicate<List<VoidEntry>> publisher) {
    this.voidPublisher = publisher;
  }

  /** Orders the sink voided since start. Any thread. */
  long voidedOrders() {
    return voided.get();
  }

  /**
   * The flushed watermark as last published by the flusher thread: every order of the shard at
   * or below this journal sequence is stored, voided or dead-lettered. Any thread.
   */
  long flushedSeq() {
    return publishedFlushedSeq;
  }

  /** Starts the flusher thread, named {@link #threadName}. */
  public void start() {
    Thread t = new Thread(this, threadName(shard));
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
    if (publishedFlushedSeq >= target) {
      return CompletableFuture.completedFuture(null);
    }
    Waiter w = new Waiter(target);
    waiters.add(w);
    flushNow = true;
    LockSupport.unpark(thread);
    if (publishedFlushedSeq >= target) { // the flusher may have passed target before we enqueued
      w.future.complete(null);
    }
    return w.future;
  }

  /**
   * Waits until order {@code orderId} (confirmed on this shard, decided before the call) is
   * stored in the sink, voided, dead-lettered, or left in the outbox by a flusher that has
   * stopped; for {@link Durability#PERSISTED}. Wakes the flusher first: a buyer waits, so it
   * stores now rather than after {@code maxDelay} (group commit). Waits as the engine's
   * {@link IdleStrategy} says: parked (BLOCKING, SLEEPING) until the flusher's next store unparks
   * it, yielding, or spinning. Responder thread only.
   *
   * @return null once the order is stored; otherwise what to tell its buyer instead: a
   *     {@link PermanentSinkException} for a dead-lettered order, an
   *     {@link IllegalStateException} for one the flusher stopped without storing, or a refusal
   *     ({@link Settled#rejection}) for a voided one
   */
  public @Nullable Settled awaitSettled(long orderId) {
    if (storedOrderId < orderId && !finished) {
      storeWaiter = Thread.currentThread();
      awaitedOrderId = orderId; // volatile store, then the re-check below: no lost wake-up
      LockSupport.unpark(thread);
      while (storedOrderId < orderId && !finished) {
        switch (idle) {
          case BUSY_SPIN:
            Thread.onSpinWait();
            break;
          case YIELDING:
            Thread.yield();
            break;
          default:
            LockSupport.park(this); // unparked by the flusher's next store, or its end
        }
      }
      awaitedOrderId = 0;
    }
    DeadOrder dead;
    while ((dead = deadForPending.peek()) != null && dead.orderId < orderId) {
      deadForPending.poll(); // no buyer waits for it (recovered after a restart)
    }
    if (dead != null && dead.orderId == orderId) {
      deadForPending.poll();
      return dead.answer;
    }
    if (storedOrderId < orderId) {
      return new Settled(new IllegalStateException("order " + orderId
          + " is confirmed in the ledger but was not stored in the sink before the engine closed;"
          + " it is stored after the next start"), null);
    }
    return null;
  }

  /**
   * Asks the flusher to store what it can until {@code timeoutNanos} from now, then stop; the
   * returned future completes when it has stopped. Before the deadline it stops only once
   * {@code writerDrained} answers true (the ring's writer has decided every request published
   * before the call; the ring must take no new ones) and every order it published is stored.
   * Orders left are flushed after the next start.
   */
  public CompletableFuture<Void> stop(long timeoutNanos, BooleanSupplier writerDrained) {
    this.writerDrained = writerDrained;
    stopDeadlineNanos = System.nanoTime() + timeoutNanos;
    stopping = true;
    LockSupport.unpark(thread);
    return stopped;
  }

  @Override
  public void run() {
    List<ConfirmedOrder> batch = new ArrayList<>(Math.min(settings.batchSize(), 10_000));
    List<OrderStateChange> changes = new ArrayList<>();
    long backoffNanos = settings.initialBackoff().toNanos();
    int failures = 0;
    long oldestSeenAt = 0;
    // Isolation of a poison order: while suspectEnd > 0, an order at or below that sequence made
    // a batch fail permanently, and batches hold at most `limit` orders.
    long suspectEnd = 0;
    int limit = settings.batchSize();
    try {
      outbox.bindFlusher(); // one owner: only this thread reads the outbox and moves its watermark
      while (true) {
        boolean stoppingNow = stopping;
        // Asked before reading publishedSeq: the writer publishes before its sequence advances.
        boolean drained = stoppingNow && writerDrained.getAsBoolean();
        long published = ledger.publishedSeq();
        long flushed = outbox.flushedSeq();
        if (stoppingNow && ((drained && published == flushed)
            || System.nanoTime() - stopDeadlineNanos >= 0)) {
          completeWaiters(flushed);
          break;
        }
        long available = published - flushed;
        publishVoids(); // a batch the full ring refused on an earlier pass
        if (available == 0) {
          oldestSeenAt = 0;
          stats.oldestUnflushed(-1);
          completeWaiters(flushed);
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
            || suspectEnd > 0 || now - oldestSeenAt >= settings.maxDelay().toNanos();
        if (!due) {
          LockSupport.parkNanos(this, settings.maxDelay().toNanos() - (now - oldestSeenAt));
          continue;
        }
        flushNow = false;
        batch.clear();
        changes.clear();
        long upTo = outbox.readUnflushed(published, suspectEnd > 0 ? limit : settings.batchSize(),
            batch, changes);
        if (!batch.isEmpty()) { // batches start at the watermark: its first order is the oldest
          stats.oldestUnflushed(batch.get(0).confirmedAt().toEpochMilli());
        }
        try {
          List<VoidedOrder> voids = List.of();
          if (!batch.isEmpty()) {
            voids = settings.sink().storeOrVoid(batch);
          }
          storeChanges(changes); // after the orders of the same pass
          if (!voids.isEmpty()) {
            voided(batch, voids); // before the watermark passes them: the responder's hand-over
          }
        } catch (PermanentSinkException e) {
          stats.failed(e);
          if (batch.size() > 1) {
            limit = batch.size() / 2;
            suspectEnd = upTo;
            log.warn("seckill shard {}: the sink refused a batch of {} orders (ids {} to {}) for"
                    + " good ({}); isolating the order at fault in batches of {}", shard,
                batch.size(), batch.get(0).orderId(), batch.get(batch.size() - 1).orderId(),
                e.getMessage(), limit);
            continue;
          }
          if (!deadLetter(batch.get(0), e) || !storeChangesOrLog(changes)) {
            failures++;
            if (stopping && System.nanoTime() - stopDeadlineNanos >= 0) {
              break;
            }
            LockSupport.parkNanos(this, backoffNanos);
            backoffNanos = Math.min(backoffNanos * 2, settings.maxBackoff().toNanos());
            continue;
          }
          stats.answered(); // the sink answers: the order is parked, not failing
          suspectEnd = 0;
          limit = settings.batchSize();
          outbox.markFlushed(upTo);
          stored(upTo);
          oldestSeenAt = upTo < published ? System.nanoTime() : 0;
          completeWaiters(upTo);
          continue;
        } catch (Exception | LinkageError e) {
          stats.failed(e);
          failures++;
          log.warn("seckill shard {}: storing {} orders in the sink failed (attempt {}); the orders"
                  + " stay in the outbox ({} now) and are retried in {} ms", shard, batch.size(),
              failures, outbox.size(), TimeUnit.NANOSECONDS.toMillis(backoffNanos), e);
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
        if (suspectEnd > 0 && upTo >= suspectEnd) {
          // The range that failed is stored without a permanent failure: nothing to isolate.
          suspectEnd = 0;
          limit = settings.batchSize();
        }
        if (!batch.isEmpty()) {
          stats.stored(batch.size());
          stats.oldestUnflushed(-1); // unknown until the next read: up to maxDelay unreported
        }
        outbox.markFlushed(upTo);
        stored(upTo);
        oldestSeenAt = upTo < published ? System.nanoTime() : 0;
        completeWaiters(upTo);
        publishVoids();
      }
    } catch (RuntimeException | Error e) {
      log.error("seckill shard {}: the flusher stopped unexpectedly; orders stay in the outbox"
          + " and are flushed after the next start", shard, e);
    } finally {
      if (!voidsToPublish.isEmpty()) {
        log.warn("seckill shard {}: {} batches of voided orders were not handed to the ledger"
            + " writer before the engine closed; their buyers' units stay counted (they may buy"
            + " that many fewer units of the sale)", shard, voidsToPublish.size());
      }
      finished = true;
      LockSupport.unpark(storeWaiter); // a waiting responder fails its order: nothing more is stored
      failRemaining();
      stopped.complete(null);
    }
  }

  /** Publishes the new watermark and wakes the responder if it waits for an order now stored. */
  private void stored(long flushedSeq) {
    publishedFlushedSeq = flushedSeq;
    long orderId = orderIdOf(flushedSeq);
    storedOrderId = orderId;
    long awaited = awaitedOrderId;
    if (awaited != 0 && awaited <= orderId) {
      LockSupport.unpark(storeWaiter);
    }
  }

  private long orderIdOf(long flushedSeq) {
    return flushedSeq == 0 ? 0 : ledger.orderIdOfSeq(flushedSeq);
  }

  /**
   * Records the sink's voids of {@code batch}: counted, logged once, queued for the writer and,
   * with PERSISTED, for their buyers (as refusals). Flusher thread; before the watermark moves.
   */
  private void voided(List<ConfirmedOrder> batch, List<VoidedOrder> voids) {
    Map<Long, ConfirmedOrder> byId = new HashMap<>();
    for (ConfirmedOrder o : batch) {
      byId.put(o.orderId(), o);
    }
    List<VoidEntry> entries = new ArrayList<>(voids.size());
    int leaseLost = 0;
    for (VoidedOrder v : voids) {
      ConfirmedOrder order = byId.get(v.orderId());
      if (order == null) {
        log.warn("seckill shard {}: the sink voided order {}, which was not in the batch; ignored",
            shard, v.orderId());
        continue;
      }
      entries.add(new VoidEntry(order, v.reason()));
      if (v.reason() == VoidedOrder.Reason.LEASE_LOST) {
        leaseLost++;
      }
    }
    if (entries.isEmpty()) {
      return;
    }
    entries.sort((a, b) -> Long.compare(a.order().orderId(), b.order().orderId()));
    long total = voided.addAndGet(entries.size());
    // LIMIT_REACHED voids are routine in cluster mode (a buyer on two nodes at once): INFO;
    // LEASE_LOST ones mean a node sold on a lease it had lost: WARN.
    org.slf4j.event.Level level = leaseLost > 0 ? org.slf4j.event.Level.WARN
        : org.slf4j.event.Level.INFO;
    log.atLevel(level).log("seckill shard {}: the sink voided {} of a batch of {} orders ({} LEASE_LOST, {}"
        + " LIMIT_REACHED; {} voided on this shard since start){}", shard, entries.size(),
        batch.size(), leaseLost, entries.size() - leaseLost, total,
        groupCommit ? "; their buyers are refused" : "; their buyers were already told (durability"
            + " LEDGER): the orders are void in the sink");
    if (groupCommit) {
      for (VoidEntry e : entries) {
        Rejection why = e.reason() == VoidedOrder.Reason.LIMIT_REACHED ? Rejection.LIMIT_REACHED
            : Rejection.VOIDED;
        deadForPending.add(new DeadOrder(e.order().orderId(), new Settled(null, why)));
      }
    }
    voidsToPublish.add(entries);
  }

  /** Hands queued void batches to the writer, oldest first, until the ring is full. */
  private void publishVoids() {
    List<VoidEntry> next;
    while ((next = voidsToPublish.peek()) != null) {
      if (!voidPublisher.test(next)) {
        return; // the ring is full (or closing): the next pass tries again
      }
      voidsToPublish.poll();
    }
  }

  /**
   * Offers the pass's reservation state changes to the sink; a permanent failure counts as a
   * transient one here (state changes are not dead-lettered: they are retried).
   */
  private void storeChanges(List<OrderStateChange> changes) throws Exception {
    if (changes.isEmpty()) {
      return;
    }
    try {
      settings.sink().storeStateChanges(changes);
    } catch (PermanentSinkException e) {
      throw new IOException("the sink refused " + changes.size() + " reservation state changes"
          + " (retried as a transient failure): " + e.getMessage(), e);
    }
    if (ledger.clustered()) {
      poolGrew(changes);
    }
  }

  /**
   * Cluster mode: tells the cluster thread of each sale that had a reservation cancelled or
   * expired in {@code changes} that its units are back in the coordinator's pool.
   */
  private void poolGrew(List<OrderStateChange> changes) {
    String last = null;
    for (OrderStateChange c : changes) {
      if (c.state() == OrderState.PAID || c.saleId().equals(last)) {
        continue;
      }
      last = c.saleId();
      SaleState sale = ledger.liveSale(last);
      if (sale != null && sale.clustered) {
        sale.poolGrew();
      }
    }
  }

  /** {@link #storeChanges} after a dead-lettered order: false (logged) if it failed. */
  private boolean storeChangesOrLog(List<OrderStateChange> changes) {
    try {
      storeChanges(changes);
      return true;
    } catch (Exception | LinkageError e) {
      stats.failed(e);
      log.warn("seckill shard {}: storing {} reservation state changes in the sink failed; they"
          + " are retried", shard, changes.size(), e);
      return false;
    }
  }

  /**
   * Writes {@code order}, refused by the sink for good, to the dead-letter file (unless a crash
   * after an earlier write left it there already). False if the file could not be written: the
   * order then stays in the outbox and is tried again after a backoff.
   */
  private boolean deadLetter(ConfirmedOrder order, PermanentSinkException e) {
    try {
      if (!deadLetters.contains(order.orderId())) {
        deadLetters.append(order, e, Instant.now());
      }
    } catch (IOException | RuntimeException io) {
      log.error("seckill shard {}: order {} was refused by the sink for good, and writing it to {}"
          + " failed; it stays in the outbox and is tried again", shard, order.orderId(),
          deadLetters.path(), io);
      return false;
    }
    log.error("seckill shard {}: order {} (sale {}, quantity {}) was refused by the sink for good"
        + " and written to {} instead ({} dead-lettered on this shard); the other orders go on",
        shard, order.orderId(), order.saleId(), order.quantity(), deadLetters.path(),
        deadLetters.count(), e);
    if (groupCommit) {
      deadForPending.add(new DeadOrder(order.orderId(), new Settled(new PermanentSinkException(
          "order " + order.orderId() + " is confirmed in the ledger (its units are taken) but the"
          + " sink refused it for good, so it was written to " + deadLetters.path() + " instead: "
          + e.getMessage(), e), null)));
    }
    return true;
  }

  private void completeWaiters(long flushedSeq) {
    for (Waiter w : waiters) {
      if (w.target <= flushedSeq) {
        waiters.remove(w);
        w.future.complete(null);
      }
    }
  }

  private void failRemaining() {
    Waiter w;
    while ((w = waiters.poll()) != null) {
      w.future.completeExceptionally(new IllegalStateException(
          "the engine closed before every order was stored in the sink; the rest are stored"
              + " after the next start"));
    }
  }

  /** An order not stored, with what its buyer is told: in id order in {@link #deadForPending}. */
  private static final class DeadOrder {
    final long orderId;
    final Settled answer;

    DeadOrder(long orderId, Settled answer) {
      this.orderId = orderId;
      this.answer = answer;
    }
  }

  /**
   * What a PERSISTED buyer of an order that was not stored is told: a failure (dead-lettered,
   * not stored before close), or a refusal (voided). Exactly one is set.
   */
  static final class Settled {
    final @Nullable Throwable failure;
    final @Nullable Rejection rejection;

    Settled(@Nullable Throwable failure, @Nullable Rejection rejection) {
      this.failure = failure;
      this.rejection = rejection;
    }
  }

  /** One voided order as the writer needs it: the order, and why the sink voided it. */
  record VoidEntry(ConfirmedOrder order, VoidedOrder.Reason reason) {}

  private static final class Waiter {
    final long target;
    final CompletableFuture<Void> future = new CompletableFuture<>();

    Waiter(long target) {
      this.target = target;
    }
  }
}
