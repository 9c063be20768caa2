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

import dev.seckill.PurchaseListener;
import dev.seckill.PurchaseRequest;
import dev.seckill.Rejection;
import dev.seckill.Sale;
import dev.seckill.SaleSnapshot;
import dev.seckill.SeckillEngine;
import dev.seckill.spi.ConfirmedOrder;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The whole pipeline on real databases: buyers on many threads, the engine's ledger, the flusher
 * and {@link JdbcOrderSink}. The database must end up holding exactly the confirmed orders, once
 * each, even across an outage in the middle of the sale.
 */
@Tag("slow")
class EngineToDatabaseTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");

  @TempDir Path dir;

  /**
   * Runs {@code requests} purchases of one unit from {@code threads} threads, calling
   * {@code early} once a tenth of them are answered; returns the confirmed order ids.
   */
  static Set<Long> crowd(SeckillEngine engine, String saleId, int threads, int requests, int users,
      Runnable early) throws InterruptedException {
    Set<Long> confirmed = ConcurrentHashMap.newKeySet();
    AtomicLong failed = new AtomicLong();
    CountDownLatch done = new CountDownLatch(requests);
    CountDownLatch tenth = new CountDownLatch(requests / 10);
    Thread[] clients = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      int first = t;
      SplittableRandom random = new SplittableRandom(t);
      Semaphore window = new Semaphore(256);
      PurchaseListener listener = new PurchaseListener() {
        @Override
        public void onConfirmed(PurchaseRequest request, long orderId) {
          confirmed.add(orderId);
          answered();
        }

        @Override
        public void onRejected(PurchaseRequest request, Rejection reason) {
          answered();
        }

        @Override
        public void onFailed(PurchaseRequest request, Throwable cause) {
          failed.incrementAndGet();
          answered();
        }

        private void answered() {
          window.release();
          tenth.countDown();
          done.countDown();
        }
      };
      clients[t] = new Thread(() -> {
        for (int i = first; i < requests; i += threads) {
          window.acquireUninterruptibly();
          engine.submit(PurchaseRequest.of(saleId, "user-" + random.nextInt(users), 1), listener);
        }
      }, "buyer-" + t);
    }
    for (Thread c : clients) {
      c.start();
    }
    tenth.await();
    early.run();
    done.await();
    for (Thread c : clients) {
      c.join();
    }
    assertThat(failed.get()).as("ledger failures").isZero();
    return confirmed;
  }

  private SeckillEngine engine(DataSource ds, String table) {
    JdbcOrderSink sink = JdbcOrderSink.builder(ds).table(table).summaryTable(table + "_summary")
        .createSchemaIfMissing(true).stockSummary(true).build();
    return SeckillEngine.builder().dataDir(dir.resolve("ledger-" + table))
        .clock(Clock.fixed(START, ZoneOffset.UTC)).maxUsersPerShard(100_000)
        .outboxCapacityPerShard(50_000).orderSink(sink).flushBatchSize(500)
        .flushRetryBackoff(Duration.ofMillis(5), Duration.ofMillis(100)).build();
  }

  private static Sale sale(String id) {
    return Sale.builder(id).stock(10_000).startsAt(START).endsAt(START.plus(Duration.ofHours(1)))
        .limitPerUser(2).maxPerRequest(1).build();
  }

  private static void assertDatabaseHoldsExactly(DataSource ds, Dialect dialect, String table,
      Set<Long> confirmed, SaleSnapshot snapshot) throws Exception {
    Map<Long, ConfirmedOrder> stored = TestDatabases.readOrders(ds, dialect, table);
    assertThat(stored.keySet()).isEqualTo(confirmed);
    assertThat(stored.values().stream().mapToLong(ConfirmedOrder::quantity).sum())
        .isEqualTo(snapshot.unitsSold());
    assertThat(stored.values()).allSatisfy(o -> assertThat(o.confirmedAt()).isEqualTo(START));
    TestDatabases.SaleTotals summary = TestDatabases.readSummary(ds, table + "_summary")
        .get(snapshot.saleId());
    assertThat(summary).isEqualTo(new TestDatabases.SaleTotals(snapshot.unitsSold(),
        snapshot.ordersConfirmed()));
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void tenThousandUnitsUnderEightThreadsLandExactlyOnce(Dialect dialect) throws Exception {
    DataSource ds = TestDatabases.of(dialect, "e2e");
    String table = "e2e_order";
    TestDatabases.drop(ds, table, table + "_summary");
    try (SeckillEngine engine = engine(ds, table)) {
      engine.registerSale(sale("e2e"));
      Set<Long> confirmed = crowd(engine, "e2e", 8, 40_000, 30_000, () -> {});
      engine.flush().get(60, TimeUnit.SECONDS);
      SaleSnapshot s = engine.snapshot("e2e");
      assertThat(s.unitsSold()).isEqualTo(10_000);
      assertThat(confirmed).hasSize(10_000);
      assertDatabaseHoldsExactly(ds, dialect, table, confirmed, s);
      assertThat(engine.outboxSize()).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void theSaleGoesOnThroughADatabaseOutage(Dialect dialect) throws Exception {
    CuttableDataSource ds = new CuttableDataSource(TestDatabases.of(dialect, "outage"));
    String table = "outage_order";
    TestDatabases.drop(ds, table, table + "_summary");
    try (SeckillEngine engine = engine(ds, table)) {
      engine.registerSale(sale("outage"));
      Set<Long> confirmed = crowd(engine, "outage", 8, 40_000, 30_000, () -> {
        try {
          ds.cut(); // mid-sale: the flusher's store fails from here on
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      SaleSnapshot during = engine.snapshot("outage");
      assertThat(during.unitsSold()).as("the sale went on while the database was down").isEqualTo(10_000);
      assertThat(engine.outboxSize()).as("orders waiting for the database").isPositive();
      ds.restore();
      engine.flush().get(60, TimeUnit.SECONDS);
      assertDatabaseHoldsExactly(ds, dialect, table, confirmed, engine.snapshot("outage"));
    }
  }
}
