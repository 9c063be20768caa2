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
package dev.seckill.spi;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import dev.seckill.OrderState;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A complete {@link StockCoordinator} held in this JVM: a test fixture, but a real implementation
 * of the SPI's contract, not a mock. Every method, the sinks' {@code storeOrVoid} included, runs
 * under the coordinator's monitor, so each is one atomic transaction; {@link #checkConservation}
 * checks {@code pool free + Σ granted (active) + Σ used (ended) == stock + released} for every
 * sale after each of them (and, for a sale with {@code payWithin}, that {@code held} is the units
 * of its stored reservations not yet paid, cancelled or expired). Lease expiry is judged by a clock the test sets ({@code clock}), like a
 * database's {@code now()}; leases are revoked only by {@link #reap}. The sink of node {@code n}
 * settles each order against node {@code n}'s active lease on the order's sale (fence: the lease
 * must have room, {@code used + q <= granted}), holds the per-user limit across nodes, and
 * remembers each verdict: an order stored or voided once is answered the same way again.
 *
 * <p>Failure injection: {@link #coordinatorDown} makes the lease calls throw (as an unreachable
 * database would), {@link #sinkDown} makes the sinks' stores throw. The test-side views
 * ({@link #stored}, {@link #voids}, {@link #reapNow}...) work in either case.
 */
public final class InMemoryStockCoordinator implements StockCoordinator {
  private final Clock clock;
  private final AtomicInteger nextNodeId;
  private final Map<String, Pool> pools = new HashMap<>();
  private final List<LeaseRow> leases = new ArrayList<>();
  private long nextLeaseId = 1;
  /** Stored orders by id. */
  private final Map<Long, ConfirmedOrder> stored = new HashMap<>();
  /** Node that stored each order. */
  private final Map<Long, Integer> storedBy = new HashMap<>();
  /** Voids by order id. */
  private final Map<Long, VoidedOrder> voids = new HashMap<>();
  /** State versions and states of stored orders that changed (reservations). */
  private final Map<Long, Integer> stateVersions = new HashMap<>();
  private final Map<Long, OrderState> states = new HashMap<>();
  /** Units per (sale, user) across the cluster. */
  private final Map<String, Integer> userUnits = new HashMap<>();
  private volatile boolean coordinatorDown;
  private volatile boolean sinkDown;
  private int storeCalls;
  private int renewCalls;
  private volatile java.util.concurrent.@Nullable CountDownLatch leaseGate;
  private volatile java.util.concurrent.CountDownLatch leaseWaiting =
      new java.util.concurrent.CountDownLatch(0);
  private int leasesCreated;

  /** A coordinator judging expiry by {@code clock}, handing out node ids from 1. */
  public InMemoryStockCoordinator(Clock clock) {
    this(clock, 1);
  }

  /** A coordinator judging expiry by {@code clock}, handing out node ids from {@code firstId}. */
  public InMemoryStockCoordinator(Clock clock, int firstNodeId) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.nextNodeId = new AtomicInteger(firstNodeId);
  }

  private static final class Pool {
    final long stock;
    final int limit;
    final @Nullable Duration payWithin;
    long free;
    /** Units of settled reservations not yet paid, cancelled or expired. */
    long held;
    /** Units of cancelled or expired reservations put back in the pool. */
    long released;
    long starvingVersion;
    int starvedBy;

    Pool(long stock, int limit, @Nullable Duration payWithin) {
      this.stock = stock;
      this.limit = limit;
      this.payWithin = payWithin;
      this.free = stock;
    }
  }

  private static final class LeaseRow {
    final long id;
    final int node;
    final String sale;
    long granted;
    long used;
    boolean active = true;
    long expiresAtMillis;
    long seenStarving;

    LeaseRow(long id, int node, String sale) {
      this.id = id;
      this.node = node;
      this.sale = sale;
    }
  }

  /** Lease calls throw while true. */
  public void coordinatorDown(boolean down) {
    this.coordinatorDown = down;
  }

  /** The sinks' stores throw while true. */
  public void sinkDown(boolean down) {
    this.sinkDown = down;
  }

  private void requireUp() throws java.io.IOException {
    if (coordinatorDown) {
      throw new java.io.IOException("simulated: the coordinator cannot be reached");
    }
  }

  @Override
  public int newNodeId() throws Exception {
    requireUp();
    int id = nextNodeId.getAndIncrement();
    if (id > 32_767) {
      throw new IllegalStateException("out of node ids");
    }
    return id;
  }

  @Override
  public void openSale(String saleId, long stock, int limitPerUser) throws Exception {
    openSale(saleId, stock, limitPerUser, null);
  }

  @Override
  public synchronized void openSale(String saleId, long stock, int limitPerUser,
      @Nullable Duration payWithin) throws Exception {
    requireUp();
    Pool p = pools.get(saleId);
    if (p == null) {
      pools.put(saleId, new Pool(stock, limitPerUser, payWithin));
    } else if (p.stock != stock || p.limit != limitPerUser
        || !Objects.equals(p.payWithin, payWithin)) {
      throw new IllegalStateException("sale '" + saleId + "' is open with stock=" + p.stock
          + ", limitPerUser=" + p.limit + ", payWithin=" + p.payWithin + "; asked stock=" + stock
          + ", limitPerUser=" + limitPerUser + ", payWithin=" + payWithin);
    }
  }

  private Pool pool(String saleId) {
    Pool p = pools.get(saleId);
    if (p == null) {
      throw new IllegalArgumentException("sale '" + saleId + "' was never opened");
    }
    return p;
  }

  private @Nullable LeaseRow active(int node, String saleId) {
    for (LeaseRow l : leases) {
      if (l.active && l.node == node && l.sale.equals(saleId)) {
        return l;
      }
    }
    return null;
  }

  @Override
  public Lease lease(int nodeId, String saleId, int units, Duration ttl) throws Exception {
    java.util.concurrent.CountDownLatch gate = leaseGate;
    if (gate != null) {
      leaseWaiting.countDown();
      gate.await(); // outside the monitor: other calls go on
    }
    return grow(nodeId, saleId, 0, units, ttl);
  }

  /**
   * Makes every {@link #lease} call wait until {@code gate} opens (null: none wait);
   * {@code waiting} counts down as each call starts waiting.
   */
  public void holdLeases(java.util.concurrent.@Nullable CountDownLatch gate,
      java.util.concurrent.CountDownLatch waiting) {
    this.leaseWaiting = waiting;
    this.leaseGate = gate;
  }

  @Override
  public synchronized Lease renew(int nodeId, String saleId, long leaseId, int units,
      Duration ttl) throws Exception {
    if (leaseId <= 0) {
      throw new IllegalArgumentException("leaseId must be positive, was " + leaseId);
    }
    Lease answer = grow(nodeId, saleId, leaseId, units, ttl);
    renewCalls++;
    return answer;
  }

  private synchronized Lease grow(int nodeId, String saleId, long expected, int units,
      Duration ttl)
      throws Exception {
    requireUp();
    Pool p = pool(saleId);
    LeaseRow l = active(nodeId, saleId);
    if (expected != 0 && (l == null || l.id != expected)) {
      return none(p, saleId);
    }
    if (l == null) {
      leasesCreated++;
      l = new LeaseRow(nextLeaseId++, nodeId, saleId);
      l.seenStarving = p.starvingVersion;
      leases.add(l);
    }
    long moved = Math.min(Math.max(0, units), p.free);
    p.free -= moved;
    l.granted += moved;
    if (moved < units) {
      p.starvingVersion++;
      p.starvedBy = nodeId;
    }
    l.expiresAtMillis = clock.millis() + ttl.toMillis();
    checkConservation();
    return answer(p, l);
  }

  private Lease answer(Pool p, LeaseRow l) {
    long elsewhere = 0;
    int nodes = 0;
    for (LeaseRow o : leases) {
      if (o.active && o.sale.equals(l.sale)) {
        nodes++;
        if (o != l) {
          elsewhere += o.granted - o.used;
        }
      }
    }
    boolean starving = p.starvingVersion > l.seenStarving && p.starvedBy != l.node;
    l.seenStarving = p.starvingVersion;
    return new Lease(l.active ? l.id : 0, l.active, l.active ? l.granted : 0,
        l.active ? l.used : 0, p.free, elsewhere, nodes, starving, p.held);
  }

  private Lease none(Pool p, String saleId) {
    long elsewhere = 0;
    int nodes = 0;
    for (LeaseRow o : leases) {
      if (o.active && o.sale.equals(saleId)) {
        nodes++;
        elsewhere += o.granted - o.used;
      }
    }
    return new Lease(0, false, 0, 0, p.free, elsewhere, nodes, false, p.held);
  }

  @Override
  public synchronized Lease giveBack(int nodeId, String saleId, int units) throws Exception {
    requireUp();
    Pool p = pool(saleId);
    LeaseRow l = active(nodeId, saleId);
    if (l == null) {
      return none(p, saleId);
    }
    long back = Math.min(Math.max(0, units), l.granted - l.used);
    l.granted -= back;
    p.free += back;
    checkConservation();
    return answer(p, l);
  }

  @Override
  public synchronized void release(int nodeId, String saleId) throws Exception {
    requireUp();
    Pool p = pool(saleId);
    LeaseRow l = active(nodeId, saleId);
    if (l != null) {
      end(p, l);
    }
    checkConservation();
  }

  private static void end(Pool p, LeaseRow l) {
    p.free += l.granted - l.used;
    l.active = false;
  }

  @Override
  public synchronized int reap(Duration grace) throws Exception {
    requireUp();
    return reapNow(grace);
  }

  /** {@link #reap}, whether or not the coordinator is "down": the test's own hand. */
  public synchronized int reapNow(Duration grace) {
    long now = clock.millis();
    int n = 0;
    for (LeaseRow l : leases) {
      if (l.active && now > l.expiresAtMillis + grace.toMillis()) {
        end(pools.get(l.sale), l);
        n++;
      }
    }
    checkConservation();
    return n;
  }

  @Override
  public OrderSink sink(int nodeId) {
    return new OrderSink() {
      @Override
      public void store(List<ConfirmedOrder> batch) {
        throw new UnsupportedOperationException("the fenced sink answers storeOrVoid only");
      }

      @Override
      public List<VoidedOrder> storeOrVoid(List<ConfirmedOrder> batch) throws Exception {
        return settle(nodeId, batch);
      }

      @Override
      public void storeStateChanges(List<OrderStateChange> changes) throws Exception {
        settleChanges(changes);
      }
    };
  }

  /**
   * Reservation state changes: version-gated per order; a change of an order never stored (voided)
   * moves nothing; PAID lowers held; CANCELLED and EXPIRED lower held and put the units back in
   * the pool (released).
   */
  private synchronized void settleChanges(List<OrderStateChange> changes) throws Exception {
    if (sinkDown) {
      throw new java.io.IOException("simulated: the sink's database cannot be reached");
    }
    for (OrderStateChange ch : changes) {
      ConfirmedOrder o = stored.get(ch.orderId());
      if (o == null || stateVersions.getOrDefault(ch.orderId(), 1) >= ch.version()) {
        continue;
      }
      stateVersions.put(ch.orderId(), ch.version());
      states.put(ch.orderId(), ch.state());
      Pool p = pool(o.saleId());
      if (p.payWithin == null) {
        continue;
      }
      p.held -= o.quantity();
      if (ch.state() != OrderState.PAID) {
        p.free += o.quantity();
        p.released += o.quantity();
      }
      if (p.held < 0) {
        throw new AssertionError("held went below 0 for sale '" + o.saleId() + "'");
      }
    }
    checkConservation();
  }

  private synchronized List<VoidedOrder> settle(int node, List<ConfirmedOrder> batch)
      throws Exception {
    if (sinkDown) {
      throw new java.io.IOException("simulated: the sink's database cannot be reached");
    }
    storeCalls++;
    List<VoidedOrder> out = new ArrayList<>();
    for (ConfirmedOrder o : batch) {
      if (stored.containsKey(o.orderId())) {
        continue;
      }
      VoidedOrder done = voids.get(o.orderId());
      if (done != null) {
        out.add(done);
        continue;
      }
      Pool p = pool(o.saleId());
      LeaseRow l = active(node, o.saleId());
      String userKey = o.saleId() + '\u0000' + o.userId();
      int had = userUnits.getOrDefault(userKey, 0);
      VoidedOrder.Reason why = null;
      if (l == null || l.used + o.quantity() > l.granted) {
        why = VoidedOrder.Reason.LEASE_LOST;
      } else if (had + o.quantity() > p.limit) {
        why = VoidedOrder.Reason.LIMIT_REACHED;
      }
      if (why != null) {
        VoidedOrder v = new VoidedOrder(o.orderId(), why);
        voids.put(o.orderId(), v);
        out.add(v);
        continue;
      }
      stored.put(o.orderId(), o);
      storedBy.put(o.orderId(), node);
      userUnits.put(userKey, had + o.quantity());
      l.used += o.quantity();
      if (p.payWithin != null) {
        p.held += o.quantity();
      }
    }
    checkConservation();
    return out;
  }

  /**
   * Checks the conservation law for every sale.
   *
   * @throws AssertionError if it does not hold
   */
  public synchronized void checkConservation() {
    for (Map.Entry<String, Pool> e : pools.entrySet()) {
      long total = e.getValue().free;
      for (LeaseRow l : leases) {
        if (l.sale.equals(e.getKey())) {
          total += l.active ? l.granted : l.used;
        }
      }
      if (e.getValue().payWithin != null) {
        long unchanged = 0; // stored reservations not yet paid, cancelled or expired
        for (ConfirmedOrder o : stored.values()) {
          if (o.saleId().equals(e.getKey()) && !states.containsKey(o.orderId())) {
            unchanged += o.quantity();
          }
        }
        if (unchanged != e.getValue().held) {
          throw new AssertionError("held " + e.getValue().held + " for sale '" + e.getKey()
              + "' but its stored unchanged reservations hold " + unchanged);
        }
      }
      if (total != e.getValue().stock + e.getValue().released) {
        throw new AssertionError("conservation broken for sale '" + e.getKey() + "': free + leased"
            + " + used = " + total + ", stock " + e.getValue().stock + " + released "
            + e.getValue().released);
      }
    }
  }

  /** Orders stored, by id (a copy). */
  public synchronized Map<Long, ConfirmedOrder> stored() {
    return new HashMap<>(stored);
  }

  /** Voids, by order id (a copy). */
  public synchronized Map<Long, VoidedOrder> voids() {
    return new HashMap<>(voids);
  }

  /** Units settled as sold for {@code saleId}: Σ used over its leases. */
  public synchronized long sold(String saleId) {
    long used = 0;
    for (LeaseRow l : leases) {
      if (l.sale.equals(saleId)) {
        used += l.used;
      }
    }
    return used;
  }

  /** Units of {@code saleId}'s settled reservations not yet paid, cancelled or expired. */
  public synchronized long held(String saleId) {
    return pool(saleId).held;
  }

  /** Units of {@code saleId}'s cancelled or expired reservations put back in the pool. */
  public synchronized long released(String saleId) {
    return pool(saleId).released;
  }

  /** The state of stored order {@code orderId} after the changes applied; null if none. */
  public synchronized @Nullable OrderState state(long orderId) {
    return states.get(orderId);
  }

  /** Units of {@code saleId} in the pool. */
  public synchronized long poolFree(String saleId) {
    return pool(saleId).free;
  }

  /** Active leases on {@code saleId}. */
  public synchronized int activeLeases(String saleId) {
    int n = 0;
    for (LeaseRow l : leases) {
      if (l.active && l.sale.equals(saleId)) {
        n++;
      }
    }
    return n;
  }

  /** Units of {@code userId} stored in {@code saleId}. */
  public synchronized int units(String saleId, String userId) {
    return userUnits.getOrDefault(saleId + '\u0000' + userId, 0);
  }

  /** Successful store calls so far. */
  public synchronized int storeCalls() {
    return storeCalls;
  }

  /** Calls of {@link #renew} answered so far (the named lease renewed or not). */
  public synchronized int renewCalls() {
    return renewCalls;
  }

  /** Leases created so far, on every sale and node. */
  public synchronized int leasesCreated() {
    return leasesCreated;
  }
}
