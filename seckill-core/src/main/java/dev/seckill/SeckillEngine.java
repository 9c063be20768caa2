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

import dev.seckill.spi.OrderSink;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A flash-sale engine: decides purchases against persisted stock so that it never oversells,
 * never loses a confirmed order, never confirms a duplicate and always says why it refused.
 *
 * <pre>{@code
 * try (SeckillEngine engine = SeckillEngine.builder().dataDir(Path.of("seckill-data")).build()) {
 *   engine.registerSale(Sale.builder("phone-42").stock(1_000)
 *       .startsAt(Instant.parse("2026-11-11T00:00:00Z"))
 *       .endsAt(Instant.parse("2026-11-11T00:10:00Z"))
 *       .limitPerUser(1).build());
 *   PurchaseResult r = engine.submit(PurchaseRequest.of("phone-42", "user-7", 1)).join();
 * }
 * }</pre>
 *
 * <h2>Threads</h2>
 * All methods are safe to call from any number of threads. {@code submit} first checks the
 * request on the calling thread (malformed, unknown sale, not started, sold out, ended; then
 * admission: blocked, throttled, purchase token, the application's policy and the admission cap,
 * see {@link AdmissionSettings} and docs/admission.md); only a request that passes reaches the
 * sale's shard: a bounded ring whose single ledger writer thread decides, and whose responder
 * thread delivers the result. See {@link PurchaseListener} for which thread runs callbacks.
 *
 * <h2>Guarantees</h2>
 * A confirmed result means the order is recorded in the ledger's memory-mapped files, which
 * survive a crash of this process ({@code kill -9}); reopening the same data directory resumes
 * with the same stock, per-user counts, order sequence and outbox. See docs/guarantees.md.
 */
public final class SeckillEngine implements AutoCloseable {
  static {
    ChronicleDefaults.apply(); // before any Chronicle class runs: no analytics, no banner
  }

  // A facade over the package-private internals: EngineAssembly wires the parts and takes them apart,
  // CallerGate decides on the caller's thread, SaleRegistry knows the sales, Shards the shards.
  private final EngineAssembly parts;
  private final Clock clock;
  private final Shards shards;
  private final SaleRegistry sales;
  private final CallerGate gate;
  private final ReservationTimer timer;
  private volatile boolean closed;

  private SeckillEngine(EngineAssembly parts) {
    this.parts = parts;
    this.clock = parts.clock();
    this.shards = parts.shards();
    this.sales = parts.sales();
    this.gate = parts.gate();
    this.timer = new ReservationTimer(shards, parts.reservationTickInterval());
    for (int i = 0; i < shards.count(); i++) {
      for (SaleState sale : shards.get(i).ledger().sales()) {
        if (sale.sale().payWithin() != null) {
          timer.start(); // reservations from an earlier run fall due: expire them
        }
      }
    }
  }

  /**
   * Starts configuring an engine.
   *
   * @return a new builder with nothing set; at least {@link Builder#dataDir} must be set before
   *     {@link Builder#build()}
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Registers a sale so it can take purchases. Registering the same spec again, for example after
   * a restart, is a no-op; a sale restored from the data directory is already registered.
   *
   * @param sale the specification to register; not null
   * @return the sale as registered: equal to {@code sale} (on a repeat, the instance registered
   *     first)
   * @throws IllegalArgumentException if a sale with this id is registered with a different spec;
   *     the message lists each differing field
   * @throws IllegalStateException if the engine is closed or the shard holds its maximum of sales
   * @throws IllegalArgumentException in cluster mode, for a sale with
   *     {@link Sale#releaseRestoresLimit()} (the per-user limit across nodes is never given
   *     back; see docs/cluster.md)
   * @throws RuntimeException in cluster mode, what {@link dev.seckill.spi.StockCoordinator#openSale}
   *     threw (an unchecked exception as is, a checked one wrapped in an
   *     {@link IllegalStateException}); the sale is then not registered on this node
   */
  public Sale registerSale(Sale sale) {
    Objects.requireNonNull(sale, "sale");
    SaleState existing = sales.existing(sale);
    if (existing != null) {
      return existing.sale();
    }
    ensureOpen();
    ClusterMember member = parts.cluster();
    if (member != null) {
      if (sale.releaseRestoresLimit()) {
        throw new IllegalArgumentException("sale '" + sale.id() + "' has releaseRestoresLimit="
            + "true, but this engine is in cluster mode, where a cancelled or expired reservation"
            + " does not give the buyer's quota back (docs/cluster.md); register it without"
            + " releaseRestoresLimit");
      }
      openSale(sale); // the pool first, on this thread: a failure reaches the caller
    }
    // Throws IllegalStateException if the shard began closing: the handshake of tryPublish.
    CompletableFuture<SaleState> registration = shards.forSale(sale.id()).register(sale);
    SaleState state = sales.add(registration);
    if (member != null) {
      member.add(state); // registered with 0 units: the cluster thread leases them
    }
    Sale registered = state.sale();
    if (registered.payWithin() != null) {
      timer.start(); // no timer, no tick, until a sale takes reservations
    }
    return registered;
  }

  private void openSale(Sale sale) {
    Cluster cluster = parts.settings().cluster().orElseThrow();
    try {
      cluster.coordinator().openSale(sale.id(), sale.stock(), sale.limitPerUser(),
          sale.payWithin());
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("could not open sale '" + sale.id() + "' in the cluster's"
          + " stock coordinator: " + e.getMessage(), e);
    }
  }

  /**
   * This node's id in cluster mode: asked of the coordinator on the data directory's first start
   * and stored with it; every order id carries it in its top 16 bits
   * ({@code (nodeId << 48) | localId}).
   *
   * @return 1 to 32,767 in cluster mode; 0 if the engine is not clustered
   */
  public int nodeId() {
    return parts.nodeId();
  }

  /**
   * Submits a purchase and returns its decision as a future.
   *
   * <p>Refusals decided on the calling thread return an already-completed future. Otherwise the
   * future completes on the shard's responder thread, so dependent actions attached without an
   * executor run there: keep them short, or use the {@code ...Async} variants. The future never
   * completes exceptionally except when the ledger fails to write (an I/O error) or, with
   * {@link Durability#PERSISTED}, when a confirmed order is not stored (see there).
   *
   * @param request the purchase to decide; not null (a malformed one is answered with
   *     {@link Rejection#INVALID_REQUEST}, not thrown)
   * @return a future of the decision: a confirmed {@link PurchaseResult} with the order id, or a
   *     rejected one with its {@link Rejection}; completed when {@link Durability} says so
   * @throws NullPointerException if {@code request} is null
   * @throws IllegalStateException if the engine is closed
   */
  public CompletableFuture<PurchaseResult> submit(PurchaseRequest request) {
    Objects.requireNonNull(request, "request");
    Reply future = new Reply(); // a future that is also the listener the responder calls
    submit(request, future); // one path: refusals on this thread complete it at once
    return future;
  }

