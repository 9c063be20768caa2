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

import dev.seckill.Rejection;
import dev.seckill.Sale;
import dev.seckill.SalePhase;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The in-memory face of one registered sale: its spec, the ledger's counters for it, and the
 * flags caller threads read before the ring.
 *
 * <p>Threads: {@code remaining} and {@code orders} are written only by the owning shard's ledger
 * writer ({@link StockLedger}) through {@link #applyConfirmed}; every other thread reads the
 * published copies. {@link #publishedRemaining()} and {@link #isSoldOut()} read one value each.
 * {@link #publishedCounters()} reads both as one consistent pair: the writer brackets its two
 * stores with a sequence number (odd while it writes, a seqlock) and the reader retries until it
 * saw the same even number before and after its reads, so a snapshot never pairs the stock of one
 * order with the order count of another. The writer never waits and allocates nothing. The
 * rejection counters are {@link LongAdder}s that any thread may bump. The {@link AdmissionCap}
 * counts units in flight: caller threads add when they publish, the responder takes away when it
 * delivers.
 */
final class SaleState {
  private static final VarHandle REMAINING;
  private static final VarHandle ORDERS;
  private static final VarHandle VERSION;
  private static final VarHandle HELD;
  private static final VarHandle PAID;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      REMAINING = lookup.findVarHandle(SaleState.class, "remaining", long.class);
      ORDERS = lookup.findVarHandle(SaleState.class, "orders", long.class);
      VERSION = lookup.findVarHandle(SaleState.class, "version", long.class);
      HELD = lookup.findVarHandle(SaleState.class, "held", long.class);
      PAID = lookup.findVarHandle(SaleState.class, "paid", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Sale sale;
  private final int shard;
  private final int index;
  private final long startsAtMillis;
  /** The end as it stands (moved by endSale / extendSale): written by the writer, read by anyone. */
  private volatile long endsAtMillis;
  /** Paused by the operator: callers refuse with PAUSED. Written by the writer only. */
  private volatile boolean paused;
  /** Archived: the writer refuses what still reaches it (UNKNOWN_SALE). Written by the writer. */
  private volatile boolean archived;
  /** Registered stock plus units added: written by the writer only. */
  private volatile long totalStock;
  /** Hashed into each buyer's and request id's key (see {@link SaleCatalog.Entry#keyIndex}). */
  private final int keyIndex;
  /** Writer-confined: the journal sequence of this sale's last order (for archive). */
  long lastOrderSeq;

  // Cluster mode (docs/cluster.md). Set by the cluster thread, read by the writer and callers.
  /**
   * True for a sale of a clustered engine: its remaining units are the node's local lease. Set by
   * the ledger before the state is handed to any other thread.
   */
  boolean clustered;
  /**
   * {@code System.nanoTime()} until which the node may sell from its local lease; 0 without a
   * lease. The writer checks it per decision, so a JVM paused past it never sells on a stale
   * lease. Written by the cluster thread.
   */
  volatile long leaseDeadlineNanos;
  /** The refusal when the local lease is empty: from the last lease answer. Cluster thread. */
  volatile Rejection emptyRefusal = Rejection.COORDINATOR_UNAVAILABLE;
  /** Remaining units at or below which the writer asks the cluster thread for a chunk. */
  volatile long lowWater;
  /** Set by the writer when it asked for a chunk, cleared by the cluster thread. */
  volatile boolean topUpWanted;
  /** Cluster mode: set by {@link #poolGrew()}, cleared by the cluster thread. */
  volatile boolean poolGrew;
  /** The cluster thread, unparked by the writer when the sale crosses its low-water mark. */
  volatile @org.jspecify.annotations.Nullable Thread member;
  /** Completed by the cluster thread when it first holds a lease on the sale (tests wait on it). */
  final java.util.concurrent.CompletableFuture<Void> firstLease =
      new java.util.concurrent.CompletableFuture<>();
  /** Writer-confined: a local lease is live (SET, not STOPped since). */
  boolean leaseLive;
  /** Writer-confined: the journal sequence at which the live local lease began. */
  long leaseStartSeq;
  private final LongAdder[] rejections;
  private final AdmissionCap admissionCap = new AdmissionCap();

  /** Written by the ledger writer only (release store); read by anyone (acquire load). */
  @SuppressWarnings("unused") // accessed through REMAINING
  private long remaining;

  /** Written by the ledger writer only (release store); read by anyone (acquire load). */
  @SuppressWarnings("unused") // accessed through ORDERS
  private long orders;

  /** Units reserved and unpaid; written by the ledger writer only (release store). */
  @SuppressWarnings("unused") // accessed through HELD
  private long held;

  /** Units of paid reservations; written by the ledger writer only (release store). */
  @SuppressWarnings("unused") // accessed through PAID
  private long paid;

  /** The seqlock's sequence number: odd while the writer updates the counters. */
  @SuppressWarnings("unused") // accessed through VERSION
  private long version;

  /**
   * Set by the ledger writer when {@code remaining} reaches zero, before the decision that sold
   * the last unit is published to the responder; read by caller threads to refuse early.
   */
  private volatile boolean soldOut;

  SaleState(Sale sale, int shard, int index, long remaining, long orders) {
    this(sale, shard, index, remaining, orders, SaleCatalog.fresh(sale, index));
  }

  /** A sale with the operator's changes in {@code entry} applied. */
  SaleState(Sale sale, int shard, int index, long remaining, long orders, SaleCatalog.Entry entry) {
    this.sale = sale;
    this.shard = shard;
    this.index = index;
    this.keyIndex = entry.keyIndex;
    this.startsAtMillis = toMillis(sale.startsAt());
    this.endsAtMillis = entry.endsAtMillis;
    this.paused = entry.paused;
    this.archived = entry.archived;
    this.totalStock = entry.totalStock;
    this.rejections = new LongAdder[Rejection.values().length];
    for (int i = 0; i < rejections.length; i++) {
      rejections[i] = new LongAdder();
    }
    REMAINING.setRelease(this, remaining);
    ORDERS.setRelease(this, orders);
    this.soldOut = remaining == 0;
  }

  /**
   * Cluster mode, writer thread: asks the cluster thread for a chunk if it has not been asked
   * since it last answered (one volatile read when asked already; an unpark when not).
   */
  void wantTopUp() {
    if (!topUpWanted) {
      topUpWanted = true;
      java.util.concurrent.locks.LockSupport.unpark(member);
    }
  }

  /**
   * Cluster mode, flusher thread: this node stored a cancelled or expired reservation of the
   * sale, whose units went back to the coordinator's pool; the cluster thread takes them at its
   * next step if the node runs low, instead of waiting for its next renewal to hear of them.
   */
  void poolGrew() {
    poolGrew = true;
    java.util.concurrent.locks.LockSupport.unpark(member);
  }

  /** The registered specification. */
  public Sale sale() {
    return sale;
  }

  /** The shard whose writer owns this sale. */
  public int shard() {
    return shard;
  }

  /** The sale's index within its shard's catalog (its counters, its journal records). */
  int index() {
    return index;
  }

  /**
   * What buyers' and request ids' keys are hashed with: the index, unless the sale took the slot
   * of an archived one (then a number no earlier sale of the shard had).
   */
  int keyIndex() {
    return keyIndex;
  }

  /** True while the operator has the sale paused. Any thread. */
  public boolean isPaused() {
    return paused;
  }

  /** True once archived. Any thread. */
  public boolean isArchived() {
    return archived;
  }

  /** Registered stock plus every unit added since. Any thread. */
  public long totalStock() {
    return totalStock;
  }

  /** Writer thread: pauses or resumes. */
  void setPaused(boolean paused) {
    this.paused = paused;
  }

  /** Writer thread: moves the end. */
  void setEndsAtMillis(long endsAtMillis) {
    this.endsAtMillis = endsAtMillis;
  }

  /** Writer thread: marks the sale archived. */
  void setArchived() {
    this.archived = true;
  }

  /**
   * Writer thread: stock was added; publishes the new remaining stock and total, and clears the
   * sold-out flag if units remain (before the operation's answer is published).
   */
  void applyStock(long remainingAfter, long totalAfter) {
    long v = (long) VERSION.get(this);
    VERSION.setOpaque(this, v + 1); // odd: readers of publishedCounters retry
    VarHandle.storeStoreFence();
    this.totalStock = totalAfter;
    REMAINING.setRelease(this, remainingAfter);
    VERSION.setRelease(this, v + 2);
    if (remainingAfter > 0) {
      soldOut = false; // volatile store: callers publish again
    }
  }

  /** {@code startsAt} in epoch milliseconds, saturated. */
  public long startsAtMillis() {
    return startsAtMillis;
  }

  /** {@code endsAt} in epoch milliseconds, saturated. */
  public long endsAtMillis() {
    return endsAtMillis;
  }

  /** True once every unit is sold. Safe from any thread. */
  public boolean isSoldOut() {
    return soldOut;
  }

  /** Units not yet sold, as last published by the writer. Safe from any thread. */
  public long publishedRemaining() {
    return (long) REMAINING.getAcquire(this);
  }

  /** Orders confirmed, as last published by the writer. Safe from any thread. */
  public long publishedOrders() {
    return (long) ORDERS.getAcquire(this);
  }

  /**
   * Remaining stock and confirmed orders as one consistent pair, as last published by the writer:
   * both values come from the same moment between two confirmations. Safe from any thread; never
   * blocks the writer (the reader retries if a write was in progress).
   */
  public Counters publishedCounters() {
    for (int spins = 0; ; spins++) {
      long before = (long) VERSION.getAcquire(this);
      long remaining = (long) REMAINING.getOpaque(this);
      long orders = (long) ORDERS.getOpaque(this);
      long held = (long) HELD.getOpaque(this);
      long paid = (long) PAID.getOpaque(this);
      long total = totalStock;
      VarHandle.loadLoadFence(); // the counters' loads complete before the re-check
      long after = (long) VERSION.getOpaque(this);
      if (before == after && (before & 1) == 0) {
        return new Counters(remaining, orders, held, paid, total);
      }
      if (spins < 100) {
        Thread.onSpinWait();
      } else {
        Thread.yield(); // the writer was descheduled mid-update; let it finish
      }
    }
  }

  /**
   * A consistent set of counters, with the total stock (registered plus added) they go with;
   * see {@link #publishedCounters()}.
   */
  public record Counters(long remaining, long orders, long held, long paid, long totalStock) {}

  /** Units reserved and unpaid, as last published by the writer. Safe from any thread. */
  public long publishedHeld() {
    return (long) HELD.getAcquire(this);
  }

  /** Units of paid reservations, as last published by the writer. Safe from any thread. */
  public long publishedPaid() {
    return (long) PAID.getAcquire(this);
  }

  /** Writer thread only: the writer's own count of held units (plain load). */
  long heldForWriter() {
    return (long) HELD.get(this);
  }

  /** Writer thread only: the writer's own count of paid units (plain load). */
  long paidForWriter() {
    return (long) PAID.get(this);
  }

  /**
   * Writer thread only: publishes every counter after a reservation changed (a reservation, a
   * payment, a release). A release that makes units free again clears the sold-out flag, with a
   * volatile store made before the decision is published, so callers stop refusing at once.
   */
  void applyCounters(long remainingAfter, long ordersAfter, long heldAfter, long paidAfter) {
    long v = (long) VERSION.get(this);
    VERSION.setOpaque(this, v + 1); // odd: an update is in progress
    VarHandle.storeStoreFence();
    REMAINING.setRelease(this, remainingAfter); // ordered stores: snapshot readers
    ORDERS.setRelease(this, ordersAfter);
    HELD.setRelease(this, heldAfter);
    PAID.setRelease(this, paidAfter);
    VERSION.setRelease(this, v + 2); // even again, after every counter
    boolean none = remainingAfter == 0;
    if (soldOut != none) {
      soldOut = none; // volatile store: set on the last unit, cleared when units come back
    }
  }

  /** Units in flight for this sale, behind the admission cap. Safe from any thread. */
  public AdmissionCap admissionCap() {
    return admissionCap;
  }

  /** Counts one refusal. Safe from any thread. */
  public void countRejection(Rejection reason) {
    rejections[reason.ordinal()].increment();
  }

  /** Takes back one refusal counted for {@code reason} (it was answered otherwise). */
  void uncountRejection(Rejection reason) {
    rejections[reason.ordinal()].decrement();
  }

  /** Refusals counted for {@code reason}. Safe from any thread. */
  public long rejections(Rejection reason) {
    return rejections[reason.ordinal()].sum();
  }

  /** Refusals counted so far, one entry per reason (zero included). Safe from any thread. */
  public EnumMap<Rejection, Long> rejectionCounts() {
    EnumMap<Rejection, Long> counts = new EnumMap<>(Rejection.class);
    for (Rejection r : Rejection.values()) {
      counts.put(r, rejections(r));
    }
    return counts;
  }

  /**
   * The sale's phase at {@code nowMillis} with {@code remaining} units left, as views and
   * snapshots report it: before the start, sold out, ended, else on sale (in that order).
   */
  public SalePhase phaseAt(long nowMillis, long remaining) {
    // Cluster mode: an empty local lease is SOLD_OUT only once the coordinator said nothing is
    // left anywhere, or that unpaid reservations hold the rest (ALL_HELD: as on one node, the
    // phase is SOLD_OUT while nothing is free); until then units may come (a chunk, another
    // node's leftovers): ON_SALE.
    Rejection empty = emptyRefusal;
    return phase(nowMillis, remaining == 0 && (!clustered || empty == Rejection.SOLD_OUT
        || empty == Rejection.ALL_HELD));
  }

  /**
   * The phase at {@code nowMillis} as a caller thread judges a request: by the sold-out flag,
   * which the writer sets before it publishes the decision that sold the last unit.
   */
  public SalePhase phaseAt(long nowMillis) {
    return phase(nowMillis, soldOut);
  }

  private SalePhase phase(long nowMillis, boolean noneLeft) {
    if (nowMillis < startsAtMillis) {
      return SalePhase.UPCOMING;
    } else if (noneLeft) {
      return SalePhase.SOLD_OUT;
    } else if (nowMillis >= endsAtMillis) {
      return SalePhase.ENDED;
    }
    return SalePhase.ON_SALE;
  }

  /**
   * This state, if {@code other} has the spec this sale was registered with: registering the same
   * sale again is a no-op.
   *
   * @throws IllegalArgumentException naming each differing field otherwise
   */
  public SaleState requireSameSpec(Sale other) {
    List<String> diffs = sale.differences(other);
    if (!diffs.isEmpty()) {
      throw new IllegalArgumentException("sale '" + other.id()
          + "' is already registered with a different spec (registered vs new): "
          + String.join(", ", diffs));
    }
    return this;
  }

  /** Writer thread only: the writer's own view of remaining stock (plain load). */
  long remainingForWriter() {
    return (long) REMAINING.get(this);
  }

  /** Writer thread only: the writer's own count of orders (plain load). */
  long ordersForWriter() {
    return (long) ORDERS.get(this);
  }

  /**
   * Writer thread only: publishes the counters after an order is recorded. The sold-out flag is a
   * volatile store made before the caller learns of the decision, so no caller can observe the
   * result without also observing the flag.
   */
  void applyConfirmed(long remainingAfter, long ordersAfter) {
    long v = (long) VERSION.get(this); // single writer: its own plain load
    VERSION.setOpaque(this, v + 1); // odd: an update is in progress
    VarHandle.storeStoreFence(); // readers see "odd" before any new counter value
    REMAINING.setRelease(this, remainingAfter); // ordered store: snapshot readers
    ORDERS.setRelease(this, ordersAfter); // ordered store: snapshot readers
    VERSION.setRelease(this, v + 2); // even again, after both counters
    if (remainingAfter == 0) {
      soldOut = true; // volatile store: caller threads stop publishing for this sale
    }
  }

  /** {@code instant} in epoch milliseconds, saturated. */
  static long toMillis(Instant instant) {
    return toMillis(instant.getEpochSecond(), instant.getNano());
  }

  private static long toMillis(long seconds, int nanos) {
    try {
      return Math.addExact(Math.multiplyExact(seconds, 1000L), nanos / 1_000_000);
    } catch (ArithmeticException e) {
      return seconds < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }
}
