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
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Six nodes sell two sales at once, each node with a cluster thread (lease with a time to live of
 * a few milliseconds, give back, release) and a flusher thread (settle batches that mix both
 * sales, some past the lease's room, a third of them offered again) running concurrently as in
 * the engine, while two reapers revoke expired leases and a checker reads each sale's
 * conservation figures in one statement. Checked at every read and at the end:
 * {@code free + Σ granted (ACTIVE) + Σ used (ended) == stock + released} (no reservations here:
 * {@code released} stays 0); at the end, per sale:
 * {@code Σ used == units stored}; every offered order stored or voided (never both) with the
 * verdict its sink gave; a re-offer gave the same verdicts; every user within the limit and the
 * user rows equal to the stored units; after every node released, nothing stranded.
 */
@Tag("slow")
class JdbcStockCoordinatorStressTest {
  private static final String P = "cjs_";
  private static final List<String> SALES = List.of("stress-a", "stress-b");
  private static final int STOCK = 400;
  private static final int LIMIT = 4;
  private static final int USERS = 130;
  private static final int NODES = 6;
  private static final int ROUNDS = 60;
  private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void conservationHoldsWhileNodesRaceTheReapers(Dialect dialect) throws Exception {
    int threads = 2 * NODES + 3;
    try (CoordinatorDb db = CoordinatorDb.open(dialect, P, threads + 2);
        JdbcStockCoordinator c = db.coordinator()) {
      for (String sale : SALES) {
        c.openSale(sale, STOCK, LIMIT);
      }
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
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> background = new ArrayList<>();
        for (int r = 0; r < 2; r++) { // two reapers: they skip (or wait for) each other's leases
          background.add(pool.submit(() -> {
            start.await();
            while (!stop.get()) {
              reaped.addAndGet(c.reap(Duration.ZERO));
            }
            return null;
          }));
        }
        background.add(pool.submit(() -> {
          start.await();
          while (!stop.get()) {
            for (String sale : SALES) {
              CoordinatorDb.Figures f = db.figures(sale);
              assertThat(f.conserved()).as("conservation at a commit of %s: %s", sale, f)
                  .isTrue();
            }
            checks.incrementAndGet();
          }
          return null;
        }));
        List<Future<?>> workers = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
          int node = nodes[i];
          AtomicReferenceArray<Lease> last = new AtomicReferenceArray<>(SALES.size());
          long seed = 42L * (i + 1);
          workers.add(pool.submit(() -> {
            start.await();
            clusterThread(c, node, new SplittableRandom(seed), last);
            return null;
          }));
          workers.add(pool.submit(() -> {
            start.await();
            flusherThread(c, node, new SplittableRandom(seed + 1), last, offered, voided);
            return null;
          }));
        }
        start.countDown();
        for (Future<?> w : workers) {
          w.get(5, TimeUnit.MINUTES);
        }
        stop.set(true);
        for (Future<?> b : background) {
          b.get(1, TimeUnit.MINUTES);
        }
      } finally {
        stop.set(true);
        pool.shutdownNow();
      }

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
      for (String sale : SALES) {
        CoordinatorDb.Figures f = db.figures(sale);
        System.out.printf("%s %s: %d orders offered, %d voided (%d LEASE_LOST), %d leases"
            + " reaped, %d checks, %s%n", dialect, sale, offered.size(), voided.size(),
            voided.values().stream().filter(r -> r == VoidedOrder.Reason.LEASE_LOST).count(),
            reaped.get(), checks.get(), f);
        assertThat(f.conserved()).as("conservation at the end: %s", f).isTrue();
        assertThat(f.allUsed()).as("Σ used == units stored: %s", f).isEqualTo(f.storedUnits());
        Map<String, Long> perUser = db.storedPerUser(sale);
        assertThat(perUser.values()).allSatisfy(u -> assertThat(u).isBetween(1L, (long) LIMIT));
        assertThat(db.userUnits(sale)).isEqualTo(perUser);
      }

      // Every node releases: the pool holds all that was not sold, nothing is stranded.
      for (int node : nodes) {
        for (String sale : SALES) {
          c.release(node, sale);
        }
      }
      for (String sale : SALES) {
        CoordinatorDb.Figures end = db.figures(sale);
        assertThat(end.free() + end.storedUnits()).isEqualTo(STOCK);
        assertThat(end.activeGranted()).isZero();
      }
      assertThat(voids.values()).contains("LEASE_LOST", "LIMIT_REACHED");
      assertThat(reaped.get()).isPositive();
      assertThat(checks.get()).isPositive();
    }
  }

  /**
   * A node's cluster thread: lease or renew the lease it holds (a tiny ttl, so the reapers race
   * it; a renewal answers that lease or none, never another), give back, release.
   */
  private static void clusterThread(JdbcStockCoordinator c, int node, SplittableRandom rnd,
      AtomicReferenceArray<Lease> last) throws Exception {
    long[] held = new long[SALES.size()];
    for (int round = 0; round < ROUNDS; round++) {
      int s = rnd.nextInt(SALES.size());
      String sale = SALES.get(s);
      Duration ttl = Duration.ofMillis(1 + rnd.nextInt(30));
      Lease lease;
      if (held[s] != 0 && rnd.nextBoolean()) {
        lease = c.renew(node, sale, held[s], rnd.nextInt(12), ttl);
        assertThat(lease.active() ? lease.leaseId() : 0L).isIn(held[s], 0L);
      } else {
        lease = c.lease(node, sale, rnd.nextInt(12), ttl);
      }
      held[s] = lease.active() ? lease.leaseId() : 0;
      assertThat(lease.granted()).isGreaterThanOrEqualTo(lease.used());
      last.set(s, lease);
      switch (rnd.nextInt(6)) {
        case 0:
          c.giveBack(node, sale, rnd.nextInt(5));
          break;
        case 1:
          c.release(node, sale);
          held[s] = 0;
          break;
        default:
          break;
      }
    }
  }

  /**
   * A node's flusher thread: sells what the last lease answers said was left (sometimes a
   * little more, which must void), both sales in one batch, and offers a third of the batches
   * again, which must give the same verdicts.
   */
  private static void flusherThread(JdbcStockCoordinator c, int node, SplittableRandom rnd,
      AtomicReferenceArray<Lease> last, Map<Long, ConfirmedOrder> offered,
      Map<Long, VoidedOrder.Reason> voided) throws Exception {
    OrderSink sink = c.sink(node);
    long local = 0;
    for (int round = 0; round < ROUNDS; round++) {
      List<ConfirmedOrder> batch = new ArrayList<>();
      for (int s = 0; s < SALES.size(); s++) {
        Lease lease = last.get(s);
        long budget = (lease == null ? 0 : lease.unsettled()) + (rnd.nextInt(4) == 0 ? 2 : 0);
        while (budget > 0) {
          int q = (int) Math.min(budget, 1 + rnd.nextInt(2));
          local++;
          long id = ((long) node << 48) | local;
          batch.add(new ConfirmedOrder(id, SALES.get(s), "user-" + rnd.nextInt(USERS), q,
              T0.plusMillis(local)));
          budget -= q;
        }
      }
      if (batch.isEmpty()) {
        continue;
      }
      Collections.shuffle(batch, new Random(rnd.nextLong()));
      for (ConfirmedOrder o : batch) {
        offered.put(o.orderId(), o);
      }
      List<VoidedOrder> verdicts = sink.storeOrVoid(batch);
      Set<Long> seen = new HashSet<>();
      for (VoidedOrder v : verdicts) {
        assertThat(seen.add(v.orderId())).isTrue();
        voided.put(v.orderId(), v.reason());
      }
      if (rnd.nextInt(3) == 0) { // the engine offers again after an answer it did not get
        List<ConfirmedOrder> again = new ArrayList<>(batch);
        Collections.shuffle(again, new Random(rnd.nextLong()));
        assertThat(sink.storeOrVoid(again)).containsExactlyInAnyOrderElementsOf(verdicts);
      }
    }
  }
}
