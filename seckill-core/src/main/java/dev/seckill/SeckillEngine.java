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

import dev.seckill.internal.ChronicleDefaults;
import dev.seckill.internal.DataDirectory;
import dev.seckill.internal.JvmFlags;
import dev.seckill.internal.admission.Admission;
import dev.seckill.internal.admission.AdmissionCap;
import dev.seckill.internal.admission.Blocklist;
import dev.seckill.internal.admission.Outcome;
import dev.seckill.internal.flush.FlushSettings;
import dev.seckill.internal.ledger.LedgerConfig;
import dev.seckill.internal.ledger.SaleState;
import dev.seckill.internal.ledger.StockLedger;
import dev.seckill.internal.ring.Reply;
import dev.seckill.internal.ring.Shard;
import dev.seckill.spi.OrderSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.LongAdder;

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

  private final Clock clock;
  private final DataDirectory dataDir;
  private final OrderSink sink;
  private final Duration closeTimeout;
  private final Shard[] shards;
  private final Admission admission;
  private final double capFactor;
  private final ConcurrentHashMap<String, SaleState> sales = new ConcurrentHashMap<>();
  /** Submitters between their closed-check and their publish; close() waits for it to drain. */
  private final LongAdder publishing = new LongAdder();
  private volatile boolean closed;

  private SeckillEngine(Builder b, DataDirectory dataDir, Shard[] shards, Duration closeTimeout,
      Admission admission) {
    this.clock = b.clock;
    this.admission = admission;
    this.capFactor = admission.capFactor();
    this.sink = b.orderSink;
    this.closeTimeout = closeTimeout;
    this.dataDir = dataDir;
    this.shards = shards;
    for (Shard shard : shards) {
      for (SaleState sale : shard.ledger().sales()) {
        sales.put(sale.sale().id(), sale);
      }
    }
  }

  /** Starts configuring an engine. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Registers a sale so it can take purchases. Registering the same spec again, for example after
   * a restart, is a no-op; a sale restored from the data directory is already registered.
   *
   * @return the sale as registered
   * @throws IllegalArgumentException if a sale with this id is registered with a different spec;
   *     the message lists each differing field
   * @throws IllegalStateException if the engine is closed or the shard holds its maximum of sales
   */
  public Sale registerSale(Sale sale) {
    Objects.requireNonNull(sale, "sale");
    SaleState existing = sales.get(sale.id());
    if (existing != null) {
      List<String> diffs = existing.sale().differences(sale);
      if (!diffs.isEmpty()) {
        throw new IllegalArgumentException("sale '" + sale.id()
            + "' is already registered with a different spec (registered vs new): "
            + String.join(", ", diffs));
      }
      return existing.sale();
    }
    CompletableFuture<SaleState> registration;
    publishing.increment();
    try {
      ensureOpen();
      registration = shardFor(sale.id()).register(sale);
    } finally {
      publishing.decrement();
    }
    SaleState state;
    try {
      state = registration.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException) {
        throw (RuntimeException) e.getCause();
      }
      throw e;
    }
    sales.putIfAbsent(sale.id(), state);
    return state.sale();
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
   * @throws NullPointerException if {@code request} is null
   * @throws IllegalStateException if the engine is closed
   */
  public CompletableFuture<PurchaseResult> submit(PurchaseRequest request) {
    Objects.requireNonNull(request, "request");
    ensureOpen();
    SaleState sale = request.isWellFormed() ? sales.get(request.saleId()) : null;
    Rejection early = earlyRejection(request, sale);
    if (early != null) {
      return CompletableFuture.completedFuture(PurchaseResult.rejected(early));
    }
    Reply future = new Reply(); // a future that is also the listener the responder calls
    boolean published = false;
    publishing.increment();
    try {
      ensureOpen();
      published = shards[sale.shard()].tryPublish(request, sale, future);
    } finally {
      publishing.decrement();
      if (!published) {
        sale.admissionCap().exit(request.quantity()); // never reached the responder
      }
    }
    if (!published) {
      sale.countRejection(Rejection.OVERLOADED);
      future.complete(PurchaseResult.rejected(Rejection.OVERLOADED));
    }
    return future;
  }

  /**
   * Submits a purchase whose decision is delivered to {@code listener}: the allocation-free path.
   * Exactly one listener method is called, once, either on this thread before this method returns
   * (refusals decided early, a full ring) or later on the shard's responder thread.
   *
   * @throws NullPointerException if {@code request} or {@code listener} is null
   * @throws IllegalStateException if the engine is closed
   */
  public void submit(PurchaseRequest request, PurchaseListener listener) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(listener, "listener");
    ensureOpen();
    SaleState sale = request.isWellFormed() ? sales.get(request.saleId()) : null;
    Rejection early = earlyRejection(request, sale);
    if (early != null) {
      listener.onRejected(request, early);
      return;
    }
    boolean published = false;
    publishing.increment();
    try {
      ensureOpen();
      published = shards[sale.shard()].tryPublish(request, sale, listener);
    } finally {
      publishing.decrement();
      if (!published) {
        sale.admissionCap().exit(request.quantity()); // never reached the responder
      }
    }
    if (!published) {
      sale.countRejection(Rejection.OVERLOADED);
      listener.onRejected(request, Rejection.OVERLOADED);
    }
  }

  /**
   * The checks made on the caller's thread, cheapest first; counts the refusal on the sale.
   * Returns null if the request may go to the ring, having counted its units in flight.
   */
  private Rejection earlyRejection(PurchaseRequest request, SaleState sale) {
    if (sale == null) {
      return request.isWellFormed() ? Rejection.UNKNOWN_SALE : Rejection.INVALID_REQUEST;
    }
    Rejection reason = null;
    if (request.quantity() > sale.sale().maxPerRequest()) {
      reason = Rejection.INVALID_REQUEST;
    } else {
      long now = clock.millis();
      if (now < sale.startsAtMillis()) {
        reason = Rejection.NOT_STARTED;
      } else if (sale.isSoldOut()) {
        reason = Rejection.SOLD_OUT;
      } else if (now >= sale.endsAtMillis()) {
        reason = Rejection.ENDED;
      } else {
        reason = admit(request, sale, now);
      }
    }
    if (reason != null) {
      sale.countRejection(reason);
    }
    return reason;
  }

  /**
   * Admission, in order: blocklists and throttles, the purchase token if the sale requires one,
   * the application's policy, and last the admission cap, which counts the request's units in
   * flight if it admits. Returns null if admitted.
   */
  private Rejection admit(PurchaseRequest request, SaleState sale, long now) {
    Outcome outcome = admission.screen(request.userId(), request.clientAddress(), now);
    if (outcome == Outcome.PASS && sale.sale().tokenRequired()) {
      outcome = admission.checkToken(sale.sale().id(), request.userId(), request.token(), now);
    }
    if (outcome == Outcome.PASS) {
      outcome = admission.askPolicy(sale.sale(), request);
    }
    if (outcome != Outcome.PASS) {
      return rejectionOf(outcome);
    }
    long limit = AdmissionCap.limit(sale.remainingView(), capFactor);
    return sale.admissionCap().tryEnter(request.quantity(), limit) ? null : Rejection.OVERSUBSCRIBED;
  }

  private static Rejection rejectionOf(Outcome outcome) {
    switch (outcome) {
      case BLOCKED:
        return Rejection.BLOCKED;
      case THROTTLED:
        return Rejection.THROTTLED;
      case BAD_TOKEN:
        return Rejection.BAD_TOKEN;
      case CHALLENGE_REQUIRED:
        return Rejection.CHALLENGE_REQUIRED;
      case DENIED:
        return Rejection.DENIED;
      case POLICY_FAILED:
        return Rejection.POLICY_FAILED;
      case PASS:
      default:
        throw new IllegalArgumentException("not a refusal: " + outcome);
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
   * @throws IllegalStateException if the engine is closed
   */
  public TokenGrant issueToken(String saleId, String userId) {
    ensureOpen();
    if (userId == null || userId.isBlank() || userId.length() > PurchaseRequest.MAX_USER_ID_LENGTH
        || saleId == null || saleId.isBlank() || PurchaseRequest.firstUnstorable(userId) >= 0) {
      return TokenGrant.refused(Rejection.INVALID_REQUEST);
    }
    SaleState sale = sales.get(saleId);
    if (sale == null) {
      return TokenGrant.refused(Rejection.UNKNOWN_SALE);
    }
    long now = clock.millis();
    if (now < sale.startsAtMillis()) {
      return TokenGrant.refused(Rejection.NOT_STARTED);
    } else if (sale.isSoldOut()) {
      return TokenGrant.refused(Rejection.SOLD_OUT);
    } else if (now >= sale.endsAtMillis()) {
      return TokenGrant.refused(Rejection.ENDED);
    } else if (admission.isUserBlocked(userId, now)) {
      return TokenGrant.refused(Rejection.BLOCKED);
    }
    long expiry = admission.tokenExpiry(now);
    return TokenGrant.granted(admission.issueToken(saleId, userId, expiry), Instant.ofEpochMilli(expiry));
  }

  /**
   * The engine's time now: what a sale page's countdown should sync to, since the sale window is
   * judged by this clock and not the browser's.
   */
  public Instant serverTime() {
    return clock.instant();
  }

  /**
   * What a sale's web page needs: phase, window, server time, approximate remaining stock and
   * whether tokens are required. Cheaper than {@link #snapshot}, so pages may poll it.
   *
   * @throws IllegalArgumentException if no sale with this id is registered
   */
  public SaleView saleView(String saleId) {
    SaleState sale = requireSale(saleId);
    long now = clock.millis();
    long remaining = sale.remainingView();
    Sale spec = sale.sale();
    return new SaleView(spec.id(), phaseOf(sale, now, remaining), spec.startsAt(), spec.endsAt(),
        Instant.ofEpochMilli(now), remaining, spec.tokenRequired());
  }

  /**
   * Blocks {@code userId} until {@link #unblockUser} ({@link Rejection#BLOCKED}, and no tokens).
   *
   * @throws IllegalStateException if the manual blocklist is full
   *     ({@link AdmissionSettings#maxManualBlocks()})
   */
  public void blockUser(String userId) {
    admission.blockUser(requireKey(userId, "userId"), Blocklist.FOREVER);
  }

  /**
   * Blocks {@code userId} for {@code duration} from now by the engine's clock, or until
   * {@link #unblockUser}. Replaces an earlier manual block of the same user.
   *
   * @throws IllegalArgumentException if {@code duration} is not positive
   * @throws IllegalStateException if the manual blocklist is full
   */
  public void blockUser(String userId, Duration duration) {
    admission.blockUser(requireKey(userId, "userId"), until(duration));
  }

  /** Lifts every block of {@code userId}, manual and automatic, and forgets their attempts. */
  public boolean unblockUser(String userId) {
    return admission.unblockUser(requireKey(userId, "userId"));
  }

  /** True if {@code userId} is blocked now, manually or automatically. */
  public boolean isUserBlocked(String userId) {
    return admission.isUserBlocked(requireKey(userId, "userId"), clock.millis());
  }

  /**
   * Blocks a client address (as passed in {@link PurchaseRequest#withClientAddress}) until
   * {@link #unblockAddress}.
   *
   * @throws IllegalStateException if the manual blocklist is full
   */
  public void blockAddress(String address) {
    admission.blockAddress(requireKey(address, "address"), Blocklist.FOREVER);
  }

  /**
   * Blocks a client address for {@code duration} from now by the engine's clock, or until
   * {@link #unblockAddress}.
   *
   * @throws IllegalArgumentException if {@code duration} is not positive
   * @throws IllegalStateException if the manual blocklist is full
   */
  public void blockAddress(String address, Duration duration) {
    admission.blockAddress(requireKey(address, "address"), until(duration));
  }

  /** Lifts every block of a client address and forgets its attempts. */
  public boolean unblockAddress(String address) {
    return admission.unblockAddress(requireKey(address, "address"));
  }

  /** True if a client address is blocked now, manually or automatically. */
  public boolean isAddressBlocked(String address) {
    return admission.isAddressBlocked(requireKey(address, "address"), clock.millis());
  }

  /** Times the application's {@link dev.seckill.spi.AdmissionPolicy} threw or returned null. */
  public long admissionPolicyFailures() {
    return admission.policyFailures();
  }

  private long until(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("duration must be positive, was " + duration);
    }
    long now = clock.millis();
    try {
      return Math.addExact(now, duration.toMillis());
    } catch (ArithmeticException e) {
      return Blocklist.FOREVER;
    }
  }

  private static String requireKey(String key, String name) {
    if (key == null || key.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank, was "
          + (key == null ? "null" : '"' + key + '"'));
    }
    return key;
  }

  private SaleState requireSale(String saleId) {
    SaleState sale = saleId == null ? null : sales.get(saleId);
    if (sale == null) {
      throw new IllegalArgumentException("no sale registered with id " + (saleId == null ? "null" : "'" + saleId + "'"));
    }
    return sale;
  }

  private static SalePhase phaseOf(SaleState sale, long now, long remaining) {
    if (now < sale.startsAtMillis()) {
      return SalePhase.UPCOMING;
    } else if (remaining == 0) {
      return SalePhase.SOLD_OUT;
    } else if (now >= sale.endsAtMillis()) {
      return SalePhase.ENDED;
    }
    return SalePhase.ON_SALE;
  }

  /**
   * Says what is wrong with {@code request} if this engine would answer it with
   * {@link Rejection#INVALID_REQUEST}, naming the field and the value; null otherwise. Covers the
   * request's own checks ({@link PurchaseRequest#problem()}) and those against its sale (a
   * quantity above {@link Sale#maxPerRequest()}); a request for an unknown sale has no problem
   * here (it is answered {@link Rejection#UNKNOWN_SALE}).
   *
   * @throws NullPointerException if {@code request} is null
   */
  public String problem(PurchaseRequest request) {
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
   * @throws IllegalArgumentException if no sale with this id is registered
   */
  public SaleSnapshot snapshot(String saleId) {
    SaleState sale = requireSale(saleId);
    long now = clock.millis();
    SaleState.Counters counters = sale.countersView(); // one consistent pair
    long remaining = counters.remaining();
    long orders = counters.orders();
    SalePhase phase = phaseOf(sale, now, remaining);
    EnumMap<Rejection, Long> counts = new EnumMap<>(Rejection.class);
    for (Rejection r : Rejection.values()) {
      counts.put(r, sale.rejections(r));
    }
    return new SaleSnapshot(sale.sale(), phase, remaining, orders, counts, Instant.ofEpochMilli(now));
  }

  /**
   * Asks every shard to store its outbox in the {@link OrderSink} now, without waiting for a batch
   * to fill. The future completes once every order confirmed before this call is stored (or, if
   * the sink refused it for good, dead-lettered: see {@link #deadLetteredOrders()}); at once if
   * no sink is configured. It completes exceptionally if the engine closes first.
   */
  public CompletableFuture<Void> flush() {
    CompletableFuture<?>[] all = new CompletableFuture<?>[shards.length];
    for (int i = 0; i < shards.length; i++) {
      all[i] = shards[i].flush();
    }
    return CompletableFuture.allOf(all);
  }

  /**
   * Confirmed orders not yet stored in the sink, over all shards (with no sink: every order
   * since the data directory was created). Safe from any thread.
   */
  public long outboxSize() {
    long total = 0;
    for (Shard shard : shards) {
      total += shard.ledger().outboxSize();
    }
    return total;
  }

  /**
   * Confirmed orders the {@link OrderSink} refused for good ({@link
   * dev.seckill.spi.PermanentSinkException}) and that were parked in the dead-letter files
   * ({@code shard-N/dead-letters.jsonl} in the data directory) instead, over all shards, since
   * the files were created; see docs/persistence.md. Safe from any thread.
   */
  public long deadLetteredOrders() {
    long total = 0;
    for (Shard shard : shards) {
      total += shard.deadLetteredOrders();
    }
    return total;
  }

  /** The sales this engine knows, registered now or restored from the data directory. */
  public List<Sale> sales() {
    List<Sale> list = new ArrayList<>();
    for (SaleState s : sales.values()) {
      list.add(s.sale());
    }
    return list;
  }

  /** The engine's clock: the one source of time for sale windows. */
  public Clock clock() {
    return clock;
  }

  /** True once {@link #close()} has begun. */
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
    closed = true; // volatile store: no submitter that reads it afterwards will publish
    while (publishing.sum() != 0) {
      Thread.onSpinWait(); // a submitter is between its check and its publish; it finishes soon
    }
    IOException failure = null;
    long deadline = System.nanoTime() + closeTimeout.toNanos();
    for (Shard shard : shards) {
      try {
        shard.close(Math.max(0, deadline - System.nanoTime()));
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (sink != null) {
      try {
        sink.close();
      } catch (Exception e) {
        IOException wrapped = new IOException("the order sink failed to close", e);
        if (failure == null) {
          failure = wrapped;
        } else {
          failure.addSuppressed(wrapped);
        }
      }
    }
    dataDir.close();
    if (failure != null) {
      throw new UncheckedIOException("could not close the ledger cleanly; the next open recovers", failure);
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the seckill engine is closed");
    }
  }

  private Shard shardFor(String saleId) {
    return shards[shardIndex(saleId, shards.length)];
  }

  /** Sales map to shards by their id's String hash, which Java specifies and so never changes. */
  static int shardIndex(String saleId, int shardCount) {
    int h = saleId.hashCode();
    return Math.floorMod(h ^ (h >>> 16), shardCount);
  }

  /** Test and tooling access to the shards; not part of the API. */
  Shard[] shards() {
    return shards;
  }

  /** Test and tooling access to a sale's live state (counters, units in flight); not API. */
  SaleState saleState(String saleId) {
    return requireSale(saleId);
  }

  /**
   * Configures a {@link SeckillEngine}. Each setter rejects a bad value at once with an
   * {@link IllegalArgumentException} naming the setting and the value, and a second call with an
   * {@link IllegalStateException}; {@link #build()} checks what depends on other settings, the
   * data directory and the JVM. Not thread-safe.
   */
  public static final class Builder {
    static final int DEFAULT_RING_SIZE = 1 << 14;
    static final long DEFAULT_MAX_USERS = 1_000_000;
    static final long DEFAULT_OUTBOX_CAPACITY = 1_000_000;
    static final int DEFAULT_MAX_SALES = 1024;
    static final int DEVELOPMENT_RING_SIZE = 1 << 10;
    static final long DEVELOPMENT_MAX_USERS = 10_000;
    static final long DEVELOPMENT_OUTBOX_CAPACITY = 10_000;
    static final int DEVELOPMENT_MAX_SALES = 16;

    private Path dataDir;
    private Clock clock;
    private int shards = -1;
    private int ringSize = -1;
    private IdleStrategy idleStrategy;
    private long maxUsersPerShard = -1;
    private long outboxCapacityPerShard = -1;
    private int maxSalesPerShard = -1;
    private OrderSink orderSink;
    private int flushBatchSize = -1;
    private Duration flushMaxDelay;
    private Duration flushInitialBackoff;
    private Duration flushMaxBackoff;
    private Durability durability;
    private Duration closeTimeout;
    private AdmissionSettings admission;
    private boolean developmentDefaults;

    private Builder() {}

    /**
     * Small sizes for a hello world, a unit test or a laptop: a ring of 1024 slots,
     * 10,000 buyers, 10,000 undrained orders and 16 sales per shard, so the ledger files take a few
     * megabytes instead of the production defaults' hundreds. A size set explicitly wins, whatever
     * the order of the calls. Sizes are fixed when the data directory is created, so a directory
     * created with this preset keeps its small bounds: use a fresh directory for production.
     */
    public Builder developmentDefaults() {
      requireUnset(!developmentDefaults, "developmentDefaults", true);
      developmentDefaults = true;
      return this;
    }

    /** Where the ledger files live; required. Created if absent. One engine per directory. */
    public Builder dataDir(Path dataDir) {
      requireUnset(this.dataDir == null, "dataDir", this.dataDir);
      this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
      return this;
    }

    /** The clock for sale windows and confirmation times; defaults to {@code Clock.systemUTC()}. */
    public Builder clock(Clock clock) {
      requireUnset(this.clock == null, "clock", this.clock);
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Number of shards, each with its own ring and writer thread; sales spread over them by id.
     * Default 1, range 1..64. Fixed when the data directory is created.
     */
    public Builder shards(int shards) {
      requireUnset(this.shards == -1, "shards", this.shards);
      this.shards = (int) requireBetween("shards", shards, 1, 64);
      return this;
    }

    /**
     * Slots in each shard's ring: requests admitted but not yet answered. A full ring answers
     * {@link Rejection#OVERLOADED}. Default 16384; a power of two from 64 to 2^24.
     */
    public Builder ringSize(int ringSize) {
      requireUnset(this.ringSize == -1, "ringSize", this.ringSize);
      if (ringSize < 64 || ringSize > (1 << 24) || Integer.bitCount(ringSize) != 1) {
        throw new IllegalArgumentException(
            "ringSize must be a power of two between 64 and 16777216, was " + ringSize);
      }
      this.ringSize = ringSize;
      return this;
    }

    /** How the ledger and responder threads wait for work; default {@link IdleStrategy#BLOCKING}. */
    public Builder idleStrategy(IdleStrategy idleStrategy) {
      requireUnset(this.idleStrategy == null, "idleStrategy", this.idleStrategy);
      this.idleStrategy = Objects.requireNonNull(idleStrategy, "idleStrategy");
      return this;
    }

    /**
     * Distinct (sale, user) pairs one shard records; a new buyer beyond it is refused with
     * {@link Rejection#OVERLOADED}, buyers already recorded are unaffected. The map also has a
     * byte budget: with user ids averaging over about 40 characters fewer buyers fit, and the
     * rest get {@code OVERLOADED} too. Default 1,000,000; at least 16. Fixed when the data
     * directory is created: it sizes {@code users.cm3}, about 108 bytes per user, allocated in
     * full at creation (docs/design.md, Disk use).
     */
    public Builder maxUsersPerShard(long maxUsersPerShard) {
      requireUnset(this.maxUsersPerShard == -1, "maxUsersPerShard", this.maxUsersPerShard);
      this.maxUsersPerShard = requireBetween("maxUsersPerShard", maxUsersPerShard, 16, 1L << 32);
      return this;
    }

    /**
     * Confirmed orders one shard's outbox holds until persistence drains them; beyond it new
     * orders are refused with {@link Rejection#OVERLOADED}, as they are when the outbox's byte
     * budget is spent (long user ids). Default 1,000,000; at least 16. Fixed when the data
     * directory is created: it sizes {@code outbox.cm3}, about 163 bytes per order, allocated in
     * full at creation.
     */
    public Builder outboxCapacityPerShard(long outboxCapacityPerShard) {
      requireUnset(this.outboxCapacityPerShard == -1, "outboxCapacityPerShard", this.outboxCapacityPerShard);
      this.outboxCapacityPerShard =
          requireBetween("outboxCapacityPerShard", outboxCapacityPerShard, 16, 1L << 32);
      return this;
    }

    /** Sales one shard can hold. Default 1024, range 1..1,000,000. Fixed at creation. */
    public Builder maxSalesPerShard(int maxSalesPerShard) {
      requireUnset(this.maxSalesPerShard == -1, "maxSalesPerShard", this.maxSalesPerShard);
      this.maxSalesPerShard = (int) requireBetween("maxSalesPerShard", maxSalesPerShard, 1, 1_000_000);
      return this;
    }

    /**
     * Where confirmed orders are stored, in batches, by each shard's flusher thread; optional.
     * Without a sink, orders stay in the ledger's outbox (bounded by
     * {@link #outboxCapacityPerShard}). The engine closes the sink when it closes.
     */
    public Builder orderSink(OrderSink orderSink) {
      requireUnset(this.orderSink == null, "orderSink", this.orderSink);
      this.orderSink = Objects.requireNonNull(orderSink, "orderSink");
      return this;
    }

    /** The most orders per {@link OrderSink#store} call. Default 1000, range 1..100,000. */
    public Builder flushBatchSize(int flushBatchSize) {
      requireUnset(this.flushBatchSize == -1, "flushBatchSize", this.flushBatchSize);
      this.flushBatchSize = (int) requireBetween("flushBatchSize", flushBatchSize, 1, 100_000);
      return this;
    }

    /**
     * How long a confirmed order may wait for its batch to fill before it is stored anyway.
     * Default 20 ms, range 1 ms..1 min. A mechanical delay, measured with {@code System.nanoTime}.
     */
    public Builder flushMaxDelay(Duration flushMaxDelay) {
      requireUnset(this.flushMaxDelay == null, "flushMaxDelay", this.flushMaxDelay);
      requireBetween("flushMaxDelay", flushMaxDelay, Duration.ofMillis(1), Duration.ofMinutes(1));
      this.flushMaxDelay = flushMaxDelay;
      return this;
    }

    /**
     * The capped exponential backoff between failed stores: the first wait, doubled per failure
     * up to the cap. Default 10 ms up to 5 s; each between 1 ms and 10 min, initial at most max.
     */
    public Builder flushRetryBackoff(Duration initial, Duration max) {
      requireUnset(this.flushInitialBackoff == null, "flushRetryBackoff", this.flushInitialBackoff);
      requireBetween("flushRetryBackoff initial", initial, Duration.ofMillis(1), Duration.ofMinutes(10));
      requireBetween("flushRetryBackoff max", max, Duration.ofMillis(1), Duration.ofMinutes(10));
      if (initial.compareTo(max) > 0) {
        throw new IllegalArgumentException("flushRetryBackoff initial must be at most max, was initial="
            + initial + " max=" + max);
      }
      this.flushInitialBackoff = initial;
      this.flushMaxBackoff = max;
      return this;
    }

    /** When confirmations are delivered; default {@link Durability#LEDGER}. */
    public Builder durability(Durability durability) {
      requireUnset(this.durability == null, "durability", this.durability);
      this.durability = Objects.requireNonNull(durability, "durability");
      return this;
    }

    /**
     * How long {@link SeckillEngine#close()} lets the flushers store the outbox before closing
     * anyway. Default 10 s, range 0..1 h.
     */
    public Builder closeTimeout(Duration closeTimeout) {
      requireUnset(this.closeTimeout == null, "closeTimeout", this.closeTimeout);
      requireBetween("closeTimeout", closeTimeout, Duration.ZERO, Duration.ofHours(1));
      this.closeTimeout = closeTimeout;
      return this;
    }

    /**
     * Admission and anti-abuse: purchase tokens, throttles, blocks, the admission cap and the
     * application's policy. Default {@link AdmissionSettings#permissive()}: no throttles, no
     * automatic blocks, no cap; tokens (with a random secret) and manual blocks work.
     */
    public Builder admission(AdmissionSettings admission) {
      requireUnset(this.admission == null, "admission", this.admission);
      this.admission = Objects.requireNonNull(admission, "admission");
      return this;
    }

    private static long requireBetween(String setting, long value, long min, long max) {
      if (value < min || value > max) {
        throw new IllegalArgumentException(
            setting + " must be between " + min + " and " + max + ", was " + value);
      }
      return value;
    }

    private static void requireBetween(String setting, Duration value, Duration min, Duration max) {
      Objects.requireNonNull(value, setting);
      if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
        throw new IllegalArgumentException(
            setting + " must be between " + min + " and " + max + ", was " + value);
      }
    }

    /**
     * Opens the data directory (recovering it after an unclean stop), starts the shards and
     * returns the running engine.
     *
     * @throws IllegalArgumentException if {@code dataDir} is missing, or durability PERSISTED is
     *     chosen without an orderSink
     * @throws IllegalStateException if the JVM lacks the flags Chronicle Map needs (the message
     *     lists them), another engine holds the data directory, or a setting fixed at creation
     *     differs from the one the directory was created with
     * @throws UncheckedIOException if the ledger files cannot be opened, or the disk lacks room
     *     to create them (they are allocated in full at creation; the message names the
     *     directory, the bytes needed and the bytes free)
     */
    public SeckillEngine build() {
      if (dataDir == null) {
        throw new IllegalArgumentException("dataDir is required: call dataDir(Path) before build()");
      }
      Durability mode = durability == null ? Durability.LEDGER : durability;
      if (mode == Durability.PERSISTED && orderSink == null) {
        throw new IllegalArgumentException(
            "durability PERSISTED needs an orderSink: call orderSink(OrderSink) before build()");
      }
      JvmFlags.requirePresent();
      if (clock == null) {
        clock = Clock.systemUTC();
      }
      AdmissionSettings admissionSettings = admission == null ? AdmissionSettings.permissive() : admission;
      Admission checks = new Admission(admissionSettings, admissionSettings.tokenSecret(), clock,
          ForkJoinPool.commonPool());
      int shardCount = shards == -1 ? 1 : shards;
      boolean small = developmentDefaults;
      int ring = ringSize != -1 ? ringSize : small ? DEVELOPMENT_RING_SIZE : DEFAULT_RING_SIZE;
      IdleStrategy idle = idleStrategy == null ? IdleStrategy.BLOCKING : idleStrategy;
      long maxUsers = maxUsersPerShard != -1 ? maxUsersPerShard
          : small ? DEVELOPMENT_MAX_USERS : DEFAULT_MAX_USERS;
      long outbox = outboxCapacityPerShard != -1 ? outboxCapacityPerShard
          : small ? DEVELOPMENT_OUTBOX_CAPACITY : DEFAULT_OUTBOX_CAPACITY;
      int maxSales = maxSalesPerShard != -1 ? maxSalesPerShard
          : small ? DEVELOPMENT_MAX_SALES : DEFAULT_MAX_SALES;

      FlushSettings flush = orderSink == null ? null : new FlushSettings(orderSink,
          flushBatchSize == -1 ? 1000 : flushBatchSize,
          flushMaxDelay == null ? Duration.ofMillis(20) : flushMaxDelay,
          flushInitialBackoff == null ? Duration.ofMillis(10) : flushInitialBackoff,
          flushMaxBackoff == null ? Duration.ofSeconds(5) : flushMaxBackoff,
          mode);

      Map<String, String> fixed = new LinkedHashMap<>();
      fixed.put("shards", Integer.toString(shardCount));
      fixed.put("maxUsersPerShard", Long.toString(maxUsers));
      fixed.put("outboxCapacityPerShard", Long.toString(outbox));
      fixed.put("maxSalesPerShard", Integer.toString(maxSales));

      requireDiskSpace(shardCount, maxUsers, outbox, maxSales);
      DataDirectory dir;
      try {
        dir = DataDirectory.open(dataDir, fixed);
      } catch (IOException e) {
        throw new UncheckedIOException("could not open dataDir " + dataDir, e);
      }
      Shard[] started = new Shard[shardCount];
      try {
        for (int i = 0; i < shardCount; i++) {
          StockLedger ledger = StockLedger.open(new LedgerConfig(
              dir.shardDirectory(i), i, shardCount, maxUsers, outbox, maxSales, clock));
          try {
            started[i] = Shard.start(i, ledger, ring, idle, flush);
          } catch (RuntimeException e) {
            ledger.close();
            throw e;
          }
        }
      } catch (IOException | RuntimeException e) {
        for (Shard s : started) {
          if (s != null) {
            try {
              s.close();
            } catch (IOException | RuntimeException suppressed) {
              e.addSuppressed(suppressed);
            }
          }
        }
        dir.close();
        if (e instanceof IOException) {
          throw new UncheckedIOException("could not open the ledger in " + dataDir + ": "
              + e.getMessage(), (IOException) e);
        }
        throw (RuntimeException) e;
      }
      return new SeckillEngine(this, dir, started,
          closeTimeout == null ? Duration.ofSeconds(10) : closeTimeout, checks);
    }

    /**
     * Before creating anything: the files of every shard still to be created are allocated in
     * full, so the disk must hold them all now (docs/design.md, Disk use).
     */
    private void requireDiskSpace(int shardCount, long maxUsers, long outbox, int maxSales) {
      long needed = 0;
      for (int i = 0; i < shardCount; i++) {
        long shard = StockLedger.bytesToCreate(new LedgerConfig(
            DataDirectory.shardDirectory(dataDir, i), i, shardCount, maxUsers, outbox, maxSales, clock));
        if (shard < 0) {
          return; // this Chronicle version hides its sizing; each shard's creation still checks
        }
        needed += shard;
      }
      try {
        StockLedger.requireSpace(dataDir, needed, "the ledger files of " + shardCount
            + (shardCount == 1 ? " shard" : " shards"));
      } catch (IOException e) {
        throw new UncheckedIOException(e.getMessage(), e);
      }
    }

    private static void requireUnset(boolean unset, String setting, Object current) {
      if (!unset) {
        throw new IllegalStateException(setting + " was already set to " + current);
      }
    }
  }
}
