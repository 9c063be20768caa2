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

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import dev.seckill.Durability;
import dev.seckill.IdleStrategy;
import dev.seckill.PurchaseListener;
import dev.seckill.PurchaseRequest;
import dev.seckill.Sale;
import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard: a bounded multi-producer Disruptor ring feeding two consumers in a pipeline, and
 * (with a sink) a flusher.
 *
 * <pre>
 *  caller threads ──tryPublish──▶ [ ring (MULTI producer, bounded) ]
 *                                      │
 *                                      ▼
 *                         seckill-ledger-N   (LedgerHandler: decides, writes the ledger)
 *                                      │  gated on the writer's sequence
 *                                      │  PERSISTED only: each confirmation waits until
 *                                      │  seckill-flusher-N has stored it (awaitSettled)
 *                                      ▼
 *                         seckill-responder-N (Responder: calls the slot's listener or Reply)
 *
 *                         seckill-flusher-N  (OutboxFlusher, with a sink: outbox ──▶ sink)
 * </pre>
 *
 * <p>Each handler names its own thread as it starts ({@link LedgerHandler#threadName},
 * {@link Responder#threadName}, {@link OutboxFlusher#threadName}); callers' code runs only on the
 * responder thread (or on the submitting thread, for refusals decided before the ring).
 *
 * <p>Publishing never blocks: {@link #tryPublish} answers FULL on a full ring, CLOSED once
 * {@link #close} has begun (the close handshake is there). A slot is reused
 * only after the responder has passed it, so every published request is delivered exactly once.
 */
final class Shard implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Shard.class);

  private final int index;
  private final StockLedger ledger;
  /** The ledger's hash key for buyers' keys: immutable, used by caller threads in tryPublish. */
  private final UserKeys userKeys;
  private final Disruptor<PurchaseEvent> disruptor;
  private final RingBuffer<PurchaseEvent> ring;
  private final LedgerHandler writer;
  private final Responder responder;
  /** Empty without an order sink: the outbox is then only the ledger's. */
  private final Optional<OutboxFlusher> flusher;
  private final DeadLetterFile deadLetters;
  /** The ring's wait strategy with {@link IdleStrategy#BLOCKING}, else null. */
  private final @org.jspecify.annotations.Nullable ParkingWaitStrategy parking;
  /** Set once {@link #close} begins: a slot claimed after that is published empty. */
  private volatile boolean closing;

  private Shard(int index, StockLedger ledger, int ringSize, IdleStrategy idle,
      Optional<FlushSettings> flush) {
    this.index = index;
    this.ledger = ledger;
    this.userKeys = ledger.userKeys();
    this.deadLetters = DeadLetterFile.open(index, ledger.directory());
    this.flusher = flush.map(
        settings -> new OutboxFlusher(index, ledger, settings, deadLetters, idle));
    flusher.ifPresent(f -> f.onVoids(this::tryPublishVoids));
    WaitStrategy waits = waitStrategy(idle);
    this.parking = waits instanceof ParkingWaitStrategy p ? p : null;
    this.writer = new LedgerHandler(index, ledger, parking);
    this.writer.onTickBacklog(this::requestTick);
    boolean persisted = flush.isPresent() && flush.get().durability() == Durability.PERSISTED;
    this.responder = persisted
        ? Responder.afterStored(index, flusher.get())
        : Responder.atOnce(index);
    this.disruptor = new Disruptor<>(PurchaseEvent::new, ringSize, threadFactory(index),
        ProducerType.MULTI, waits);
    if (parking != null) {
      parking.bind(disruptor.getRingBuffer());
    }
    disruptor.setDefaultExceptionHandler(new LogAndContinueExceptionHandler(index));
    disruptor.handleEventsWith(writer).then(responder);
    this.ring = disruptor.start();
    flusher.ifPresent(OutboxFlusher::start);
  }

  /**
   * Starts a shard over an opened ledger; the shard owns the ledger from now on. With
   * {@code flush} settings (an order sink), a flusher thread drains the outbox into the sink.
   */
  public static Shard start(int index, StockLedger ledger, int ringSize, IdleStrategy idle,
      Optional<FlushSettings> flush) {
    return new Shard(index, ledger, ringSize, idle, flush);
  }

  /**
   * Completes once every order confirmed before the call is stored in the sink; at once if
   * there is no sink.
   */
  public CompletableFuture<Void> flush() {
    return flusher.map(OutboxFlusher::awaitFlushed)
        .orElseGet(() -> CompletableFuture.completedFuture(null));
  }

  /**
   * One purchase in this many (those whose ring sequence is a multiple of it) is stamped for the
   * decision-latency histogram ({@link #decisionLatency()}). A power of two.
   */
  static final int LATENCY_SAMPLE_EVERY = 64;
  /** {@code sequence & LATENCY_SAMPLE_MASK == 0}: a sampled sequence. */
  static final long LATENCY_SAMPLE_MASK = LATENCY_SAMPLE_EVERY - 1;

  /** {@link #tryPublish}: the request is in the ring and will be decided and delivered. */
  static final int PUBLISHED = 0;
  /** {@link #tryPublish}: the ring is full; nothing was published (OVERLOADED). */
  static final int FULL = 1;
  /** {@link #tryPublish}: the shard is closing; nothing was published (IllegalStateException). */
  static final int CLOSED = 2;

  /**
   * Offers a purchase answered through {@code listener}: the caller's own, or a {@link Reply}
   * for a caller who wants a future. Never blocks.
   *
   * <p>The close handshake, without a counter on this path: the caller claims a slot first (a
   * CAS on the ring's cursor), then reads {@link #closing}; {@link #close} sets {@code closing},
   * fences, then reads the cursor while it drains. So either the drain sees the claim (and waits
   * until the slot is published and delivered), or this read sees {@code closing} — and then the
   * slot is published empty (kind null: the writer and responder pass over it) and the caller is
   * told CLOSED. Never a request published into a ring nobody drains.
   *
   * @return {@link #PUBLISHED}, {@link #FULL} or {@link #CLOSED}
   */
  public int tryPublish(PurchaseRequest request, SaleState sale, PurchaseListener listener) {
    long sequence;
    try {
      sequence = ring.tryNext();
    } catch (InsufficientCapacityException full) { // a preallocated singleton: no allocation
      return closing ? CLOSED : FULL;
    }
    try {
      if (closing) {
        return CLOSED; // the slot goes out empty
      }
      PurchaseEvent event = ring.get(sequence);
      event.kind = PurchaseEvent.Kind.PURCHASE;
      event.request = request;
      event.sale = sale;
      event.listener = listener;
      // The buyer's key, hashed here on the caller's thread (the writer only looks it up).
      // userId was validated by CallerGate: not null.
      userKeys.hash(sale.keyIndex(), Objects.requireNonNull(request.userId(), "userId"), event.userKey);
      String requestId = request.requestId();
      event.hasRequestKey = requestId != null; // without one: this branch is the whole cost
      if (requestId != null) {
        ledger.requestKey(sale, requestId, event.requestKey);
      }
      if ((sequence & LATENCY_SAMPLE_MASK) == 0) { // 1 in 64, by sequence: no counter to touch
        event.submittedNanos = System.nanoTime();
      }
      return PUBLISHED;
    } finally {
      ring.publish(sequence); // a claimed slot is always published, or the consumers stall on it
    }
  }

  /**
   * Publishes a TICK unless one is already pending ({@link StockLedger#claimTick}); never blocks:
   * a full or closing ring skips it (the reservation timer's next interval tries again). Called by
   * the timer thread every interval, and by the ledger writer when a tick expired a whole batch
   * and more may be due (a consumer may publish into its own ring with {@code tryNext}: it
   * fails instead of waiting for the slot the writer itself holds).
   */
  void requestTick() {
    if (ledger.claimTick()) {
      if (tryPublishOrderOperation(PurchaseEvent.Kind.TICK, 0, 0, null) != PUBLISHED) {
        ledger.unclaimTick();
      }
    }
  }

  /**
   * Offers a pay, cancel (answered through {@code answer}) or tick (answer null) to the writer.
   * Never blocks: {@link #FULL} or {@link #CLOSED} as {@link #tryPublish}, with the same close
   * handshake.
   */
  int tryPublishOrderOperation(PurchaseEvent.Kind kind, long orderId, long refHash,
      @org.jspecify.annotations.Nullable CompletableFuture<OrderTransition> answer) {
    long sequence;
    try {
      sequence = ring.tryNext();
    } catch (InsufficientCapacityException full) {
      return closing ? CLOSED : FULL;
    }
    try {
      if (closing) {
        return CLOSED; // the slot goes out empty
      }
      PurchaseEvent event = ring.get(sequence);
      event.kind = kind;
      event.orderId = orderId;
      event.refHash = refHash;
      event.transitionAnswer = answer;
      return PUBLISHED;
    } finally {
      ring.publish(sequence);
    }
  }

  /**
   * Caller threads: the order id this shard's ledger remembers for {@code request}'s request id
   * in {@code sale} (the same user and quantity), or 0 if none (or the request carries no id).
   * Lock-free and read-only; used when a request carrying an id was refused on the caller's
   * thread, so that a retry of a confirmed purchase gets its original answer even after the sale
   * sold out or ended. Allocates two small keys.
   */
  long recall(PurchaseRequest request, SaleState sale) {
    String requestId = request.requestId();
    String userId = request.userId();
    if (requestId == null || userId == null) {
      return 0;
    }
    UserKey requestKey = new UserKey();
    UserKey userKey = new UserKey();
    ledger.requestKey(sale, requestId, requestKey);
    userKeys.hash(sale.keyIndex(), userId, userKey);
    return ledger.recall(requestKey, userKey, request.quantity());
  }

  /**
   * Registers a sale through the writer. Waits for a free slot (registration is an admin call,
   * not a buyer's), then for the writer's answer.
   *
   * @throws IllegalStateException if the shard is closing
   */
  public CompletableFuture<SaleState> register(Sale sale) {
    CompletableFuture<SaleState> registration = new CompletableFuture<>();
    publishAdmin((event, sequence) ->
        Translators.REGISTER.translateTo(event, sequence, sale, registration));
    return registration;
  }

  /**
   * Sends an operator's change of {@code sale} to the writer (see {@link StockLedger#operate}).
   * Waits for a free slot, as {@link #register} does; the future completes on the responder
   * thread with the sale's state after the change, or exceptionally with the writer's refusal.
   *
   * @throws IllegalStateException if the shard is closing
   */
  public CompletableFuture<SaleState> operate(SaleState sale, SaleOp op, long arg) {
    CompletableFuture<SaleState> done = new CompletableFuture<>();
    publishAdmin((event, sequence) -> {
      event.kind = PurchaseEvent.Kind.SALE_OP;
      event.sale = sale;
      event.saleOp = op;
      event.saleOpArg = arg;
      event.registration = done;
    });
    return done;
  }

  /**
   * Publishes the sink's voids of one batch to the writer ({@link PurchaseEvent.Kind#VOIDS});
   * false if the ring is full or the shard is closing (the flusher retries on its next pass).
   * Flusher thread.
   */
  boolean tryPublishVoids(java.util.List<OutboxFlusher.VoidEntry> voids) {
    long sequence;
    try {
      sequence = ring.tryNext();
    } catch (InsufficientCapacityException full) {
      return false;
    }
    try {
      if (closing) {
        return false; // the slot goes out empty
      }
      PurchaseEvent event = ring.get(sequence);
      event.kind = PurchaseEvent.Kind.VOIDS;
      event.voids = voids;
      return true;
    } finally {
      ring.publish(sequence);
    }
  }

  /**
   * Cluster mode: publishes a change of a sale's local lease to the writer; the answer arrives
   * in {@link LeaseOp#answer}. Waits for a slot if the ring is full.
   *
   * @throws IllegalStateException if the shard is closing
   */
  LeaseOp leaseOp(LeaseOp op) {
    publishAdmin((event, sequence) -> {
      event.kind = PurchaseEvent.Kind.LEASE_OP;
      event.leaseOp = op;
    });
    return op;
  }

  /** Orders the sink voided on this shard since start; 0 without a sink. */
  public long voidedOrders() {
    return flusher.map(OutboxFlusher::voidedOrders).orElse(0L);
  }

  /**
   * The flusher's watermark: every order at or below this journal sequence is stored, voided or
   * dead-lettered; the ledger's own without a flusher. Any thread.
   */
  long flushedSeq() {
    return flusher.map(OutboxFlusher::flushedSeq).orElseGet(() -> ledger.outbox().flushedSeq());
  }

  /**
   * Claims a ring slot for an admin call (a registration, a sale operation): waits for one, since
   * such calls are rare and must not be refused as a buyer's may; the caller must publish it.
   *
   * @throws IllegalStateException if the shard is closing
   */
  /** Fills an admin call's ring slot: the event and its sequence. */
  @FunctionalInterface
  private interface AdminEvent {
    void fill(PurchaseEvent event, long sequence);
  }

  /**
   * Publishes an admin call (not a buyer's: registration, an operator's change, a lease op):
   * waits for a free slot ({@link #claimForAdmin}), fills it unless the shard began closing
   * (then throws, after publishing the slot unfilled: the handshake of {@link #tryPublish}), and
   * publishes it.
   *
   * @throws IllegalStateException if the shard is closing
   */
  private void publishAdmin(AdminEvent admin) {
    long sequence = claimForAdmin();
    try {
      if (closing) {
        throw closedException();
      }
      admin.fill(ring.get(sequence), sequence);
    } finally {
      ring.publish(sequence);
    }
  }

  private long claimForAdmin() {
    while (true) {
      try {
        return ring.tryNext();
      } catch (InsufficientCapacityException full) {
        if (closing) {
          throw closedException();
        }
        Thread.yield(); // an admin call waiting for a slot; the ring drains
      }
    }
  }

  /** What a caller racing {@link #close} is told. */
  static IllegalStateException closedException() {
    return new IllegalStateException("the seckill engine is closed");
  }

  /** This shard's index. */
  public int index() {
    return index;
  }

  /** The ring's free slots now; a hint for tests and metrics. */
  public long remainingCapacity() {
    return ring.remainingCapacity();
  }

  /** The ring's size in slots. */
  int ringSize() {
    return ring.getBufferSize();
  }

  /** The flusher's store figures; empty without an order sink. Any thread. */
  Optional<FlushStats> flushStats() {
    return flusher.map(OutboxFlusher::stats);
  }

  /** Orders the sink refused for good, parked in this shard's dead-letter file. Any thread. */
  public long deadLetteredOrders() {
    return deadLetters.count();
  }

  /**
   * Sampled submit-to-decision latency of this shard's purchases (1 in
   * {@link #LATENCY_SAMPLE_EVERY} by ring sequence), written by the responder. Any thread.
   */
  LatencyHistogram decisionLatency() {
    return responder.decisionLatency();
  }

  /** Callbacks that have thrown on this shard's responder. */
  public long callbackFailures() {
    return responder.callbackFailures();
  }

  /** The ledger; touch it only after {@link #close()} or from the writer thread. */
  public StockLedger ledger() {
    return ledger;
  }

  /**
   * Lets the flusher store what it can within {@code flushTimeoutNanos} (it stops once the writer
   * has decided every published request and their orders are stored, or at the deadline), then
   * drains the ring (every published request is decided and delivered; with PERSISTED, a
   * confirmation the flusher did not store is delivered as a failure), stops all threads and
   * closes the ledger cleanly. The flusher stops first because with PERSISTED the responder waits
   * for it. Producers must have stopped publishing first.
   */
  public void close(long flushTimeoutNanos) throws IOException {
    closing = true; // then a full fence, then the drain reads the cursor: see tryPublish
    VarHandle.fullFence();
    if (flusher.isPresent()) {
      flusher.get().stop(flushTimeoutNanos, this::writerDrained).join();
    }
    disruptor.shutdown();
    if (parking != null) {
      parking.wakeAll(); // the barriers are alerted: a parked responder sees it now
    }
    ledger.close();
  }

  /** True once the writer has decided every request published so far. */
  private boolean writerDrained() {
    return disruptor.getSequenceValueFor(writer) >= ring.getCursor();
  }

  /** {@link #close(long)} without waiting for the sink. */
  @Override
  public void close() throws IOException {
    close(0);
  }

  /** Names threads by shard only; each handler renames its thread in {@code onStart}. */
  private static ThreadFactory threadFactory(int shard) {
    return runnable -> {
      Thread t = new Thread(runnable, "seckill-shard-" + shard);
      t.setDaemon(true);
      return t;
    };
  }

  private static WaitStrategy waitStrategy(IdleStrategy idle) {
    switch (idle) {
      case BUSY_SPIN:
        return new BusySpinWaitStrategy();
      case YIELDING:
        return new YieldingWaitStrategy();
      case SLEEPING:
        return new SleepingWaitStrategy();
      case BLOCKING:
      default:
        return new ParkingWaitStrategy();
    }
  }

  /** Handlers catch their own failures; anything reaching here is a bug, logged and survived. */
  private static final class LogAndContinueExceptionHandler
      implements ExceptionHandler<PurchaseEvent> {
    private final int shard;

    LogAndContinueExceptionHandler(int shard) {
      this.shard = shard;
    }

    @Override
    public void handleEventException(Throwable ex, long sequence, PurchaseEvent event) {
      log.error("seckill shard {}: unexpected failure at sequence {}", shard, sequence, ex);
    }

    @Override
    public void handleOnStartException(Throwable ex) {
      log.error("seckill shard {}: failed to start", shard, ex);
    }

    @Override
    public void handleOnShutdownException(Throwable ex) {
      log.error("seckill shard {}: failed to shut down", shard, ex);
    }
  }
}