  /**
   * Submits a purchase whose decision is delivered to {@code listener}: the allocation-free path.
   * Exactly one listener method is called, once, either on this thread before this method returns
   * (refusals decided early, a full ring) or later on the shard's responder thread.
   *
   * @param request the purchase to decide; not null (a malformed one is answered with
   *     {@link Rejection#INVALID_REQUEST}, not thrown)
   * @param listener receives the decision; not null, quick and non-blocking (see
   *     {@link PurchaseListener})
   * @throws NullPointerException if {@code request} or {@code listener} is null
   * @throws IllegalStateException if the engine is closed
   */
  public void submit(PurchaseRequest request, PurchaseListener listener) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(listener, "listener");
    ensureOpen();
    SaleState sale = sales.get(request.saleId());
    Rejection early = gate.admit(request, request.isWellFormed(), sale);
    if (early != null) {
      if (sale != null && request.requestId() != null && early != Rejection.INVALID_REQUEST) {
        // A retry of a confirmed purchase: its original answer, even after sell-out or the end.
        long orderId = shards.get(sale.shard()).recall(request, sale);
        if (orderId > 0) {
          sale.uncountRejection(early); // admit counted it; it was answered with the order
          listener.onConfirmed(request, orderId);
          return;
        }
      }
      listener.onRejected(request, early);
      return;
    }
    Objects.requireNonNull(sale, "sale"); // admit refuses an unknown sale (UNKNOWN_SALE) above
    int outcome = Shard.FULL;
    try {
      // The close handshake is in tryPublish: claim a slot, then check that the shard is open.
      outcome = shards.get(sale.shard()).tryPublish(request, sale, listener); // the publish step
    } finally {
      if (outcome != Shard.PUBLISHED) {
        gate.release(request, sale); // never reached the responder
      }
    }
    if (outcome == Shard.CLOSED) {
      throw Shard.closedException();
    } else if (outcome == Shard.FULL) {
      listener.onRejected(request, gate.overloaded(sale));
    }
  }

  /**
   * Issues a purchase token for {@code userId} in sale {@code saleId}, valid for the configured
   * {@link AdmissionSettings#tokenTtl()}; needed to buy from a sale that
   * {@linkplain Sale.Builder#requireToken requires tokens}. Tokens are issued only while the sale
   * is on: before it starts the answer is {@link Rejection#NOT_STARTED}, so a page scraped early
   * yields nothing. Other refusals: {@code INVALID_REQUEST} (blank or oversized ids, or a user id
   * with a control character or an unpaired surrogate),
   * {@code UNKNOWN_SALE}, {@code SOLD_OUT}, {@code ENDED}, {@code BLOCKED} (the user is blocked).
   * A token is signed with HMAC-SHA256 and bound to the sale, the user and its expiry; engines
   * configured with the same {@link AdmissionSettings.Builder#tokenSecret} accept each other's.
   * Issuing does not count against the user's throttle.
   *
   * @param saleId the sale the token is for; an unknown id gives {@code UNKNOWN_SALE}
   * @param userId the buyer the token is bound to, as they will send it in
   *     {@link PurchaseRequest}; a malformed id gives {@code INVALID_REQUEST}
   * @return a granted token with its expiry, or the refusal saying why none was issued; never
   *     null
   * @throws IllegalStateException if the engine is closed
   */
  public TokenGrant issueToken(String saleId, String userId) {
    ensureOpen();
    return gate.issueToken(saleId, userId, PurchaseRequest.isValidUserId(userId));
  }

  /**
   * The engine's time now: what a sale page's countdown should sync to, since the sale window is
   * judged by this clock and not the browser's.
   *
   * @return the current instant of {@link #clock()}; never null
   */
  public Instant serverTime() {
    return clock.instant();
  }

  /**
   * What a sale's web page needs: phase, window, server time, approximate remaining stock and
   * whether tokens are required. Cheaper than {@link #snapshot}, so pages may poll it.
   *
   * @param saleId the id of a registered sale
   * @return a new view taken now by the engine's clock; never null
   * @throws IllegalArgumentException if no sale with this id is registered
   */
  public SaleView saleView(String saleId) {
    return viewOf(sales.require(saleId));
  }

  private SaleView viewOf(SaleState sale) {
    long now = clock.millis();
    SaleState.Counters counters = sale.publishedCounters();
    long remaining = counters.remaining();
    Sale spec = sale.sale();
    Instant endsAt = sale.endsAtMillis() == SaleState.toMillis(spec.endsAt()) ? spec.endsAt()
        : Instant.ofEpochMilli(sale.endsAtMillis());
    return new SaleView(spec.id(), sale.phaseAt(now, remaining), spec.startsAt(), endsAt,
        Instant.ofEpochMilli(now), remaining, counters.held(), counters.paid(),
        spec.tokenRequired(), sale.isPaused());
  }

  /**
   * Pauses a sale: from the moment the returned future completes, every purchase is refused
   * with {@link Rejection#PAUSED} (on the caller's thread; by the writer for requests already in
   * the ring when the pause took effect), except a retry of a confirmed purchase carrying its
   * request id, which still gets its order id. Tokens are not issued while paused. Decided by the
   * shard's ledger writer and written to the sale catalog before it takes effect, so it survives
   * a restart and a crash. Pausing a paused sale changes nothing. See docs/operations.md,
   * "Sale operations".
   *
   * @param saleId a registered sale's id
   * @return a future of the sale's view after the change (completed on the shard's responder
   *     thread); completes exceptionally with {@link java.io.UncheckedIOException} if the catalog
   *     could not be written (nothing changed)
   * @throws IllegalArgumentException if no sale with this id is registered
   * @throws IllegalStateException if the engine is closed
   */
  public CompletableFuture<SaleView> pauseSale(String saleId) {
    return operate(saleId, SaleOp.PAUSE, 0);
  }

  /**
   * Resumes a paused sale (see {@link #pauseSale}); resuming a sale that is not paused changes
   * nothing.
   *
   * @param saleId a registered sale's id
   * @return a future of the sale's view after the change, as {@link #pauseSale}
   * @throws IllegalArgumentException if no sale with this id is registered
   * @throws IllegalStateException if the engine is closed
   */
  public CompletableFuture<SaleView> resumeSale(String saleId) {
    return operate(saleId, SaleOp.RESUME, 0);
  }

  /**
   * Ends a sale now: its end moves to the engine clock's time when the writer decides it (or to
   * its start, if it has not started: it never opens), so purchases are refused with
   * {@link Rejection#ENDED} from then on; requests admitted before are still decided. A sale
   * already over keeps its end. Persisted like {@link #pauseSale}.
   *
   * @param saleId a registered sale's id
   * @return a future of the sale's view after the change, as {@link #pauseSale}
   * @throws IllegalArgumentException if no sale with this id is registered
   * @throws IllegalStateException if the engine is closed
   */
  public CompletableFuture<SaleView> endSale(String saleId) {
    return operate(saleId, SaleOp.END, 0);
  }

  /**
   * Moves a sale's end later (also reopening a sale that ended, if {@code endsAt} is in the
   * future). Persisted like {@link #pauseSale}.
   *
   * @param saleId a registered sale's id
   * @param endsAt the new end; must be after the sale's current end ({@link SaleView#endsAt()})
   * @return a future of the sale's view after the change, as {@link #pauseSale}; completes
   *     exceptionally with {@link IllegalArgumentException} if the end moved in the meantime so
   *     that {@code endsAt} is no longer after it
   * @throws IllegalArgumentException if no sale with this id is registered, or {@code endsAt}
   *     is not after its current end (naming both)
   * @throws NullPointerException if {@code endsAt} is null
   * @throws IllegalStateException if the engine is closed
   */
  public CompletableFuture<SaleView> extendSale(String saleId, Instant endsAt) {
    Objects.requireNonNull(endsAt, "endsAt");
    SaleState sale = sales.require(saleId);
    long millis = SaleState.toMillis(endsAt);
    if (millis <= sale.endsAtMillis()) {
      throw new IllegalArgumentException("endsAt must be after the current end "
          + Instant.ofEpochMilli(sale.endsAtMillis()) + " of sale '" + saleId + "', was " + endsAt);
    }
    return operate(saleId, SaleOp.EXTEND, millis);
  }

  /**
   * Adds {@code units} to a sale's stock: the remaining stock grows by them and the sold-out
   * flag is cleared, so refused buyers can buy again at once (the per-user limit still holds).
   * {@link SaleSnapshot#totalStock()} counts them. Persisted like {@link #pauseSale}, with the
   * counters: a crash at any point leaves the stock as it was or with every unit added.
   *
   * @param saleId a registered sale's id
   * @param units units to add, at least 1
   * @return a future of the sale's view after the change, as {@link #pauseSale}; completes
   *     exceptionally with {@link IllegalArgumentException} if the total would exceed
   *     {@code Long.MAX_VALUE / 4}, or in cluster mode (the stock is the coordinator's pool;
   *     adding to it is not supported)
   * @throws IllegalArgumentException if no sale with this id is registered, or {@code units}
   *     is below 1 (naming the value)
   * @throws IllegalStateException if the engine is closed
   */
  public CompletableFuture<SaleView> addStock(String saleId, long units) {
    if (units < 1) {
      throw new IllegalArgumentException("units must be at least 1, was " + units);
    }
    return operate(saleId, SaleOp.ADD_STOCK, units);
  }

  /**
   * Archives a finished sale: forgets it (its id becomes unknown: {@link Rejection#UNKNOWN_SALE},
   * {@link #snapshot} and {@link #saleView} throw) and frees its slot, so a new sale can be
   * registered there even when the shard holds {@code maxSalesPerShard}. Allowed only once the
   * sale is over (sold out, or at or after its end: {@link #endSale} first) and every one of its
   * orders is stored by the {@link OrderSink} (the outbox names orders by their sale; wait for
   * {@link #flush()}); otherwise the future fails with {@link IllegalStateException} saying
   * which, and nothing changes. Its buyers' rows in the users table are not reclaimed: they keep
   * counting against {@code maxUsersPerShard} (a sale in the freed slot never sees them).
   * Registering the same id again later creates a new sale with fresh per-user limits.
   * Persisted like {@link #pauseSale}.
   *
   * @param saleId a registered sale's id
   * @return a future of the sale's last view (completed on the shard's responder thread, after
   *     the sale was forgotten)
   * @throws IllegalArgumentException if no sale with this id is registered
   * @throws IllegalStateException if the engine is closed
   */
  public CompletableFuture<SaleView> archiveSale(String saleId) {
    return operate(saleId, SaleOp.ARCHIVE, 0);
  }

  private CompletableFuture<SaleView> operate(String saleId, SaleOp op, long arg) {
    Objects.requireNonNull(saleId, "saleId");
    SaleState sale = sales.require(saleId);
    ensureOpen();
    return shards.get(sale.shard()).operate(sale, op, arg).thenApply(after -> {
      if (after.isArchived()) {
        sales.remove(after);
      }
      return viewOf(after);
    });
  }

  /**
   * Operator actions: block and unblock buyers and client addresses, and the admission policy's
   * failure count. The same instance every call.
   *
   * @return the engine's operations; never null, usable from any thread
   */
  public Operations operations() {
    return parts.operations();
  }

  /**
   * Says what is wrong with {@code request} if this engine would answer it with
   * {@link Rejection#INVALID_REQUEST}, naming the field and the value; null otherwise. Covers the
   * request's own checks ({@link PurchaseRequest#problem()}) and those against its sale (a
   * quantity above {@link Sale#maxPerRequest()}); a request for an unknown sale has no problem
   * here (it is answered {@link Rejection#UNKNOWN_SALE}).
   *
   * @param request the request to check; not null
   * @return null if the engine would not refuse it as {@code INVALID_REQUEST}; otherwise a
   *     sentence naming the field at fault and its value, as {@link PurchaseRequest#problem()}
   * @throws NullPointerException if {@code request} is null
   */
  public @Nullable String problem(PurchaseRequest request) {
    Objects.requireNonNull(request, "request");
    String problem = request.problem();
    if (problem != null) {
      return problem;
    }
    SaleState sale = sales.get(request.saleId());
    return sale == null ? null : request.problem(sale.sale());
  }

  /**
   * A point-in-time view of a sale: phase, stock, units sold, orders and refusals per reason.
   *
   * @param saleId the id of a registered sale
   * @return a new snapshot taken now by the engine's clock; never null
   * @throws IllegalArgumentException if no sale with this id is registered
   */
  public SaleSnapshot snapshot(String saleId) {
    SaleState sale = sales.require(saleId);
    long now = clock.millis();
    SaleState.Counters counters = sale.publishedCounters(); // one consistent pair
    return new SaleSnapshot(sale.sale(), sale.phaseAt(now, counters.remaining()),
        counters.remaining(), counters.orders(), counters.held(), counters.paid(),
        sale.rejectionCounts(), Instant.ofEpochMilli(now), counters.totalStock(), sale.isPaused());
  }

  /** The longest payment reference {@link #pay} accepts, in characters. */
  public static final int MAX_PAYMENT_REF_LENGTH = 256;

  /**
   * Pays a reservation (an order of a sale with {@link Sale#payWithin()}), decided by the order's
   * shard's ledger writer from the engine's clock: an order whose deadline has passed
   * ({@code now >= confirmedAt + payWithin}) is expired first and the answer is
   * {@link OrderTransition.Outcome#TOO_LATE} — <b>refund the payment</b>. Paying again with the
   * same {@code paymentRef} answers {@code ALREADY_IN_STATE}; with another, {@code CONFLICT}
   * (refund that one). The future completes on the shard's responder thread (or at once with
   * {@code OVERLOADED} if the ring is full). See docs/reservations.md.
   *
   * @param orderId the order id a confirmed purchase returned; at least 1
   * @param paymentRef the payment's reference (e.g. the payment provider's id); not blank, at most
   *     {@link #MAX_PAYMENT_REF_LENGTH} characters. Only a 64-bit hash of it is kept
   * @return a future of the transition; never null
   * @throws IllegalArgumentException if {@code orderId} is below 1 or {@code paymentRef} is blank
   *     or too long; the message names the field and value
   * @throws IllegalStateException if the engine is closed
   */
  public CompletableFuture<OrderTransition> pay(long orderId, String paymentRef) {
    requireOrderId(orderId);
    if (paymentRef == null || paymentRef.isBlank() || paymentRef.length() > MAX_PAYMENT_REF_LENGTH) {
      throw new IllegalArgumentException("paymentRef must be non-blank and at most "
          + MAX_PAYMENT_REF_LENGTH + " characters, was "
          + (paymentRef == null ? "null" : '"' + paymentRef + '"'));
    }
    return orderOperation(PurchaseEvent.Kind.PAY, orderId, ReservationTable.refHash(paymentRef));
  }

  /**
   * Cancels a reservation that is not paid: its units are given back at once and sell again
   * (and, with {@link Sale#releaseRestoresLimit()}, the buyer's quota). Cancelling a cancelled
   * order answers {@code ALREADY_IN_STATE}; a paid one {@code CONFLICT}; one past its deadline
   * is expired ({@code TOO_LATE}, state EXPIRED; the units are given back all the same).
   *
   * @param orderId the order id a confirmed purchase returned; at least 1
   * @return a future of the transition; never null
   * @throws IllegalArgumentException if {@code orderId} is below 1
   * @throws IllegalStateException if the engine is closed
   */
  public CompletableFuture<OrderTransition> cancel(long orderId) {
    requireOrderId(orderId);
    return orderOperation(PurchaseEvent.Kind.CANCEL, orderId, 0);
  }

  private static void requireOrderId(long orderId) {
    if (orderId < 1) {
      throw new IllegalArgumentException("orderId must be at least 1, was " + orderId);
    }
  }

  private CompletableFuture<OrderTransition> orderOperation(PurchaseEvent.Kind kind, long orderId,
      long refHash) {
    ensureOpen();
    CompletableFuture<OrderTransition> answer = new CompletableFuture<>();
    // ids interleave by shard; in cluster mode the node id sits above the low 48 bits
    int shard = (int) ((StockLedger.localId(orderId) - 1) % shards.count());
    int outcome = shards.get(shard).tryPublishOrderOperation(kind, orderId, refHash, answer);
    if (outcome == Shard.CLOSED) {
      throw Shard.closedException();
    } else if (outcome == Shard.FULL) {
      answer.complete(new OrderTransition(orderId, OrderTransition.Outcome.OVERLOADED, null));
    }
    return answer;
  }

  /**
   * Asks every shard to store its outbox in the {@link OrderSink} now, without waiting for a batch
   * to fill. The future completes once every order confirmed before this call is stored (or, if
   * the sink refused it for good, dead-lettered: see {@link #deadLetteredOrders()}); at once if
   * no sink is configured. It completes exceptionally if the engine closes first.
   *
   * @return a future that completes normally (with null) once the orders confirmed before the
   *     call are stored or dead-lettered; never null
   */
  public CompletableFuture<Void> flush() {
    return shards.flush();
  }

  /**
   * Confirmed orders not yet stored in the sink, over all shards (with no sink: every order
   * since the data directory was created). Safe from any thread.
   *
   * @return the number of orders waiting in the outboxes, at least 0
   */
  public long outboxSize() {
    return shards.outboxSize();
  }

  /**
   * The engine's health now: {@code UP}, {@code DEGRADED} (the order sink failing for longer than
   * a threshold, an outbox or a ring filling up) or {@code DOWN} (closed), with the reasons and
   * each shard's figures; the rules are on {@link EngineHealth}, the thresholds set with
   * {@link Builder#healthThresholds}. Cheap (volatile reads, no lock, nothing sent to the
   * shards): fine for a health endpoint or a metrics scrape every second. Works after close.
   *
   * @return the health at this moment; never null
   */
  public EngineHealth health() {
    return parts.health().check(closed);
  }

  /** The engine's parts, for {@link SeckillMetrics}. */
  EngineAssembly parts() {
    return parts;
  }

  /**
   * Orders the order sink voided since this engine started ({@link
   * dev.seckill.spi.OrderSink#storeOrVoid}): in cluster mode, orders sold on a lease the node had
   * lost, or to a buyer who already held the per-user limit on another node. With durability
   * PERSISTED their buyers were refused ({@link Rejection#VOIDED}, {@link
   * Rejection#LIMIT_REACHED}); with LEDGER they had been told, and the void is only counted and
   * logged. Not kept across restarts.
   *
   * @return voided orders since start, over all shards
   */
  public long voidedOrders() {
    return shards.voidedOrders();
  }

  /**
   * Confirmed orders the {@link OrderSink} refused for good ({@link
   * dev.seckill.spi.PermanentSinkException}) and that were parked in the dead-letter files
   * ({@code shard-N/dead-letters.jsonl} in the data directory) instead, over all shards, since
   * the files were created; see docs/persistence.md. Safe from any thread.
   *
   * @return the number of dead-lettered orders, at least 0; the order ids are in the files
   */
  public long deadLetteredOrders() {
    return shards.deadLetteredOrders();
  }

  /**
   * The sales this engine knows, registered now or restored from the data directory.
   *
   * @return a new list (a copy the caller may change), in no particular order; empty if none
   */
  public List<Sale> sales() {
    return sales.specs();
  }

  /**
   * The engine's clock: the one source of time for sale windows.
   *
   * @return the clock set by {@link Builder#clock}, or {@code Clock.systemUTC()}; never null
   */
  public Clock clock() {
    return clock;
  }

  /**
   * True once {@link #close()} has begun.
   *
   * @return true if {@code close()} was called (even if it has not finished); false while the
   *     engine accepts requests
   */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Stops admission, drains every ring (each pending request is decided and its future or
   * listener completed), gives the flushers up to {@code closeTimeout} to store the outbox in the
   * sink (what is left stays in the outbox and is stored after the next start), closes the sink,
   * closes the ledger files cleanly and releases the data directory. Idempotent. After it
   * begins, {@code submit} and {@code registerSale} throw {@link IllegalStateException}.
   * Draining waits for callbacks to return: a future's dependent action or a listener that never
   * returns makes {@code close()} wait for it.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true; // submitters that read it from now on refuse at once
    timer.close(); // no more ticks; one in the ring is drained like any request
    // One that read it before may still publish: each shard's close() settles that race without
    // a counter on the submit path (Shard.tryPublish), accepting and delivering or refusing.
    parts.close();
  }

  private void ensureOpen() {
    if (closed) {
      throw Shard.closedException();
    }
  }

  /** Test and tooling access to a sale's live state (counters, units in flight); not API. */
  SaleState saleState(String saleId) {
    return sales.require(saleId);
  }

  /**
   * Configures a {@link SeckillEngine}. Each setter rejects a bad value at once with an
   * {@link IllegalArgumentException} naming the setting and the value, and a second call with an
   * {@link IllegalStateException}; {@link #build()} checks what depends on other settings, the
   * data directory and the JVM. Holds settings only: building reads them and changes none, so a
   * builder can build again (for example after the previous engine closed). Not thread-safe.
   */
  public static final class Builder {
    /** Default {@link #shards}. */
    public static final int DEFAULT_SHARDS = 1;
    /** Default {@link #ringSize}. */
    public static final int DEFAULT_RING_SIZE = 1 << 14;
    /** Default {@link #idleStrategy}. */
    public static final IdleStrategy DEFAULT_IDLE_STRATEGY = IdleStrategy.BLOCKING;
    /** Default {@link #prefaultFiles}. */
    public static final boolean DEFAULT_PREFAULT_FILES = true;
    /** Default {@link #maxUsersPerShard}. */
    public static final long DEFAULT_MAX_USERS_PER_SHARD = 1_000_000;
    /** Default {@link #outboxCapacityPerShard}. */
    public static final long DEFAULT_OUTBOX_CAPACITY_PER_SHARD = 1_000_000;
    /** Default {@link #maxSalesPerShard}. */
    public static final int DEFAULT_MAX_SALES_PER_SHARD = 1024;
    /** {@link #ringSize} under {@link #developmentDefaults()}. */
    public static final int DEVELOPMENT_RING_SIZE = 1 << 10;
    /** {@link #maxUsersPerShard} under {@link #developmentDefaults()}. */
    public static final long DEVELOPMENT_MAX_USERS_PER_SHARD = 10_000;
    /** {@link #outboxCapacityPerShard} under {@link #developmentDefaults()}. */
    public static final long DEVELOPMENT_OUTBOX_CAPACITY_PER_SHARD = 10_000;
    /** {@link #maxSalesPerShard} under {@link #developmentDefaults()}. */
    public static final int DEVELOPMENT_MAX_SALES_PER_SHARD = 16;
    /** Default {@link #maxRequestIdsPerShard}. */
    public static final long DEFAULT_MAX_REQUEST_IDS_PER_SHARD = 250_000;
    /** {@link #maxRequestIdsPerShard} under {@link #developmentDefaults()}. */
    public static final long DEVELOPMENT_MAX_REQUEST_IDS_PER_SHARD = 1_000;
    /** Default {@link #requestIdRetention}: ten minutes. */
    public static final Duration DEFAULT_REQUEST_ID_RETENTION = Duration.ofMinutes(10);
    /** Default {@link #flushBatchSize}. */
    public static final int DEFAULT_FLUSH_BATCH_SIZE = 1000;
    /** Default {@link #flushMaxDelay}: 20 ms. */
    public static final Duration DEFAULT_FLUSH_MAX_DELAY = Duration.ofMillis(20);
    /** Default first wait of {@link #flushRetryBackoff}: 10 ms. */
    public static final Duration DEFAULT_FLUSH_INITIAL_BACKOFF = Duration.ofMillis(10);
    /** Default cap of {@link #flushRetryBackoff}: 5 s. */
    public static final Duration DEFAULT_FLUSH_MAX_BACKOFF = Duration.ofSeconds(5);
    /** Default {@link #durability}. */
    public static final Durability DEFAULT_DURABILITY = Durability.LEDGER;
    /** Default {@link #closeTimeout}: 10 s. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);
    /** The most {@link #maxReservationsPerShard} is by default (it follows maxUsersPerShard). */
    public static final long DEFAULT_MAX_RESERVATIONS_PER_SHARD = LedgerConfig.DEFAULT_MAX_RESERVATIONS;
    /** Default {@link #reservationRetention}: 1 hour. */
    public static final Duration DEFAULT_RESERVATION_RETENTION =
        Duration.ofMillis(LedgerConfig.DEFAULT_RETENTION_MILLIS);
    /** Default {@link #reservationTickInterval}: 100 ms. */
    public static final Duration DEFAULT_RESERVATION_TICK_INTERVAL = Duration.ofMillis(100);

    /** The settings called so far: each may be set once, and an explicit size beats the preset. */
    private final Set<String> set = new HashSet<>();
    private boolean developmentDefaults;
    /** Null until {@link #dataDir(Path)} is called; {@link #build} requires it. */
    private @Nullable Path dataDir;
    private Clock clock = Clock.systemUTC();
    private int shards = DEFAULT_SHARDS;
    private int ringSize = DEFAULT_RING_SIZE;
    private IdleStrategy idleStrategy = DEFAULT_IDLE_STRATEGY;
    private boolean prefaultFiles = DEFAULT_PREFAULT_FILES;
    private long maxUsersPerShard = DEFAULT_MAX_USERS_PER_SHARD;
    private long outboxCapacityPerShard = DEFAULT_OUTBOX_CAPACITY_PER_SHARD;
    private int maxSalesPerShard = DEFAULT_MAX_SALES_PER_SHARD;
    private long maxRequestIdsPerShard = DEFAULT_MAX_REQUEST_IDS_PER_SHARD;
    private Duration requestIdRetention = DEFAULT_REQUEST_ID_RETENTION;
    private Optional<OrderSink> orderSink = Optional.empty();
    private int flushBatchSize = DEFAULT_FLUSH_BATCH_SIZE;
    private Duration flushMaxDelay = DEFAULT_FLUSH_MAX_DELAY;
    private Duration flushInitialBackoff = DEFAULT_FLUSH_INITIAL_BACKOFF;
    private Duration flushMaxBackoff = DEFAULT_FLUSH_MAX_BACKOFF;
    private Durability durability = DEFAULT_DURABILITY;
    private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
    private long maxReservationsPerShard = DEFAULT_MAX_RESERVATIONS_PER_SHARD;
    private Duration reservationRetention = DEFAULT_RESERVATION_RETENTION;
    private Duration reservationTickInterval = DEFAULT_RESERVATION_TICK_INTERVAL;
    private HealthThresholds healthThresholds = HealthThresholds.defaults();
    private Optional<AdmissionSettings> admission = Optional.empty();
    private Optional<Cluster> cluster = Optional.empty();

    private Builder() {}

    /**
     * Small sizes for a hello world, a unit test or a laptop: a ring of
     * {@value #DEVELOPMENT_RING_SIZE} slots, {@value #DEVELOPMENT_MAX_USERS_PER_SHARD} buyers,
     * {@value #DEVELOPMENT_OUTBOX_CAPACITY_PER_SHARD} undrained orders,
     * {@value #DEVELOPMENT_MAX_SALES_PER_SHARD} sales and
     * {@value #DEVELOPMENT_MAX_REQUEST_IDS_PER_SHARD} request ids per shard, so the ledger files take a few
     * megabytes instead of the production defaults' hundreds. A size set explicitly wins, whatever
     * the order of the calls. Sizes are fixed when the data directory is created, so a directory
     * created with this preset keeps its small bounds: use a fresh directory for production.
     *
     * @return this builder
     */
    public Builder developmentDefaults() {
      unset("developmentDefaults", developmentDefaults);
      developmentDefaults = true;
      return done("developmentDefaults");
    }

    /**
     * Where the ledger files live; required. Created if absent. One engine per directory.
     *
     * @param dataDir the directory for the ledger files (and the dead-letter files); not null
     * @return this builder
     */
    public Builder dataDir(Path dataDir) {
      unset("dataDir", this.dataDir);
      this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
      return done("dataDir");
    }

    /**
     * The clock for sale windows and confirmation times; defaults to {@code Clock.systemUTC()}.
     *
     * @param clock the clock; not null. Read concurrently by every submitting thread, so it must
     *     be thread-safe
     * @return this builder
     */
    public Builder clock(Clock clock) {
      unset("clock", this.clock);
      this.clock = Objects.requireNonNull(clock, "clock");
      return done("clock");
    }

    /**
     * Number of shards, each with its own ring and writer thread; sales spread over them by id.
     * Default {@value #DEFAULT_SHARDS}, range 1..64. Fixed when the data directory is created.
     *
     * @param shards the number of shards, 1 to 64
     * @return this builder
     */
    public Builder shards(int shards) {
      unset("shards", this.shards);
      this.shards = (int) Require.between("shards", shards, 1, 64);
      return done("shards");
    }

    /**
     * Slots in each shard's ring: requests admitted but not yet answered. A full ring answers
     * {@link Rejection#OVERLOADED}. Default {@value #DEFAULT_RING_SIZE}; a power of two from 64
     * to 2^24.
     *
     * @param ringSize slots per shard's ring, a power of two from 64 to 2^24
     * @return this builder
     */
    public Builder ringSize(int ringSize) {
      unset("ringSize", this.ringSize);
      if (ringSize < 64 || ringSize > (1 << 24) || Integer.bitCount(ringSize) != 1) {
        throw new IllegalArgumentException(
            "ringSize must be a power of two between 64 and 16777216, was " + ringSize);
      }
      this.ringSize = ringSize;
      return done("ringSize");
    }

    /**
     * How the ledger and responder threads wait for work; default {@link #DEFAULT_IDLE_STRATEGY}.
     *
     * @param idleStrategy the wait strategy; not null
     * @return this builder
     */
    public Builder idleStrategy(IdleStrategy idleStrategy) {
      unset("idleStrategy", this.idleStrategy);
      this.idleStrategy = Objects.requireNonNull(idleStrategy, "idleStrategy");
      return done("idleStrategy");
    }

    /**
     * Whether the ledger files are pre-faulted when the engine opens: each page of a shard's users
     * table and order journal is touched once at {@link #build()}, so the ledger writer takes no
     * page fault mid-sale. It costs time at build (at the default bounds, measured on a 2-core VM:
     * +0.37 s at the first build, +0.19 s at a reopen; docs/design.md, Disk use) and makes the
     * files resident in the page cache. Default
     * {@value #DEFAULT_PREFAULT_FILES}; switch it off for many small engines (tests) or when
     * build time matters more than the first seconds of a sale.
     *
     * @param prefaultFiles true to take the page faults at build
     * @return this builder
     */
    public Builder prefaultFiles(boolean prefaultFiles) {
      unset("prefaultFiles", this.prefaultFiles);
      this.prefaultFiles = prefaultFiles;
      return done("prefaultFiles");
    }

    /**
     * Distinct (sale, user) pairs one shard records; a new buyer beyond it is refused with
     * {@link Rejection#OVERLOADED}, buyers already recorded are unaffected. The bound is exact,
     * whatever the length of the user ids: each pair is one fixed 32-byte slot of the shard's
     * users table (a 128-bit keyed hash of the pair, see docs/design.md, The ledger). Default
     * {@value #DEFAULT_MAX_USERS_PER_SHARD}; at least 16. Fixed when the data directory is
     * created: it sizes {@code users.tbl}, about 54 bytes per user (the table is kept at most 60%
     * full), allocated in full at creation (docs/design.md, Disk use).
     *
     * @param maxUsersPerShard distinct (sale, user) pairs per shard, 16 to 2^32
     * @return this builder
     */
    public Builder maxUsersPerShard(long maxUsersPerShard) {
      unset("maxUsersPerShard", this.maxUsersPerShard);
      this.maxUsersPerShard = Require.between("maxUsersPerShard", maxUsersPerShard, 16, 1L << 32);
      return done("maxUsersPerShard");
    }

    /**
     * Reservations (orders of sales with {@link Sale#payWithin()}) one shard holds, live or
     * terminal within {@link #reservationRetention}; beyond it a new reservation is refused with
     * {@link Rejection#OVERLOADED}. Default: {@link #maxUsersPerShard}, at most
     * {@value #DEFAULT_MAX_RESERVATIONS_PER_SHARD} (so {@value #DEVELOPMENT_MAX_USERS_PER_SHARD}
     * under {@link #developmentDefaults()}).
     * Fixed when a shard's {@code reservations.tbl} is created (107 bytes per reservation,
     * allocated in full); a different value later is ignored for that shard. See
     * docs/reservations.md.
     *
     * @param maxReservationsPerShard reservations per shard, 16 to 16,000,000
     * @return this builder
     */
    public Builder maxReservationsPerShard(long maxReservationsPerShard) {
      unset("maxReservationsPerShard", this.maxReservationsPerShard);
      this.maxReservationsPerShard = Require.between("maxReservationsPerShard",
          maxReservationsPerShard, 16, ReservationTable.MAX_ENTRIES);
      return done("maxReservationsPerShard");
    }

    /**
     * How long a paid, cancelled or expired reservation stays in the ledger after its deadline
     * (and its end) so that retried {@code pay}/{@code cancel} calls get the same answer; then its
     * entry is reclaimed and those calls answer {@code UNKNOWN_ORDER}. Default 1 hour.
     *
     * @param retention from 1 second to 30 days
     * @return this builder
     */
    public Builder reservationRetention(Duration retention) {
      unset("reservationRetention", this.reservationRetention);
      this.reservationRetention = Require.between("reservationRetention",
          Objects.requireNonNull(retention, "reservationRetention"), Duration.ofSeconds(1),
          Duration.ofDays(30));
      return done("reservationRetention");
    }

    /**
     * How often a timer thread asks each shard's writer to expire the reservations that fell due
     * (at most {@value StockLedger#TICK_BATCH} per shard per tick; a tick that finds more due
     * queues the next one at once, so a backlog drains at the writer's pace). The timer runs only once a
     * sale with {@code payWithin} is registered. A reservation is also expired whenever a call
     * touches it, so this bounds how late units come back, not whether a late payment wins.
     * Default 100 ms.
     *
     * @param interval from 1 ms to 1 minute
     * @return this builder
     */
    public Builder reservationTickInterval(Duration interval) {
      unset("reservationTickInterval", this.reservationTickInterval);
      this.reservationTickInterval = Require.between("reservationTickInterval",
          Objects.requireNonNull(interval, "reservationTickInterval"), Duration.ofMillis(1),
          Duration.ofMinutes(1));
      return done("reservationTickInterval");
    }

    /**
     * Confirmed orders one shard's outbox holds until persistence drains them; beyond it new
     * orders are refused with {@link Rejection#OVERLOADED}, as they are when the outbox's byte
     * budget is spent (long user ids). Default {@value #DEFAULT_OUTBOX_CAPACITY_PER_SHARD}; at
     * least 16. Fixed when the data directory is created: it sizes {@code outbox.cm3}, about 163
     * bytes per order, allocated in full at creation.
     *
     * @param outboxCapacityPerShard undrained orders per shard, 16 to 2^32
     * @return this builder
     */
    public Builder outboxCapacityPerShard(long outboxCapacityPerShard) {
      unset("outboxCapacityPerShard", this.outboxCapacityPerShard);
      this.outboxCapacityPerShard =
          Require.between("outboxCapacityPerShard", outboxCapacityPerShard, 16, 1L << 32);
      return done("outboxCapacityPerShard");
    }

    /**
     * Sales one shard can hold. Default {@value #DEFAULT_MAX_SALES_PER_SHARD}, range
     * 1..1,000,000. Fixed at creation.
     *
     * @param maxSalesPerShard sales per shard, 1 to 1,000,000
     * @return this builder
     */
    public Builder maxSalesPerShard(int maxSalesPerShard) {
      unset("maxSalesPerShard", this.maxSalesPerShard);
      this.maxSalesPerShard = (int) Require.between("maxSalesPerShard", maxSalesPerShard, 1, 1_000_000);
      return done("maxSalesPerShard");
    }

    /**
     * Confirmed purchases carrying a {@linkplain PurchaseRequest#withRequestId request id} that one
     * shard remembers per retention window (see {@link #requestIdRetention}): a retry of one of
     * them gets the original order id. Once this many were added in the current window, a new
     * confirmation carrying a request id is refused with {@link Rejection#OVERLOADED} until the
     * window ends (requests without one are unaffected). Default
     * {@value #DEFAULT_MAX_REQUEST_IDS_PER_SHARD} ({@value #DEVELOPMENT_MAX_REQUEST_IDS_PER_SHARD}
     * under {@link #developmentDefaults()}). Fixed when the shard's {@code requests.tbl} is
     * created: two generations of {@code maxRequestIds / 0.6} slots of 32 bytes, about 107 bytes
     * per id, allocated in full (docs/retries.md).
     *
     * @param maxRequestIdsPerShard request ids per window per shard, 16 to 10,000,000
     * @return this builder
     */
    public Builder maxRequestIdsPerShard(long maxRequestIdsPerShard) {
      unset("maxRequestIdsPerShard", this.maxRequestIdsPerShard);
      this.maxRequestIdsPerShard =
          Require.between("maxRequestIdsPerShard", maxRequestIdsPerShard, 16, 10_000_000);
      return done("maxRequestIdsPerShard");
    }

    /**
     * How long a confirmed purchase's request id is remembered at least: a retry within this
     * time after the confirmation gets the original order id. Entries are dropped a whole window
     * at a time, so one may be kept up to about twice as long. Default ten minutes; may change
     * between runs (docs/retries.md).
     *
     * @param requestIdRetention 1 second to 7 days
     * @return this builder
     */
    public Builder requestIdRetention(Duration requestIdRetention) {
      unset("requestIdRetention", this.requestIdRetention);
      Objects.requireNonNull(requestIdRetention, "requestIdRetention");
      if (requestIdRetention.compareTo(Duration.ofSeconds(1)) < 0
          || requestIdRetention.compareTo(Duration.ofDays(7)) > 0) {
        throw new IllegalArgumentException("requestIdRetention must be 1 second to 7 days, was "
            + requestIdRetention);
      }
      this.requestIdRetention = requestIdRetention;
      return done("requestIdRetention");
    }

    /**
     * Sells this engine's sales in cluster mode: together with other engines (other JVMs, each
     * with its own data directory) through one shared stock coordinator; optional. See
     * {@link Cluster} for how it works and docs/cluster.md.
     *
     * <p>Requires durability {@link Durability#PERSISTED} (a buyer is told only once the
     * coordinator's fenced sink has settled the order) and no {@link #orderSink}: the
     * coordinator's {@code sink(nodeId)} is the order sink. In cluster mode every sale is a
     * cluster sale. A reservation ({@link Sale#payWithin()}) that is cancelled or expires gives
     * its units back to the coordinator's pool, not to this node; sales with
     * {@link Sale#releaseRestoresLimit()} are refused at registration. A data
     * directory created in cluster mode stays in cluster mode (it stores its node id), and one
     * created without it cannot join a cluster.
     *
     * @param cluster the cluster settings; not null
     * @return this builder
     */
    public Builder cluster(Cluster cluster) {
      unset("cluster", this.cluster.orElse(null));
      this.cluster = Optional.of(Objects.requireNonNull(cluster, "cluster"));
      return done("cluster");
    }

    /**
     * Where confirmed orders are stored, in batches, by each shard's flusher thread; optional.
     * Without a sink, orders stay in the ledger's outbox (bounded by
     * {@link #outboxCapacityPerShard}). The engine closes the sink when it closes.
     *
     * @param orderSink the sink; not null (leave the setting out for no sink)
     * @return this builder
     */
    public Builder orderSink(OrderSink orderSink) {
      unset("orderSink", this.orderSink.orElse(null));
      this.orderSink = Optional.of(Objects.requireNonNull(orderSink, "orderSink"));
      return done("orderSink");
    }

    /**
     * The most orders per {@link OrderSink#store} call. Default {@value #DEFAULT_FLUSH_BATCH_SIZE},
     * range 1..100,000.
     *
     * @param flushBatchSize orders per store call, 1 to 100,000
     * @return this builder
     */
    public Builder flushBatchSize(int flushBatchSize) {
      unset("flushBatchSize", this.flushBatchSize);
      this.flushBatchSize = (int) Require.between("flushBatchSize", flushBatchSize, 1, 100_000);
      return done("flushBatchSize");
    }

    /**
     * How long a confirmed order may wait for its batch to fill before it is stored anyway.
     * Default {@link #DEFAULT_FLUSH_MAX_DELAY}, range 1 ms..1 min. A mechanical delay, measured
     * with {@code System.nanoTime}.
     *
     * @param flushMaxDelay the longest wait for a batch to fill, 1 ms to 1 minute
     * @return this builder
     */
    public Builder flushMaxDelay(Duration flushMaxDelay) {
      unset("flushMaxDelay", this.flushMaxDelay);
      this.flushMaxDelay = Require.between("flushMaxDelay", flushMaxDelay, Duration.ofMillis(1),
          Duration.ofMinutes(1));
      return done("flushMaxDelay");
    }

    /**
     * The capped exponential backoff between failed stores: the first wait, doubled per failure
     * up to the cap. Default {@link #DEFAULT_FLUSH_INITIAL_BACKOFF} up to
     * {@link #DEFAULT_FLUSH_MAX_BACKOFF}; each between 1 ms and 10 min, initial at most max.
     *
     * @param initial the wait after the first failed store, 1 ms to 10 minutes, at most {@code max}
     * @param max the cap on the doubling wait, 1 ms to 10 minutes
     * @return this builder
     */
    public Builder flushRetryBackoff(Duration initial, Duration max) {
      unset("flushRetryBackoff", this.flushInitialBackoff);
      Require.between("flushRetryBackoff initial", initial, Duration.ofMillis(1), Duration.ofMinutes(10));
      Require.between("flushRetryBackoff max", max, Duration.ofMillis(1), Duration.ofMinutes(10));
      if (initial.compareTo(max) > 0) {
        throw new IllegalArgumentException("flushRetryBackoff initial must be at most max, was initial="
            + initial + " max=" + max);
      }
      this.flushInitialBackoff = initial;
      this.flushMaxBackoff = max;
      return done("flushRetryBackoff");
    }

    /**
     * When confirmations are delivered; default {@link #DEFAULT_DURABILITY}.
     *
     * @param durability the durability; not null ({@link Durability#PERSISTED} needs an
     *     {@link #orderSink})
     * @return this builder
     */
    public Builder durability(Durability durability) {
      unset("durability", this.durability);
      this.durability = Objects.requireNonNull(durability, "durability");
      return done("durability");
    }

    /**
     * How long {@link SeckillEngine#close()} lets the flushers store the outbox before closing
     * anyway. Default {@link #DEFAULT_CLOSE_TIMEOUT}, range 0..1 h.
     *
     * @param closeTimeout the longest wait for the flushers at close, 0 (no wait) to 1 hour
     * @return this builder
     */
    public Builder closeTimeout(Duration closeTimeout) {
      unset("closeTimeout", this.closeTimeout);
      this.closeTimeout = Require.between("closeTimeout", closeTimeout, Duration.ZERO, Duration.ofHours(1));
      return done("closeTimeout");
    }

    /**
     * When {@link SeckillEngine#health()} reports {@link EngineHealth.Status#DEGRADED}: how long
     * the sink may fail, how full an outbox and a ring may be. Default
     * {@link HealthThresholds#defaults()}.
     *
     * @param thresholds the thresholds; not null
     * @return this builder
     */
    public Builder healthThresholds(HealthThresholds thresholds) {
      unset("healthThresholds", this.healthThresholds);
      this.healthThresholds = Objects.requireNonNull(thresholds, "healthThresholds");
      return done("healthThresholds");
    }

    /**
     * Admission and anti-abuse: purchase tokens, throttles, blocks, the admission cap and the
     * application's policy. Default {@link AdmissionSettings#permissive()}, made at each build:
     * no throttles, no automatic blocks, no cap; tokens (with a random secret) and manual blocks
     * work.
     *
     * @param admission the settings; not null
     * @return this builder
     */
    public Builder admission(AdmissionSettings admission) {
      unset("admission", this.admission.orElse(null));
      this.admission = Optional.of(Objects.requireNonNull(admission, "admission"));
      return done("admission");
    }

    /**
     * Opens the data directory (recovering it after an unclean stop), starts the shards and
     * returns the running engine; the stages and their rollback are described in
     * {@code dev.seckill.EngineAssembly}.
     *
     * @return the running engine, owning the data directory until {@link SeckillEngine#close()}
     * @throws IllegalArgumentException if {@code dataDir} is missing, durability PERSISTED is
     *     chosen without an orderSink, or a cluster is set with durability other than PERSISTED
     *     or together with an orderSink
     * @throws IllegalStateException in cluster mode, also if the data directory was created
     *     without cluster mode (or, without a cluster, with it), or is new and the coordinator's
     *     {@code newNodeId()} failed
     * @throws IllegalStateException if the JVM lacks the flags Chronicle Map needs (the message
     *     lists them), another engine holds the data directory, or a setting fixed at creation
     *     differs from the one the directory was created with
     * @throws UncheckedIOException if the ledger files cannot be opened, or the disk lacks room
     *     to create them (they are allocated in full at creation; the message names the
     *     directory, the bytes needed and the bytes free)
     */
    public SeckillEngine build() {
      return new SeckillEngine(EngineAssembly.assemble(validate()));
    }

    /**
     * Checks what depends on more than one setting and resolves the defaults (the development
     * preset's sizes unless set explicitly), without changing this builder.
     */
    private EngineSettings validate() {
      if (dataDir == null) {
        throw new IllegalArgumentException("dataDir is required: call dataDir(Path) before build()");
      }
      Optional<OrderSink> sink = orderSink;
      if (cluster.isPresent()) {
        if (orderSink.isPresent()) {
          throw new IllegalArgumentException("cluster mode stores orders through the coordinator's"
              + " sink (StockCoordinator.sink(nodeId)), but an orderSink was also set: remove"
              + " orderSink(...) when using cluster(...)");
        }
        if (durability != Durability.PERSISTED) {
          throw new IllegalArgumentException("cluster mode needs durability PERSISTED (a buyer is"
              + " told only once the coordinator's fenced sink has settled the order), but"
              + " durability is " + durability + ": call durability(Durability.PERSISTED)");
        }
        sink = Optional.of(UNBOUND_SINK); // replaced by the coordinator's once the node id is known
      }
      if (durability == Durability.PERSISTED && sink.isEmpty()) {
        throw new IllegalArgumentException(
            "durability PERSISTED needs an orderSink: call orderSink(OrderSink) before build()");
      }
      AdmissionSettings checks = admission.orElseGet(AdmissionSettings::permissive);
      return new EngineSettings(dataDir, clock, shards,
          (int) size("ringSize", ringSize, DEVELOPMENT_RING_SIZE), idleStrategy,
          size("maxUsersPerShard", maxUsersPerShard, DEVELOPMENT_MAX_USERS_PER_SHARD),
          size("outboxCapacityPerShard", outboxCapacityPerShard, DEVELOPMENT_OUTBOX_CAPACITY_PER_SHARD),
          (int) size("maxSalesPerShard", maxSalesPerShard, DEVELOPMENT_MAX_SALES_PER_SHARD),
          sink.map(to -> new FlushSettings(to, flushBatchSize, flushMaxDelay,
              flushInitialBackoff, flushMaxBackoff, durability)),
          closeTimeout, checks, checks.tokenSecret(), healthThresholds, prefaultFiles,
          set.contains("maxReservationsPerShard") ? maxReservationsPerShard
              : LedgerConfig.defaultMaxReservations(
                  size("maxUsersPerShard", maxUsersPerShard, DEVELOPMENT_MAX_USERS_PER_SHARD)),
          reservationRetention, reservationTickInterval,
          size("maxRequestIdsPerShard", maxRequestIdsPerShard, DEVELOPMENT_MAX_REQUEST_IDS_PER_SHARD),
          requestIdRetention, cluster);
    }

    /** Cluster mode's placeholder until the node id is known; never stores anything. */
    private static final OrderSink UNBOUND_SINK = batch -> {
      throw new IllegalStateException("the cluster's order sink is not bound yet");
    };

    /** A size: as set, else the development preset's if chosen, else the production default. */
    private long size(String setting, long value, long development) {
      return developmentDefaults && !set.contains(setting) ? development : value;
    }

    private void unset(String setting, @Nullable Object current) {
      Require.setOnce(!set.contains(setting), setting, current);
    }

    private Builder done(String setting) {
      set.add(setting);
      return this;
    }
  }
}
