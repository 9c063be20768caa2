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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seckill.spi.InMemoryStockCoordinator;
import dev.seckill.spi.Lease;
import dev.seckill.spi.OrderSink;
import dev.seckill.spi.StockCoordinator;
import dev.seckill.spi.VoidedOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reservations ({@code payWithin}) in cluster mode, over an {@link InMemoryStockCoordinator}: a
 * reservation settles like an order; paying it changes its state only; a cancelled or expired
 * one gives its units back to the coordinator's pool (not to the node's lease), from where any
 * node leases them again; a voided one ends locally.
 */
class ClusterReservationTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");
  static final Instant END = START.plus(Duration.ofHours(1));
  static final Duration PAY_WITHIN = Duration.ofMinutes(1);

  @TempDir Path dir;
  /** The engines' clock: reservations fall due by it. */
  final MutableClock clock = new MutableClock(START);
  /** The coordinator's own clock (a database's now), which the test leaves alone. */
  final InMemoryStockCoordinator coordinator =
      new InMemoryStockCoordinator(new MutableClock(START));

  /** Renewals every 200 ms: units given back to the pool are seen quickly. */
  Cluster cluster() {
    return Cluster.builder(coordinator).leaseTtl(Duration.ofMillis(600)).initialChunk(10).build();
  }

  SeckillEngine engine(String name, Cluster cluster) {
    return SeckillEngine.builder().developmentDefaults().dataDir(dir.resolve(name)).clock(clock)
        .durability(Durability.PERSISTED).cluster(cluster)
        .reservationTickInterval(Duration.ofMillis(5)).build();
  }

  static Sale reservations(long stock, int limit) {
    return Sale.builder("s").stock(stock).startsAt(START).endsAt(END).limitPerUser(limit)
        .payWithin(PAY_WITHIN).build();
  }

  /** Buys until confirmed (a node whose lease is empty refuses while it takes a chunk). */
  static long buy(SeckillEngine e, String user) {
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      PurchaseResult r = e.submit(PurchaseRequest.of("s", user, 1)).join();
      if (r.isConfirmed()) {
        return r.orderId();
      }
      assertThat(r.rejection()).as("refusal of %s", user)
          .isIn(Rejection.LEASED_ELSEWHERE, Rejection.ALL_HELD, Rejection.INSUFFICIENT_STOCK,
              Rejection.COORDINATOR_UNAVAILABLE); // a slow machine may miss a renewal
      if (System.nanoTime() - until > 0) {
        throw new AssertionError(user + " could not buy: " + r.rejection());
      }
      Thread.yield();
    }
  }

  @Test
  void paidReservationsStayAndReleasedOnesGoBackToThePoolAndSellAgain() {
    try (SeckillEngine e = engine("a", cluster())) {
      e.registerSale(reservations(10, 1));
      e.saleState("s").firstLease.join();
      List<Long> ids = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        ids.add(buy(e, "u" + i)); // PERSISTED: settled (stored) before confirmed
      }
      assertThat(coordinator.held("s")).isEqualTo(10);
      assertThat(coordinator.sold("s")).isEqualTo(10);
      assertThat(e.saleView("s").held()).isEqualTo(10);
      // Everything is reserved: the node says so, with a retryable reason, not SOLD_OUT.
      ClusterVoidTest.await("ALL_HELD", () -> e.submit(PurchaseRequest.of("s", "x", 1)).join()
          .rejection() == Rejection.ALL_HELD);
      assertThat(e.saleView("s").phase()).isEqualTo(SalePhase.SOLD_OUT); // as on one node

      for (int i = 0; i < 3; i++) {
        assertThat(e.pay(ids.get(i), "pay-" + i).join().outcome())
            .isEqualTo(OrderTransition.Outcome.APPLIED);
      }
      assertThat(e.cancel(ids.get(3)).join().outcome()).isEqualTo(OrderTransition.Outcome.APPLIED);
      assertThat(e.cancel(ids.get(4)).join().outcome()).isEqualTo(OrderTransition.Outcome.APPLIED);
      e.flush().join();
      assertThat(coordinator.held("s")).isEqualTo(5);
      assertThat(coordinator.released("s")).isEqualTo(2);
      assertThat(coordinator.state(ids.get(0))).isEqualTo(OrderState.PAID);
      assertThat(coordinator.state(ids.get(3))).isEqualTo(OrderState.CANCELLED);
      // The node's own lease did not grow: the 2 units are in the pool until a lease takes them.
      assertThat(e.saleView("s").held()).isEqualTo(5);

      clock.advance(PAY_WITHIN); // the 5 unpaid reservations fall due
      ClusterVoidTest.await("the expiries reach the coordinator",
          () -> coordinator.released("s") == 7);
      assertThat(coordinator.held("s")).isZero();
      assertThat(coordinator.state(ids.get(9))).isEqualTo(OrderState.EXPIRED);
      assertThat(e.saleView("s").held()).isZero();

      // The 7 released units sell again, to new buyers (the limit is not given back: u3, whose
      // reservation was cancelled, is refused whenever the node has a unit to sell).
      for (int i = 10; i < 17; i++) {
        assertThat(e.pay(buy(e, "u" + i), "pay-" + i).join().outcome())
            .isEqualTo(OrderTransition.Outcome.APPLIED);
        assertThat(e.submit(PurchaseRequest.of("s", "u3", 1)).join().rejection())
            .isIn(Rejection.LIMIT_REACHED, Rejection.LEASED_ELSEWHERE, Rejection.ALL_HELD,
                Rejection.COORDINATOR_UNAVAILABLE);
      }
      e.flush().join();
      ClusterVoidTest.await("SOLD_OUT once every unit is paid", () ->
          e.submit(PurchaseRequest.of("s", "y", 1)).join().rejection() == Rejection.SOLD_OUT);
    }
    coordinator.checkConservation();
    assertThat(coordinator.held("s")).isZero();
    assertThat(coordinator.released("s")).isEqualTo(7);
    assertThat(coordinator.sold("s") - coordinator.released("s")).isEqualTo(10); // all paid
    assertThat(coordinator.poolFree("s")).isZero();
    for (int i = 0; i < 17; i++) {
      assertThat(coordinator.units("s", "u" + i)).as("units of u%d", i).isEqualTo(1);
    }
  }

  @Test
  void aReservationVoidedAtSettlementEndsAndCannotBePaid() {
    Cluster cluster = cluster();
    try (SeckillEngine a = engine("a", cluster); SeckillEngine b = engine("b", cluster)) {
      a.registerSale(reservations(20, 1));
      b.registerSale(reservations(20, 1));
      a.saleState("s").firstLease.join();
      b.saleState("s").firstLease.join();
      long ofA = buy(a, "u");
      // pay and cancel go to the node that sold: another node does not know the order
      assertThat(b.pay(ofA, "ref").join().outcome())
          .isEqualTo(OrderTransition.Outcome.UNKNOWN_ORDER);
      // b does not know u: it sells locally, and the coordinator voids the order
      // (the per-user limit across nodes), which u is told as LIMIT_REACHED.
      PurchaseResult second;
      do {
        second = b.submit(PurchaseRequest.of("s", "u", 1)).join();
      } while (second.rejection() == Rejection.LEASED_ELSEWHERE
          || second.rejection() == Rejection.COORDINATOR_UNAVAILABLE);
      assertThat(second.rejection()).isEqualTo(Rejection.LIMIT_REACHED);
      assertThat(coordinator.voids()).hasSize(1);
      long voided = coordinator.voids().keySet().iterator().next();
      assertThat(coordinator.voids().get(voided).reason())
          .isEqualTo(VoidedOrder.Reason.LIMIT_REACHED);
      // Its entry ends (the void reaches b's writer after the buyer's answer): nothing held on
      // b, and paying it is a conflict, not a sale.
      ClusterVoidTest.await("the void reaches b's ledger", () -> b.saleView("s").held() == 0);
      OrderTransition paid = b.pay(voided, "ref").join();
      assertThat(paid.outcome()).isEqualTo(OrderTransition.Outcome.CONFLICT);
      assertThat(paid.state()).isEqualTo(OrderState.VOIDED);
      clock.advance(PAY_WITHIN); // a's reservation of u expires; the voided one gives nothing
      ClusterVoidTest.await("a's expiry reaches the coordinator",
          () -> coordinator.released("s") == 1);
      b.flush().join();
      assertThat(b.pay(voided, "ref").join().state()).isEqualTo(OrderState.VOIDED);
      assertThat(coordinator.released("s")).isEqualTo(1);
      assertThat(coordinator.held("s")).isZero();
    }
    coordinator.checkConservation();
    assertThat(coordinator.sold("s") - coordinator.released("s")).isZero();
  }

  /**
   * The node that stored a cancellation takes the unit back from the pool at once when it runs
   * low, not at its next renewal (20 minutes away here).
   */
  @Test
  @org.junit.jupiter.api.Timeout(value = 120,
      threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
  void aCancelledUnitSellsAgainOnTheSameNodeWithoutWaitingForARenewal() {
    Cluster hourly = Cluster.builder(coordinator).leaseTtl(Duration.ofHours(1)).initialChunk(2)
        .build();
    try (SeckillEngine e = engine("a", hourly)) {
      e.registerSale(reservations(2, 1));
      e.saleState("s").firstLease.join();
      long first = buy(e, "u0");
      buy(e, "u1");
      assertThat(coordinator.poolFree("s")).isZero();
      assertThat(e.cancel(first).join().outcome()).isEqualTo(OrderTransition.Outcome.APPLIED);
      buy(e, "u2"); // the unit came back through the pool; a lost wake-up would hang here
      assertThat(coordinator.released("s")).isEqualTo(1);
    }
    coordinator.checkConservation();
  }

  @Test
  void reservationsOfAnEarlierRunExpireIntoThePoolAfterARestart() {
    List<Long> ids = new ArrayList<>();
    try (SeckillEngine e = engine("a", cluster())) {
      e.registerSale(reservations(10, 1));
      e.saleState("s").firstLease.join();
      for (int i = 0; i < 4; i++) {
        ids.add(buy(e, "u" + i));
      }
      assertThat(e.pay(ids.get(0), "ref").join().outcome())
          .isEqualTo(OrderTransition.Outcome.APPLIED);
    } // closing released the lease: its unsold units are back in the pool
    assertThat(coordinator.activeLeases("s")).isZero();
    assertThat(coordinator.poolFree("s")).isEqualTo(6);
    assertThat(coordinator.held("s")).isEqualTo(3);
    try (SeckillEngine e = engine("a", cluster())) {
      assertThat(e.saleView("s").held()).isEqualTo(3); // restored from the data directory
      e.saleState("s").firstLease.join();
      clock.advance(PAY_WITHIN); // the 3 unpaid reservations of the first run fall due
      ClusterVoidTest.await("their expiries reach the coordinator",
          () -> coordinator.released("s") == 3);
      assertThat(coordinator.held("s")).isZero();
      for (long id : ids.subList(1, 4)) {
        assertThat(coordinator.state(id)).isEqualTo(OrderState.EXPIRED);
      }
      // 9 units sell: the 6 never sold and the 3 given back, whichever lease they come from.
      for (int i = 4; i < 13; i++) {
        assertThat(e.pay(buy(e, "u" + i), "ref-" + i).join().outcome())
            .isEqualTo(OrderTransition.Outcome.APPLIED);
      }
      e.flush().join();
      ClusterVoidTest.await("SOLD_OUT", () ->
          e.submit(PurchaseRequest.of("s", "late", 1)).join().rejection() == Rejection.SOLD_OUT);
    }
    coordinator.checkConservation();
    assertThat(coordinator.sold("s") - coordinator.released("s")).isEqualTo(10);
  }

  @Test
  void releaseRestoresLimitIsRefusedInClusterMode() {
    try (SeckillEngine e = engine("a", cluster())) {
      Sale sale = Sale.builder("s").stock(10).startsAt(START).endsAt(END).limitPerUser(1)
          .payWithin(PAY_WITHIN).releaseRestoresLimit(true).build();
      assertThatThrownBy(() -> e.registerSale(sale))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("releaseRestoresLimit").hasMessageContaining("cluster");
      assertThat(e.sales()).isEmpty();
    }
  }

  @Test
  void aCoordinatorWithoutReservationSupportRefusesAReservationSale() {
    StockCoordinator old = new StockCoordinator() { // implements the methods of before only
      @Override
      public int newNodeId() throws Exception {
        return coordinator.newNodeId();
      }

      @Override
      public void openSale(String saleId, long stock, int limitPerUser) throws Exception {
        coordinator.openSale(saleId, stock, limitPerUser);
      }

      @Override
      public Lease lease(int nodeId, String saleId, int units, Duration ttl) throws Exception {
        return coordinator.lease(nodeId, saleId, units, ttl);
      }

      @Override
      public Lease renew(int nodeId, String saleId, long leaseId, int units, Duration ttl)
          throws Exception {
        return coordinator.renew(nodeId, saleId, leaseId, units, ttl);
      }

      @Override
      public Lease giveBack(int nodeId, String saleId, int units) throws Exception {
        return coordinator.giveBack(nodeId, saleId, units);
      }

      @Override
      public void release(int nodeId, String saleId) throws Exception {
        coordinator.release(nodeId, saleId);
      }

      @Override
      public int reap(Duration grace) throws Exception {
        return coordinator.reap(grace);
      }

      @Override
      public OrderSink sink(int nodeId) {
        return coordinator.sink(nodeId);
      }
    };
    try (SeckillEngine e = engine("a", Cluster.builder(old).build())) {
      assertThatThrownBy(() -> e.registerSale(reservations(10, 1)))
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("reservations").hasMessageContaining("'s'");
      assertThat(e.sales()).isEmpty();
      e.registerSale(Sale.builder("plain").stock(10).startsAt(START).endsAt(END).limitPerUser(1)
          .build());
      assertThat(e.sales()).hasSize(1);
    }
  }
}
