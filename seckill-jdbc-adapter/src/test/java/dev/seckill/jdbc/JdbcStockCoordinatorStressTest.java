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

import dev.seckill.spi.ConfirmedOrder;
import dev.seckill.spi.Lease;
import dev.seckill.spi.OrderSink;
import dev.seckill.spi.VoidedOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Six node threads lease, settle (some batches past their lease's room, some re-offered),
 * give back and release on one sale, while two reapers revoke leases with a time to live of a few
 * milliseconds and a checker reads the conservation figures in one statement. Checked at every
 * read and at the end: {@code free + Σ granted (ACTIVE) + Σ used (ended) == stock}; at the end:
 * {@code Σ used == units stored}, every offered order stored or voided (never both), a re-offer
 * gave the same verdicts, every user within the limit, the user rows equal to the stored units.
 */
@Tag("slow")
class JdbcStockCoordinatorStressTest {
  private static final String P = "cjs_";
  private static final String SALE = "stress";
  private static final int STOCK = 800;
  private static final int LIMIT = 4;
  private static final int USERS = 260;
  private static final int NODES = 6;
  private static final int ROUNDS = 60;
  private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void conservationHoldsWhileNodesRaceTheReaper(Dialect dialect) throws Exception {
    try (CoordinatorDb db = CoordinatorDb.open(dialect, P, NODES + 5);
        JdbcStockCoordinator c = db.coordinator()) {
      c.openSale(SALE, STOCK, LIMIT);
      int[] nodes = new int[NODES];
      for (int i = 0; i < NODES; i++) {
        nodes[i] = c.newNodeId();
      }
      Map<Long, ConfirmedOrder> offered = new ConcurrentHashMap<>();
      Map<Long, VoidedOrder.Reason> voided = new ConcurrentHashMap<>();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger reaped = new AtomicInteger();
      AtomicLong checks = new AtomicLong();
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(NODES + 3);
      try {
        List<Future<?>> reapers = new ArrayList<>();
        for (int r = 0; r < 2; r++) { // two reapers: they skip (or wait for) each other's leases
          reapers.add(pool.submit(() -> {
            start.await();
            while (!stop.get()) {
              reaped.addAndGet(c.reap(Duration.ZERO));
            }
            return null;
          }));
        }
        Future<?> checker = pool.submit(() -> {
          start.await();
          while (!stop.get()) {
            CoordinatorDb.Figures f = db.figures(SALE);
            assertThat(f.conserved()).as("conservation at a commit: %s", f).isTrue();
            checks.incrementAndGet();
          }
          return null;
        });
        List<Future<?>> workers = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
          int node = nodes[i];
          long seed = 42L * (i + 1);
          workers.add(pool.submit(() -> {
            start.await();
            runNode(c, node, new SplittableRandom(seed), offered, voided);
            return null;
          }));
        }
        start.countDown();
        for (Future<?> w : workers) {
          w.get(5, TimeUnit.MINUTES);
        }
        stop.set(true);
        for (Future<?> r : reapers) {
          r.get(1, TimeUnit.MINUTES);
        }
        checker.get(1, TimeUnit.MINUTES);
      } finally {
        stop.set(true);
        pool.shutdownNow();
      }

      CoordinatorDb.Figures f = db.figures(SALE);
      System.out.printf("%s: %d orders offered, %d voided (%d LEASE_LOST), %d leases reaped,"
          + " %d conservation checks, %s%n", dialect, offered.size(), voided.size(),
          voided.values().stream().filter(r -> r == VoidedOrder.Reason.LEASE_LOST).count(),
          reaped.get(), checks.get(), f);
      assertThat(f.conserved()).as("conservation at the end: %s", f).isTrue();
      assertThat(f.allUsed()).as("Σ used == units stored").isEqualTo(f.storedUnits());
      Map<Long, ConfirmedOrder> stored = TestDatabases.readOrders(db.ds, dialect, db.orders);
      Map<Long, String> voids = db.voids();
      for (Map.Entry<Long, ConfirmedOrder> e : offered.entrySet()) {
        long id = e.getKey();
        boolean isStored = stored.containsKey(id);
        boolean isVoided = voids.containsKey(id);
        assertThat(isStored ^ isVoided).as("order %d stored %s, voided %s", id, isStored,
            isVoided).isTrue();
        if (isStored) {
          assertThat(stored.get(id)).isEqualTo(e.getValue());
        } else {
          assertThat(voids.get(id)).isEqualTo(voided.get(id).name());
        }
      }
      assertThat(stored.keySet()).isSubsetOf(offered.keySet());
      Map<String, Long> perUser = db.storedPerUser(SALE);
      assertThat(perUser.values()).allSatisfy(u -> assertThat(u).isBetween(1L, (long) LIMIT));
      assertThat(db.userUnits(SALE)).isEqualTo(perUser);

      // Every node releases: the pool holds all that was not sold, nothing is stranded.
      for (int node : nodes) {
        c.release(node, SALE);
      }
      CoordinatorDb.Figures end = db.figures(SALE);
      assertThat(end.free() + end.storedUnits()).isEqualTo(STOCK);
      assertThat(end.activeGranted()).isZero();
      assertThat(voids.values()).contains("LEASE_LOST", "LIMIT_REACHED");
      assertThat(reaped.get()).isPositive();
      assertThat(checks.get()).isPositive();
    }
  }

  /** One node's rounds: lease (a tiny ttl, so the reaper races it), settle, re-offer, return. */
  private static void runNode(JdbcStockCoordinator c, int node, SplittableRandom rnd,
      Map<Long, ConfirmedOrder> offered, Map<Long, VoidedOrder.Reason> voided) throws Exception {
    OrderSink sink = c.sink(node);
    long local = 0;
    for (int round = 0; round < ROUNDS; round++) {
      Duration ttl = Duration.ofMillis(1 + rnd.nextInt(30));
      Lease lease = c.lease(node, SALE, rnd.nextInt(12), ttl);
      assertThat(lease.granted()).isGreaterThanOrEqualTo(lease.used());
      // Sell what the lease says is left, sometimes a little more (those must void).
      long budget = lease.unsettled() + (rnd.nextInt(4) == 0 ? 2 : 0);
      List<ConfirmedOrder> batch = new ArrayList<>();
      while (budget > 0) {
        int q = (int) Math.min(budget, 1 + rnd.nextInt(2));
        local++;
        long id = ((long) node << 48) | local;
        batch.add(new ConfirmedOrder(id, SALE, "user-" + rnd.nextInt(USERS), q,
            T0.plusMillis(local)));
        budget -= q;
      }
      if (!batch.isEmpty()) {
        for (ConfirmedOrder o : batch) {
          offered.put(o.orderId(), o);
        }
        List<VoidedOrder> verdicts = sink.storeOrVoid(batch);
        Set<Long> seen = new HashSet<>();
        for (VoidedOrder v : verdicts) {
          assertThat(seen.add(v.orderId())).isTrue();
          voided.put(v.orderId(), v.reason());
        }
        if (rnd.nextInt(3) == 0) { // the engine re-offers after a lost answer
          List<ConfirmedOrder> again = new ArrayList<>(batch);
          java.util.Collections.shuffle(again, new java.util.Random(rnd.nextLong()));
          assertThat(sink.storeOrVoid(again)).containsExactlyInAnyOrderElementsOf(verdicts);
        }
      }
      switch (rnd.nextInt(6)) {
        case 0:
          c.giveBack(node, SALE, rnd.nextInt(5));
          break;
        case 1:
          c.release(node, SALE);
          break;
        default:
          break;
      }
    }
  }
}
