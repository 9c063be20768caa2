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
package dev.seckill.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seckill.OrderState;
import dev.seckill.spi.ConfirmedOrder;
import dev.seckill.spi.Lease;
import dev.seckill.spi.OrderSink;
import dev.seckill.spi.OrderStateChange;
import dev.seckill.spi.PermanentSinkException;
import dev.seckill.spi.VoidedOrder;
import dev.seckill.spi.VoidedOrder.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link JdbcStockCoordinator}, each method on each real database: H2 always, PostgreSQL and
 * MariaDB when their URLs are set (see {@link TestDatabases}).
 */
@Tag("slow")
class JdbcStockCoordinatorTest {
  private static final String P = "cjt_";
  private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");
  private static final Duration TTL = Duration.ofMinutes(5);

  private static ConfirmedOrder order(long id, String sale, String user, int quantity) {
    return new ConfirmedOrder(id, sale, user, quantity, T0.plusMillis(id & 0xFFFF));
  }

  private static long id(int node, long local) {
    return ((long) node << 48) | local;
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void nodeIdsAreUniqueUnderConcurrency(Dialect dialect) throws Exception {
    try (CoordinatorDb db = CoordinatorDb.open(dialect, P, 10);
        JdbcStockCoordinator c = db.coordinator()) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<List<Integer>>> futures = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          futures.add(pool.submit(() -> {
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < 25; i++) {
              ids.add(c.newNodeId());
            }
            return ids;
          }));
        }
        Set<Integer> all = new HashSet<>();
        for (Future<List<Integer>> f : futures) {
          for (int id : f.get(60, TimeUnit.SECONDS)) {
            assertThat(all.add(id)).as("node id %d handed out twice", id).isTrue();
            assertThat(id).isBetween(1, 32_767);
          }
        }
        assertThat(all).hasSize(200);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void nodeIdsEndAt32767(Dialect dialect) throws Exception {
    try (CoordinatorDb db = CoordinatorDb.open(dialect, P, 2);
        JdbcStockCoordinator c = db.coordinator()) {
      assertThat(c.newNodeId()).isOne();
      switch (dialect) {
        case POSTGRESQL:
          TestDatabases.exec(db.ds, "ALTER SEQUENCE " + P + "node_seq RESTART WITH 32767");
          break;
        case MYSQL:
          TestDatabases.exec(db.ds, "ALTER TABLE " + P + "nodes AUTO_INCREMENT = 32767");
          break;
        default:
          TestDatabases.exec(db.ds, "ALTER TABLE " + P + "nodes ALTER COLUMN node_id"
              + " RESTART WITH 32767");
          break;
      }
      assertThat(c.newNodeId()).isEqualTo(32_767);
      for (int i = 0; i < 2; i++) {
        assertThatThrownBy(c::newNodeId).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("no node id left").hasMessageContaining("32767");
      }
      assertThat(db.scalar("SELECT COUNT(*) FROM " + P + "nodes")).isEqualTo(2);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void openSaleIsIdempotentAndRefusesOtherFigures(Dialect dialect) throws Exception {
    try (CoordinatorDb db = CoordinatorDb.open(dialect, P, 4);
        JdbcStockCoordinator c = db.coordinator()) {
      c.openSale("s", 100, 3);
      c.openSale("s", 100, 3);
      assertThat(db.figures("s")).isEqualTo(new CoordinatorDb.Figures(100, 100, 0, 0, 0, 0, 0));
      assertThatThrownBy(() -> c.openSale("s", 99, 3))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("stock 100").hasMessageContaining("stock 99");
      assertThatThrownBy(() -> c.openSale("s", 100, 4))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("limitPerUser 3").hasMessageContaining("limitPerUser 4");
      assertThatThrownBy(() -> c.openSale("t", 0, 1))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stock");
      assertThatThrownBy(() -> c.openSale("t", 1, 0))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limitPerUser");
    }
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void leaseTakesFromThePoolGrowsAndSeesTheOthers(Dialect dialect) throws Exception {
    try (CoordinatorDb db = CoordinatorDb.open(dialect, P, 4);
        JdbcStockCoordinator c = db.coordinator()) {
      c.openSale("s", 100, 3);
      Lease a = c.lease(1, "s", 30, TTL);
      assertThat(a.active()).isTrue();
      assertThat(a.leaseId()).isPositive();
      assertThat(a.granted()).isEqualTo(30);
      assertThat(a.used()).isZero();
      assertThat(a.poolFree()).isEqualTo(70);
      assertThat(a.leasedElsewhere()).isZero();
      assertThat(a.activeNodes()).isEqualTo(1);
      assertThat(a.starving()).isFalse();

      Lease renewed = c.lease(1, "s", 0, TTL);
      assertThat(renewed.leaseId()).isEqualTo(a.leaseId());
      assertThat(renewed.granted()).isEqualTo(30);
      Lease grown = c.lease(1, "s", 10, TTL);
      assertThat(grown.leaseId()).isEqualTo(a.leaseId());
      assertThat(grown.granted()).isEqualTo(40);
      assertThat(grown.poolFree()).isEqualTo(60);

      Lease b = c.lease(2, "s", 50, TTL);
      assertThat(b.leaseId()).isNotEqualTo(a.leaseId());
      assertThat(b.granted()).isEqualTo(50);
      assertThat(b.leasedElsewhere()).isEqualTo(40);
      assertThat(b.activeNodes()).isEqualTo(2);

      // Node 3 asks for more than is left: gets 10, and the others are told it starves.
      Lease starved = c.lease(3, "s", 25, TTL);
      assertThat(starved.granted()).isEqualTo(10);
      assertThat(starved.poolFree()).isZero();
      assertThat(starved.starving()).isFalse(); // its own starvation is not news to it
      assertThat(starved.soldOut()).isFalse();
      Lease told = c.lease(1, "s", 0, TTL);
      assertThat(told.starving()).isTrue();
      assertThat(told.leasedElsewhere()).isEqualTo(60);
      assertThat(told.activeNodes()).isEqualTo(3);
      c.giveBack(1, "s", 15);
      assertThat(c.lease(3, "s", 15, TTL).granted()).isEqualTo(25); // satisfied now
      assertThat(c.lease(1, "s", 0, TTL).starving()).isFalse();
      assertThat(db.figures("s").conserved()).isTrue();

      assertThatThrownBy(() -> c.lease(1, "nope", 1, TTL))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope")
          .hasMessageContaining("openSale");
      assertThatThrownBy(() -> c.lease(0, "s", 1, TTL))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nodeId");
      assertThatThrownBy(() -> c.lease(1, "s", -1, TTL))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("units");
      assertThatThrownBy(() -> c.lease(1, "s", 1, Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
    }
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void oneActiveLeasePerSaleAndNodeEvenUnderConcurrentCalls(Dialect dialect) throws Exception {
    try (CoordinatorDb db = CoordinatorDb.open(dialect, P, 10);
        JdbcStockCoordinator c = db.coordinator()) {
      c.openSale("s", 1000, 3);
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<Lease>> futures = new ArrayList<>();
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        for (int t = 0; t < 8; t++) {
          futures.add(pool.submit(() -> {
            go.await();
            return c.lease(1, "s", 5, TTL);
          }));
        }
        go.countDown();
        Set<Long> ids = new HashSet<>();
        for (Future<Lease> f : futures) {
          ids.add(f.get(60, TimeUnit.SECONDS).leaseId());
        }
        assertThat(ids).hasSize(1);
      } finally {
        pool.shutdownNow();
      }
      assertThat(db.scalar("SELECT COUNT(*) FROM " + P + "lease WHERE state = 'ACTIVE'"))
          .isOne();
      assertThat(c.lease(1, "s", 0, TTL).granted()).isEqualTo(40);
      assertThat(db.figures("s").conserved()).isTrue();
      // The database itself refuses a second ACTIVE lease of the node on the sale.
      String now = dialect == Dialect.MYSQL ? "UTC_TIMESTAMP(3)" : "CURRENT_TIMESTAMP";
      assertThatThrownBy(() -> TestDatabases.exec(db.ds, "INSERT INTO " + P + "lease (sale_id,"
          + " node_id, granted, used, state, starving, expires_at, created_at, updated_at)"
          + " VALUES ('s', 1, 0, 0, 'ACTIVE', " + (dialect == Dialect.MYSQL ? "0" : "FALSE")
          + ", " + now + ", " + now + ", " + now + ")"))
          .isInstanceOf(java.sql.SQLException.class);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void giveBackNeverGoesBelowUsedAndReleaseReturnsTheRest(Dialect dialect) throws Exception {
    try (CoordinatorDb db = CoordinatorDb.open(dialect, P, 4);
        JdbcStockCoordinator c = db.coordinator()) {
      c.openSale("s", 20, 5);
      c.lease(1, "s", 10, TTL);
      OrderSink sink = c.sink(1);
      assertThat(sink.storeOrVoid(List.of(order(id(1, 1), "s", "u1", 3),
          order(id(1, 2), "s", "u2", 1)))).isEmpty();
      Lease back = c.giveBack(1, "s", 100);
      assertThat(back.active()).isTrue();
      assertThat(back.granted()).isEqualTo(4);
      assertThat(back.used()).isEqualTo(4);
      assertThat(back.poolFree()).isEqualTo(16);
      assertThat(back.soldOut()).isFalse();
      assertThat(db.figures("s").conserved()).isTrue();

      assertThat(c.giveBack(2, "s", 1).active()).isFalse(); // no lease: nothing moved
      assertThat(c.lease(1, "s", 6, TTL).granted()).isEqualTo(10);
      c.release(1, "s");
      c.release(1, "s"); // idempotent
      CoordinatorDb.Figures f = db.figures("s");
      assertThat(f).isEqualTo(new CoordinatorDb.Figures(20, 16, 0, 4, 4, 4, 0));
      Lease after = c.giveBack(1, "s", 1);
      assertThat(after.active()).isFalse();
      assertThat(after.poolFree()).isEqualTo(16);
      // A new lease after the release is a new lease.
      Lease again = c.lease(1, "s", 1, TTL);
      assertThat(again.leaseId()).isNotEqualTo(back.leaseId());
      assertThat(again.used()).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void reapRevokesOnlyLeasesPastExpiryAndGrace(Dialect dialect) throws Exception {
    try (CoordinatorDb db = CoordinatorDb.open(dialect, P, 4);
        JdbcStockCoordinator c = db.coordinator()) {
      c.openSale("s", 50, 5);
      c.lease(1, "s", 10, TTL);
      c.lease(2, "s", 10, TTL);
      c.sink(1).storeOrVoid(List.of(order(id(1, 1), "s", "u", 4)));
      assertThat(c.reap(Duration.ZERO)).isZero(); // nobody expired
      db.expireLeasesOf(1); // node 1 stopped renewing long ago
      assertThat(c.reap(Duration.ofDays(1))).isOne(); // 2000-01-01 + 1 day is still long ago
      assertThat(c.reap(Duration.ZERO)).isZero(); // node 2's lease runs for minutes
      CoordinatorDb.Figures f = db.figures("s");
      assertThat(f).isEqualTo(new CoordinatorDb.Figures(50, 36, 10, 4, 4, 4, 0));
      Lease n2 = c.lease(2, "s", 0, TTL);
      assertThat(n2.activeNodes()).isEqualTo(1);
      assertThat(n2.leasedElsewhere()).isZero();
      assertThat(c.giveBack(1, "s", 1).active()).isFalse();
      assertThatThrownBy(() -> c.reap(Duration.ofMillis(-1)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("grace");
    }
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void settlementStoresWithinTheLeaseAndVoidsTheRest(Dialect dialect) throws Exception {
    try (CoordinatorDb db = CoordinatorDb.open(dialect, P, 4);
        JdbcStockCoordinator c = db.coordinator()) {
      c.openSale("s", 100, 10);
      c.lease(1, "s", 5, TTL);
      List<ConfirmedOrder> batch = List.of(order(id(1, 3), "s", "a", 2),
          order(id(1, 1), "s", "b", 2), order(id(1, 2), "s", "c", 2),
          order(id(1, 4), "nosale", "d", 1), order(id(1, 1), "s", "b", 2));
      List<VoidedOrder> voids = c.sink(1).storeOrVoid(batch);
      // Order-id order decides who fits: 1 and 2 (4 units), 3 does not (1 unit of room left).
      assertThat(voids).containsExactly(new VoidedOrder(id(1, 3), Reason.LEASE_LOST),
          new VoidedOrder(id(1, 4), Reason.LEASE_LOST));
      assertThat(TestDatabases.readOrders(db.ds, dialect, db.orders).keySet())
          .containsExactlyInAnyOrder(id(1, 1), id(1, 2));
      assertThat(TestDatabases.readOrders(db.ds, dialect, db.orders).get(id(1, 1)))
          .isEqualTo(order(id(1, 1), "s", "b", 2));
      Lease l = c.lease(1, "s", 0, TTL);
      assertThat(l.used()).isEqualTo(4);
      assertThat(l.granted()).isEqualTo(5);
      assertThat(db.voids()).containsOnly(Map.entry(id(1, 3), "LEASE_LOST"),
          Map.entry(id(1, 4), "LEASE_LOST"));

      // store() settles the same way but throws when anything was voided.
      assertThatThrownBy(() -> c.sink(1).store(List.of(order(id(1, 5), "s", "e", 2))))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("voided");
      c.sink(1).store(List.of(order(id(1, 6), "s", "e", 1)));
      assertThat(c.lease(1, "s", 0, TTL).used()).isEqualTo(5);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void aReofferedBatchGetsTheSameVerdictsAndCountsOnce(Dialect dialect) throws Exception {
    try (CoordinatorDb db = CoordinatorDb.open(dialect, P, 4);
        JdbcStockCoordinator c = db.coordinator()) {
      c.openSale("s", 100, 2);
      c.lease(1, "s", 6, TTL);
      List<ConfirmedOrder> batch = List.of(order(id(1, 1), "s", "a", 2),
          order(id(1, 2), "s", "a", 1), order(id(1, 3), "s", "b", 2),
          order(id(1, 4), "s", "c", 2), order(id(1, 5), "s", "d", 1));
      OrderSink sink = c.sink(1);
      List<VoidedOrder> first = sink.storeOrVoid(batch);
      assertThat(first).containsExactly(new VoidedOrder(id(1, 2), Reason.LIMIT_REACHED),
          new VoidedOrder(id(1, 5), Reason.LEASE_LOST));
      CoordinatorDb.Figures before = db.figures("s");
      Map<String, Long> usersBefore = db.userUnits("s");
      assertThat(before.allUsed()).isEqualTo(6);

      c.lease(1, "s", 10, TTL); // room now: a re-offer must still not store 2 or 5
      assertThat(sink.storeOrVoid(batch)).isEqualTo(first);
      List<ConfirmedOrder> reordered = new ArrayList<>(batch);
      java.util.Collections.reverse(reordered);
      assertThat(c.sink(1).storeOrVoid(reordered)).containsExactlyInAnyOrderElementsOf(first);
      assertThat(db.figures("s").allUsed()).isEqualTo(6);
      assertThat(db.figures("s").storedUnits()).isEqualTo(6);
      assertThat(db.userUnits("s")).isEqualTo(usersBefore);
      assertThat(db.storedPerUser("s")).isEqualTo(usersBefore);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void aZombieBatchAfterItsLeaseWasReapedIsAllLeaseLost(Dialect dialect) throws Exception {
    try (CoordinatorDb db = CoordinatorDb.open(dialect, P, 4);
        JdbcStockCoordinator c = db.coordinator()) {
      c.openSale("s", 100, 10);
      c.lease(7, "s", 10, TTL);
      c.sink(7).storeOrVoid(List.of(order(id(7, 1), "s", "a", 3)));
      db.expireLeasesOf(7); // paused past ttl + grace
      assertThat(c.reap(Duration.ZERO)).isOne();
      long usedBefore = db.figures("s").allUsed();
      List<ConfirmedOrder> late = List.of(order(id(7, 2), "s", "a", 1),
          order(id(7, 3), "s", "b", 2), order(id(7, 1), "s", "a", 3));
      List<VoidedOrder> voids = c.sink(7).storeOrVoid(late);
      assertThat(voids).containsExactly(new VoidedOrder(id(7, 2), Reason.LEASE_LOST),
          new VoidedOrder(id(7, 3), Reason.LEASE_LOST)); // order 1 was stored before
      assertThat(db.figures("s").allUsed()).isEqualTo(usedBefore);
      assertThat(db.figures("s").conserved()).isTrue();
      // Even once the node holds a new lease, the verdicts stand.
      c.lease(7, "s", 10, TTL);
      assertThat(c.sink(7).storeOrVoid(late)).isEqualTo(voids);
      assertThat(db.figures("s").allUsed()).isEqualTo(usedBefore);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void renewGrowsOnlyTheNamedLeaseAndNeverMakesOne(Dialect dialect) throws Exception {
    try (CoordinatorDb db = CoordinatorDb.open(dialect, P, 4);
        JdbcStockCoordinator c = db.coordinator()) {
      c.openSale("s", 100, 10);
      Lease a = c.lease(7, "s", 10, TTL);
      Lease renewed = c.renew(7, "s", a.leaseId(), 5, TTL);
      assertThat(renewed.active()).isTrue();
      assertThat(renewed.leaseId()).isEqualTo(a.leaseId());
      assertThat(renewed.granted()).isEqualTo(15);
      assertThat(renewed.poolFree()).isEqualTo(85);
      c.sink(7).storeOrVoid(List.of(order(id(7, 1), "s", "a", 3)));
      c.lease(8, "s", 20, TTL);
      // The zombie's renewal: it reaches the database after the reaper revoked the lease.
      db.expireLeasesOf(7);
      assertThat(c.reap(Duration.ZERO)).isOne();
      long leases = db.scalar("SELECT COUNT(*) FROM " + P + "lease");
      CoordinatorDb.Figures before = db.figures("s");
      Lease gone = c.renew(7, "s", a.leaseId(), 5, TTL);
      assertThat(gone.active()).isFalse();
      assertThat(gone.leaseId()).isZero();
      assertThat(gone.granted()).isZero();
      assertThat(gone.poolFree()).isEqualTo(before.free());
      assertThat(gone.leasedElsewhere()).isEqualTo(20);
      assertThat(gone.activeNodes()).isOne();
      assertThat(db.scalar("SELECT COUNT(*) FROM " + P + "lease")).isEqualTo(leases);
      assertThat(db.figures("s")).isEqualTo(before); // nothing moved
      // Its late orders find no lease: voided.
      assertThat(c.sink(7).storeOrVoid(List.of(order(id(7, 2), "s", "b", 1))))
          .containsExactly(new VoidedOrder(id(7, 2), Reason.LEASE_LOST));
      // A new lease (lease(), once its orders are settled) is not renewed under the old id.
      Lease next = c.lease(7, "s", 4, TTL);
      assertThat(next.leaseId()).isNotEqualTo(a.leaseId());
      assertThat(c.renew(7, "s", a.leaseId(), 0, TTL).active()).isFalse();
      assertThat(c.renew(7, "s", next.leaseId(), 0, TTL).granted()).isEqualTo(4);
      c.release(7, "s");
      assertThat(c.renew(7, "s", next.leaseId(), 1, TTL).active()).isFalse();
      assertThat(db.figures("s").conserved()).isTrue();

      assertThatThrownBy(() -> c.renew(7, "nope", next.leaseId(), 1, TTL))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope")
          .hasMessageContaining("openSale");
      assertThatThrownBy(() -> c.renew(7, "s", 0, 1, TTL))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leaseId");
      assertThatThrownBy(() -> c.renew(7, "s", next.leaseId(), -1, TTL))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("units");
    }
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void theLimitHoldsAcrossTwoNodes(Dialect dialect) throws Exception {
    try (CoordinatorDb db = CoordinatorDb.open(dialect, P, 4);
        JdbcStockCoordinator c = db.coordinator()) {
      c.openSale("s", 100, 3);
      c.lease(1, "s", 10, TTL);
      c.lease(2, "s", 10, TTL);
      assertThat(c.sink(1).storeOrVoid(List.of(order(id(1, 1), "s", "alice", 2)))).isEmpty();
      assertThat(c.sink(2).storeOrVoid(List.of(order(id(2, 1), "s", "alice", 2),
          order(id(2, 2), "s", "Alice", 3), order(id(2, 3), "s", "alice", 1))))
          .containsExactly(new VoidedOrder(id(2, 1), Reason.LIMIT_REACHED));
      assertThat(db.userUnits("s")).containsOnly(Map.entry("alice", 3L), Map.entry("Alice", 3L));
      assertThat(c.lease(2, "s", 0, TTL).used()).isEqualTo(4);
      assertThat(c.lease(1, "s", 0, TTL).used()).isEqualTo(2);
      // An order larger than the limit on its own.
      assertThat(c.sink(1).storeOrVoid(List.of(order(id(1, 2), "s", "bob", 4))))
          .containsExactly(new VoidedOrder(id(1, 2), Reason.LIMIT_REACHED));
    }
  }

  private static final Duration PAY = Duration.ofMinutes(15);

  private static OrderStateChange change(long orderId, String sale, OrderState state, int version,
      int quantity) {
    return new OrderStateChange(orderId, sale, state, version, quantity, T0.plusSeconds(version));
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void openSaleWithPayWithinRefusesAnotherPayWithin(Dialect dialect) throws Exception {
    try (CoordinatorDb db = CoordinatorDb.open(dialect, P, 4);
        JdbcStockCoordinator c = db.coordinator()) {
      c.openSale("r", 100, 3, PAY);
      c.openSale("r", 100, 3, PAY);
      assertThat(db.scalar("SELECT pay_within_ms FROM " + P + "pool WHERE sale_id = 'r'"))
          .isEqualTo(PAY.toMillis());
      assertThat(db.pool("r")).isEqualTo(new CoordinatorDb.Pool(100, 0, 0));
      assertThatThrownBy(() -> c.openSale("r", 100, 3, Duration.ofMinutes(10)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("payWithin PT15M").hasMessageContaining("payWithin PT10M");
      assertThatThrownBy(() -> c.openSale("r", 100, 3))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("payWithin PT15M").hasMessageContaining("payWithin null");
      c.openSale("s", 100, 3);
      c.openSale("s", 100, 3, null);
      assertThat(db.scalar("SELECT COUNT(*) FROM " + P + "pool WHERE sale_id = 's'"
          + " AND pay_within_ms IS NULL")).isOne();
      assertThatThrownBy(() -> c.openSale("s", 100, 3, PAY))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("payWithin null").hasMessageContaining("payWithin PT15M");
      assertThatThrownBy(() -> c.openSale("t", 100, 3, Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("payWithin").hasMessageContaining("PT0S");
      assertThatThrownBy(() -> c.openSale("t", 100, 3, Duration.ofSeconds(-1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("payWithin").hasMessageContaining("PT-1S");
      assertThatThrownBy(() -> c.openSale("t", 100, 3, Duration.ofNanos(1_500_000)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("payWithin").hasMessageContaining("whole milliseconds");
      assertThat(db.scalar("SELECT COUNT(*) FROM " + P + "pool WHERE sale_id = 't'")).isZero();
    }
  }

  /**
   * Reservations settle like orders and are held in the pool; PAID moves them out of
   * {@code held}, EXPIRED and CANCELLED back into {@code free} (and {@code released}), where
   * another node leases them; leases are not touched; a change offered again, or an older one,
   * moves nothing.
   */
  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void reservationsAreHeldUntilPaidAndReleasedToThePool(Dialect dialect) throws Exception {
    try (CoordinatorDb db = CoordinatorDb.open(dialect, P, 4);
        JdbcStockCoordinator c = db.coordinator()) {
      c.openSale("r", 10, 5, PAY);
      c.openSale("p", 10, 5); // no reservations, settled in the same batches
      c.lease(1, "r", 6, TTL);
      c.lease(1, "p", 3, TTL);
      long a = id(1, 1);
      long b = id(1, 2);
      long d = id(1, 3);
      long plain = id(1, 4);
      assertThat(c.sink(1).storeOrVoid(List.of(order(a, "r", "u1", 2), order(b, "r", "u2", 1),
          order(d, "r", "u3", 2), order(plain, "p", "u1", 3)))).isEmpty();
      Lease l = c.lease(1, "r", 0, TTL);
      assertThat(l.held()).isEqualTo(5);
      assertThat(l.used()).isEqualTo(5);
      assertThat(l.granted()).isEqualTo(6);
      assertThat(l.poolFree()).isEqualTo(4);
      assertThat(l.allHeld()).isFalse();
      assertThat(db.pool("r")).isEqualTo(new CoordinatorDb.Pool(4, 5, 0));
      assertThat(db.pool("p")).isEqualTo(new CoordinatorDb.Pool(7, 0, 0));
      assertThat(c.lease(1, "p", 0, TTL).held()).isZero();
      assertThat(db.figures("r").conserved()).isTrue();
      assertThat(c.lease(2, "r", 4, TTL).granted()).isEqualTo(4); // the pool is empty now

      // PAID (stored through another node's sink: any sink finds the order): held down only.
      c.sink(2).storeStateChanges(List.of(change(a, "r", OrderState.PAID, 2, 2)));
      assertThat(db.pool("r")).isEqualTo(new CoordinatorDb.Pool(0, 3, 0));
      assertThat(db.orderState(a)).isEqualTo("PAID/2");
      // EXPIRED and CANCELLED (offered out of order): held down, free and released up.
      c.sink(1).storeStateChanges(List.of(change(d, "r", OrderState.CANCELLED, 2, 2),
          change(b, "r", OrderState.EXPIRED, 2, 1)));
      assertThat(db.pool("r")).isEqualTo(new CoordinatorDb.Pool(3, 0, 3));
      assertThat(db.orderState(b)).isEqualTo("EXPIRED/2");
      assertThat(db.orderState(d)).isEqualTo("CANCELLED/2");
      CoordinatorDb.Figures f = db.figures("r");
      assertThat(f).isEqualTo(new CoordinatorDb.Figures(10, 3, 10, 0, 5, 5, 3));
      assertThat(f.conserved()).isTrue();
      // The leases did not change: the node's bookkeeping is its own.
      Lease mine = c.lease(1, "r", 0, TTL);
      assertThat(mine.granted()).isEqualTo(6);
      assertThat(mine.used()).isEqualTo(5);
      assertThat(mine.held()).isZero();
      assertThat(mine.poolFree()).isEqualTo(3);

      // The released units are the pool's: another node leases them.
      Lease third = c.lease(3, "r", 5, TTL);
      assertThat(third.granted()).isEqualTo(3);
      assertThat(third.poolFree()).isZero();
      assertThat(db.pool("r")).isEqualTo(new CoordinatorDb.Pool(0, 0, 3));

      // Offered again, or older, or another state at a version already stored: nothing moves.
      List<OrderStateChange> again = List.of(change(a, "r", OrderState.PAID, 2, 2),
          change(b, "r", OrderState.EXPIRED, 2, 1), change(d, "r", OrderState.CANCELLED, 2, 2),
          change(a, "r", OrderState.EXPIRED, 2, 2), change(b, "r", OrderState.PAID, 1, 1));
      c.sink(1).storeStateChanges(again);
      c.sink(3).storeStateChanges(again);
      assertThat(db.pool("r")).isEqualTo(new CoordinatorDb.Pool(0, 0, 3));
      assertThat(db.orderState(a)).isEqualTo("PAID/2");
      assertThat(db.orderState(b)).isEqualTo("EXPIRED/2");

      // A sale without payWithin (the engine sends it no changes): only the state changes.
      c.sink(1).storeStateChanges(List.of(change(plain, "p", OrderState.EXPIRED, 2, 3)));
      assertThat(db.orderState(plain)).isEqualTo("EXPIRED/2");
      assertThat(db.pool("p")).isEqualTo(new CoordinatorDb.Pool(7, 0, 0));
      assertThat(db.figures("p").conserved()).isTrue();

      // Everyone releases: the books balance with released.
      c.release(1, "r");
      c.release(2, "r");
      c.release(3, "r");
      CoordinatorDb.Figures end = db.figures("r");
      assertThat(end).isEqualTo(new CoordinatorDb.Figures(10, 8, 0, 5, 5, 5, 3));
      assertThat(end.conserved()).isTrue();
      assertThat(db.userUnits("r")).containsOnly(Map.entry("u1", 2L), Map.entry("u2", 1L),
          Map.entry("u3", 2L)); // the per-user authority is never given back

      OrderSink closed = c.sink(1);
      closed.close();
      assertThatThrownBy(() -> closed.storeStateChanges(again))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
  }

  /**
   * A reservation voided at settlement (its lease was released first: LEASE_LOST) is not in
   * the orders table, nor is one never offered: their changes move nothing.
   */
  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void aChangeOfAVoidedOrNeverStoredReservationMovesNothing(Dialect dialect) throws Exception {
    try (CoordinatorDb db = CoordinatorDb.open(dialect, P, 4);
        JdbcStockCoordinator c = db.coordinator()) {
      c.openSale("r", 10, 5, PAY);
      c.lease(1, "r", 4, TTL);
      long kept = id(1, 1);
      long late = id(1, 2);
      long never = id(1, 9);
      assertThat(c.sink(1).storeOrVoid(List.of(order(kept, "r", "u1", 2)))).isEmpty();
      c.release(1, "r");
      assertThat(c.sink(1).storeOrVoid(List.of(order(late, "r", "u2", 1))))
          .containsExactly(new VoidedOrder(late, Reason.LEASE_LOST));
      assertThat(db.pool("r")).isEqualTo(new CoordinatorDb.Pool(8, 2, 0));
      CoordinatorDb.Figures before = db.figures("r");

      c.sink(1).storeStateChanges(List.of(change(late, "r", OrderState.EXPIRED, 2, 1),
          change(never, "r", OrderState.CANCELLED, 2, 1),
          change(never, "r", OrderState.PAID, 3, 1)));
      assertThat(db.figures("r")).isEqualTo(before);
      assertThat(db.pool("r")).isEqualTo(new CoordinatorDb.Pool(8, 2, 0));
      assertThat(db.orderState(late)).isNull();
      assertThat(db.orderState(never)).isNull();

      // The stored one, after its lease ended: back to the pool, not to any lease.
      c.sink(2).storeStateChanges(List.of(change(kept, "r", OrderState.EXPIRED, 2, 2),
          change(late, "r", OrderState.EXPIRED, 2, 1)));
      assertThat(db.pool("r")).isEqualTo(new CoordinatorDb.Pool(10, 0, 2));
      CoordinatorDb.Figures f = db.figures("r");
      assertThat(f).isEqualTo(new CoordinatorDb.Figures(10, 10, 0, 2, 2, 2, 2));
      assertThat(f.conserved()).isTrue();
      assertThat(c.lease(2, "r", 10, TTL).granted()).isEqualTo(10);
      assertThat(db.figures("r").conserved()).isTrue();
    }
  }

  /** A lease answer's reservation figures: held units, and what they mean for the sale. */
  private static void assertHeld(Lease lease, long held, boolean allHeld, boolean soldOut) {
    assertThat(lease.held()).as("held in %s", lease).isEqualTo(held);
    assertThat(lease.allHeld()).as("allHeld of %s", lease).isEqualTo(allHeld);
    assertThat(lease.soldOut()).as("soldOut of %s", lease).isEqualTo(soldOut);
  }

  /**
   * The pool empty and every unit settled as a reservation: nothing to sell now, but not sold
   * out ({@link Lease#allHeld()}); sold out once every reservation is paid.
   */
  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void allHeldUntilEveryReservationIsPaidThenSoldOut(Dialect dialect) throws Exception {
    try (CoordinatorDb db = CoordinatorDb.open(dialect, P, 4);
        JdbcStockCoordinator c = db.coordinator()) {
      c.openSale("r", 4, 4, PAY);
      c.lease(1, "r", 4, TTL);
      assertThat(c.sink(1).storeOrVoid(List.of(order(id(1, 1), "r", "u1", 3),
          order(id(1, 2), "r", "u2", 1)))).isEmpty();
      Lease own = c.lease(1, "r", 1, TTL);
      assertThat(own.poolFree()).isZero();
      assertThat(own.unsettled()).isZero();
      assertHeld(own, 4, true, false);
      Lease other = c.giveBack(2, "r", 0); // a node without a lease: the sale's figures
      assertThat(other.active()).isFalse();
      assertHeld(other, 4, true, false);

      c.sink(1).storeStateChanges(List.of(change(id(1, 1), "r", OrderState.PAID, 2, 3)));
      Lease some = c.lease(1, "r", 0, TTL);
      assertHeld(some, 1, true, false);

      c.sink(1).storeStateChanges(List.of(change(id(1, 2), "r", OrderState.PAID, 2, 1)));
      Lease done = c.lease(1, "r", 0, TTL);
      assertHeld(done, 0, false, true);
      assertThat(c.giveBack(2, "r", 0).soldOut()).isTrue();
      assertThat(db.pool("r")).isEqualTo(new CoordinatorDb.Pool(0, 0, 0));
      assertThat(db.figures("r").conserved()).isTrue();
    }
  }

  /**
   * Four nodes settle reservations, store state changes of each other's orders, and grow and
   * give back their leases at once: every call completes (lock order: lease, user, order rows,
   * then the pool), and at the end the pool's {@code held} and {@code released} are the units
   * of the stored reservations left unpaid, and released; the books balance.
   */
  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void reservationsSettleAndChangeConcurrentlyOnFourNodes(Dialect dialect) throws Exception {
    try (CoordinatorDb db = CoordinatorDb.open(dialect, P, 12);
        JdbcStockCoordinator c = db.coordinator()) {
      c.openSale("r", 10_000, 1_000, PAY);
      int nodes = 4;
      int rounds = 25;
      int perRound = 5;
      ExecutorService pool = Executors.newFixedThreadPool(nodes);
      java.util.concurrent.ConcurrentMap<Long, ConfirmedOrder> stored =
          new java.util.concurrent.ConcurrentHashMap<>();
      java.util.concurrent.ConcurrentMap<Long, OrderState> changed =
          new java.util.concurrent.ConcurrentHashMap<>();
      try {
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<Future<Void>> futures = new ArrayList<>();
        for (int n = 1; n <= nodes; n++) {
          int node = n;
          futures.add(pool.submit(() -> {
            go.await();
            OrderSink own = c.sink(node);
            OrderSink other = c.sink(node % nodes + 1);
            List<ConfirmedOrder> previous = List.of();
            for (int round = 0; round <= rounds; round++) {
              List<ConfirmedOrder> batch = new ArrayList<>();
              if (round < rounds) {
                c.lease(node, "r", 8, TTL);
                for (int k = 0; k < perRound; k++) {
                  long local = (long) round * perRound + k + 1;
                  batch.add(order(id(node, local), "r", "u" + (local % 7), 1 + (int) (local % 2)));
                }
                Set<Long> voided = new HashSet<>();
                for (VoidedOrder v : own.storeOrVoid(batch)) {
                  voided.add(v.orderId());
                }
                for (ConfirmedOrder o : batch) {
                  if (!voided.contains(o.orderId())) {
                    stored.put(o.orderId(), o);
                  }
                }
              }
              // The previous round's reservations change (voided ones too: they move nothing),
              // through another node's sink, offered twice; every fourth stays unpaid.
              List<OrderStateChange> changes = new ArrayList<>();
              for (ConfirmedOrder o : previous) {
                long local = o.orderId() & 0xFFFF_FFFF_FFFFL;
                if (local % 4 == 0) {
                  continue;
                }
                OrderState to = local % 4 == 1 ? OrderState.PAID
                    : local % 4 == 2 ? OrderState.EXPIRED : OrderState.CANCELLED;
                changes.add(change(o.orderId(), "r", to, 2, o.quantity()));
                if (stored.containsKey(o.orderId())) {
                  changed.put(o.orderId(), to);
                }
              }
              if (!changes.isEmpty()) {
                other.storeStateChanges(changes);
                own.storeStateChanges(changes);
              }
              if (round % 5 == 4) {
                c.giveBack(node, "r", 3);
              }
              previous = batch;
            }
            return null;
          }));
        }
        go.countDown();
        for (Future<Void> f : futures) {
          f.get(120, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      long held = 0;
      long released = 0;
      for (ConfirmedOrder o : stored.values()) {
        OrderState s = changed.get(o.orderId());
        if (s == null) {
          held += o.quantity();
        } else if (s != OrderState.PAID) {
          released += o.quantity();
        }
      }
      CoordinatorDb.Pool p = db.pool("r");
      assertThat(p.held()).isEqualTo(held);
      assertThat(p.released()).isEqualTo(released);
      CoordinatorDb.Figures f = db.figures("r");
      assertThat(f.conserved()).as("%s", f).isTrue();
      assertThat(f.allUsed()).isEqualTo(f.storedUnits());
      assertThat(f.storedUnits()).isEqualTo(
          stored.values().stream().mapToLong(ConfirmedOrder::quantity).sum());
      for (int n = 1; n <= nodes; n++) {
        c.release(n, "r");
      }
      f = db.figures("r");
      assertThat(f.conserved()).as("%s", f).isTrue();
      assertThat(f.free()).isEqualTo(10_000 - f.allUsed() + released);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void aValueTheSchemaCannotHoldIsPermanent(Dialect dialect) throws Exception {
    try (CoordinatorDb db = CoordinatorDb.open(dialect, P, 4);
        JdbcStockCoordinator c = db.coordinator()) {
      c.openSale("s", 10, 10);
      c.lease(1, "s", 10, TTL);
      assertThatThrownBy(() -> c.sink(1).storeOrVoid(List.of(order(id(1, 1), "s",
          "u".repeat(300), 1)))).isInstanceOf(PermanentSinkException.class)
          .hasMessageContaining("userId");
      if (dialect == Dialect.POSTGRESQL) { // NUL in a text: SQLSTATE 22021
        assertThatThrownBy(() -> c.sink(1).storeOrVoid(List.of(order(id(1, 2), "s", "a\u0000b",
            1)))).isInstanceOf(PermanentSinkException.class).hasMessageContaining("22021");
      }
      assertThat(c.sink(1).storeOrVoid(List.of(order(id(1, 3), "s", "ok", 1)))).isEmpty();
      assertThat(db.figures("s").allUsed()).isOne();
    }
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void aMissingTableNamesItselfAndItsDdl(Dialect dialect) throws Exception {
    try (CoordinatorDb db = CoordinatorDb.open(dialect, P, 4)) {
      assertThatThrownBy(() -> JdbcStockCoordinator.builder(db.ds).ordersTable(db.orders)
          .tablePrefix(P).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(db.orders).hasMessageContaining("CREATE TABLE")
          .hasMessageContaining("createSchemaIfMissing");
      JdbcOrderSink.builder(db.ds).table(db.orders).createSchemaIfMissing(true).build().close();
      assertThatThrownBy(() -> JdbcStockCoordinator.builder(db.ds).ordersTable(db.orders)
          .tablePrefix(P).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("table " + P + "nodes")
          .hasMessageContaining("CREATE TABLE IF NOT EXISTS " + P + "nodes");
      db.coordinator().close();
      try (JdbcStockCoordinator c = JdbcStockCoordinator.builder(db.ds).ordersTable(db.orders)
          .tablePrefix(P).build()) {
        assertThat(c.dialect()).isEqualTo(dialect);
        assertThat(c.skipsLockedLeases()).isEqualTo(dialect != Dialect.H2);
      }
    }
  }

  /**
   * The fence cannot miss while the settlement holds the lease's row lock; a trigger that
   * silently skips every update of {@code used} makes it miss, to show what a miss does: the
   * transaction rolls back, the sale's orders are voided LEASE_LOST, nothing is stored.
   */
  @Test
  void aMissedFenceRollsBackAndVoidsTheSale() throws Exception {
    try (CoordinatorDb db = CoordinatorDb.open(Dialect.POSTGRESQL, P, 4);
        JdbcStockCoordinator c = db.coordinator()) {
      c.openSale("s", 10, 10);
      c.openSale("t", 10, 10);
      c.lease(1, "s", 5, TTL);
      c.lease(1, "t", 5, TTL);
      TestDatabases.exec(db.ds,
          "CREATE OR REPLACE FUNCTION " + P + "skip_used() RETURNS trigger LANGUAGE plpgsql AS"
              + " $$ BEGIN IF NEW.used <> OLD.used AND NEW.sale_id = 's' THEN RETURN NULL;"
              + " END IF; RETURN NEW; END $$",
          "CREATE TRIGGER " + P + "skip_used_trg BEFORE UPDATE ON " + P + "lease"
              + " FOR EACH ROW EXECUTE FUNCTION " + P + "skip_used()");
      List<ConfirmedOrder> batch = List.of(order(id(1, 1), "s", "a", 1),
          order(id(1, 2), "t", "a", 2), order(id(1, 3), "s", "b", 2));
      List<VoidedOrder> voids = c.sink(1).storeOrVoid(batch);
      assertThat(voids).containsExactly(new VoidedOrder(id(1, 1), Reason.LEASE_LOST),
          new VoidedOrder(id(1, 3), Reason.LEASE_LOST));
      assertThat(TestDatabases.readOrders(db.ds, Dialect.POSTGRESQL, db.orders).keySet())
          .containsExactly(id(1, 2));
      assertThat(db.figures("s").allUsed()).isZero();
      assertThat(db.figures("t").allUsed()).isEqualTo(2);
      assertThat(db.userUnits("s")).isEmpty();
      assertThat(c.sink(1).storeOrVoid(batch)).isEqualTo(voids);
    }
  }

  /**
   * A node frozen inside {@code lease()} right after locking the sale's pool row: without a
   * bound on idle transactions every other node's {@code lease()} would wait for as long as the
   * freeze lasts; with {@code idleTransactionTimeout} the database ends the frozen transaction
   * and the others go on. (MySQL and H2 have no such setting.)
   */
  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"POSTGRESQL", "MYSQL"})
  void aNodeFrozenInsideATransactionDoesNotStallTheOthers(Dialect dialect) throws Exception {
    try (CoordinatorDb db = CoordinatorDb.open(dialect, P, 4);
        JdbcStockCoordinator c = db.coordinator()) {
      c.openSale("s", 100, 3);
      java.util.concurrent.CountDownLatch frozen = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.CountDownLatch thaw = new java.util.concurrent.CountDownLatch(1);
      javax.sql.DataSource freezing = freezeAt(db.ds, "UPDATE " + P + "pool SET free = free -",
          frozen, thaw);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try (JdbcStockCoordinator zombie = JdbcStockCoordinator.builder(freezing)
          .ordersTable(db.orders).tablePrefix(P).deadlockRetries(0)
          .idleTransactionTimeout(Duration.ofMillis(500)).build()) {
        Future<Lease> stuck = pool.submit(() -> zombie.lease(1, "s", 5, TTL));
        assertThat(frozen.await(30, TimeUnit.SECONDS)).isTrue(); // holds the pool row now
        Lease other = pool.submit(() -> c.lease(2, "s", 5, TTL)).get(60, TimeUnit.SECONDS);
        assertThat(other.granted()).isEqualTo(5);
        thaw.countDown();
        assertThatThrownBy(() -> stuck.get(60, TimeUnit.SECONDS))
            .hasCauseInstanceOf(java.sql.SQLException.class); // its session was ended
        assertThat(db.figures("s")).isEqualTo(new CoordinatorDb.Figures(100, 95, 5, 0, 0, 0, 0));
      } finally {
        thaw.countDown();
        pool.shutdownNow();
      }
    }
  }

  /** A DataSource whose connections block preparing a statement starting with {@code sql}. */
  private static javax.sql.DataSource freezeAt(javax.sql.DataSource real, String sql,
      java.util.concurrent.CountDownLatch frozen, java.util.concurrent.CountDownLatch thaw) {
    return (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(
        JdbcStockCoordinatorTest.class.getClassLoader(), new Class<?>[] {javax.sql.DataSource.class},
        (proxy, method, args) -> {
          Object result = invoke(method, real, args);
          if (!method.getName().equals("getConnection")) {
            return result;
          }
          java.sql.Connection conn = (java.sql.Connection) result;
          return java.lang.reflect.Proxy.newProxyInstance(
              JdbcStockCoordinatorTest.class.getClassLoader(),
              new Class<?>[] {java.sql.Connection.class}, (p, m, a) -> {
                if (m.getName().equals("prepareStatement") && a != null
                    && ((String) a[0]).startsWith(sql)) {
                  frozen.countDown();
                  thaw.await();
                }
                return invoke(m, conn, a);
              });
        });
  }

  private static Object invoke(java.lang.reflect.Method m, Object target, Object[] args)
      throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (java.lang.reflect.InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Test
  void badBuilderInputIsNamed() {
    var b = JdbcStockCoordinator.builder(TestDatabases.h2("coord_builder"));
    assertThatThrownBy(() -> b.tablePrefix("1x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tablePrefix").hasMessageContaining("'1x'");
    assertThatThrownBy(() -> b.ordersTable("drop table")).isInstanceOf(
        IllegalArgumentException.class).hasMessageContaining("ordersTable");
    assertThatThrownBy(() -> b.deadlockRetries(-1)).isInstanceOf(
        IllegalArgumentException.class).hasMessageContaining("deadlockRetries");
    assertThatThrownBy(() -> b.idleTransactionTimeout(Duration.ofMillis(50))).isInstanceOf(
        IllegalArgumentException.class).hasMessageContaining("idleTransactionTimeout")
        .hasMessageContaining("PT0.05S");
    b.tablePrefix("x_");
    assertThatThrownBy(() -> b.tablePrefix("y_")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("tablePrefix");
    b.ordersTable("x_pool");
    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("x_pool");
    assertThatThrownBy(() -> JdbcStockCoordinator.builder(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dataSource");
  }
}
