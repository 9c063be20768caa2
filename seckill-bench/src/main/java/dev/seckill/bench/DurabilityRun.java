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
package dev.seckill.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.seckill.Durability;
import dev.seckill.PurchaseListener;
import dev.seckill.PurchaseRequest;
import dev.seckill.Rejection;
import dev.seckill.Sale;
import dev.seckill.SeckillEngine;
import dev.seckill.jdbc.JdbcOrderSink;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * The cost of {@link Durability#PERSISTED} against {@link Durability#LEDGER}: the same crowd
 * (every request a new buyer, so every decision is a confirmation) bought through an engine that
 * flushes into PostgreSQL with {@link JdbcOrderSink}; reports confirmed orders per second and
 * submit-to-confirmation latency (closed loop, {@code window} requests in flight per thread).
 *
 * <p>Run: {@code java  -cp seckill-bench/target/benchmarks.jar dev.seckill.bench.DurabilityRun
 * [orders] [threads] [window]} with {@code SECKILL_IT_POSTGRES_URL} pointing at a PostgreSQL
 * (default {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}).
 */
public final class DurabilityRun {
  private DurabilityRun() {}

  public static void main(String[] args) throws Exception {
    int orders = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    int window = args.length > 2 ? Integer.parseInt(args[2]) : 256;
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(Servers.postgresUrl() + (Servers.postgresUrl().contains("?") ? "&" : "?")
        + "reWriteBatchedInserts=true");
    config.setMaximumPoolSize(4);
    try (HikariDataSource pool = new HikariDataSource(config)) {
      System.out.println("mode,orders,threads,window,confirmed_per_s,p50_us,p99_us,p999_us");
      for (int round = 0; round < 2; round++) {
        for (Durability mode : Durability.values()) {
          run(pool, mode, orders, threads, window, round == 0);
        }
      }
    }
  }

  private static void run(HikariDataSource pool, Durability mode, int orders, int threads,
      int window, boolean warmUp) throws Exception {
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS bench_durability_order");
    }
    Path dir = Engines.tempDir("durability");
    JdbcOrderSink sink = JdbcOrderSink.builder(pool).table("bench_durability_order")
        .createSchemaIfMissing(true).build();
    SeckillEngine engine = SeckillEngine.builder().dataDir(dir).maxUsersPerShard(2L * orders)
        .outboxCapacityPerShard(2L * orders).orderSink(sink).durability(mode).build();
    try {
      engine.registerSale(Sale.builder("bench").stock(orders).startsAt(Engines.OPEN)
          .endsAt(Engines.CLOSE).limitPerUser(1).build());
      ConcurrentHistogram latency = new ConcurrentHistogram(3);
      AtomicLong confirmed = new AtomicLong();
      CountDownLatch done = new CountDownLatch(orders);
      long start = System.nanoTime();
      Thread[] clients = new Thread[threads];
      for (int t = 0; t < threads; t++) {
        int first = t;
        Semaphore inFlight = new Semaphore(window);
        clients[t] = new Thread(() -> {
          for (int i = first; i < orders; i += threads) {
            inFlight.acquireUninterruptibly();
            long sent = System.nanoTime();
            engine.submit(PurchaseRequest.of("bench", "buyer-" + i, 1), new PurchaseListener() {
              @Override
              public void onConfirmed(PurchaseRequest request, long orderId) {
                latency.recordValue(System.nanoTime() - sent);
                confirmed.incrementAndGet();
                inFlight.release();
                done.countDown();
              }

              @Override
              public void onRejected(PurchaseRequest request, Rejection reason) {
                inFlight.release();
                done.countDown();
              }

              @Override
              public void onFailed(PurchaseRequest request, Throwable cause) {
                inFlight.release();
                done.countDown();
              }
            });
          }
        });
        clients[t].start();
      }
      done.await();
      double seconds = (System.nanoTime() - start) / 1e9;
      engine.flush().get();
      if (!warmUp) {
        System.out.printf(Locale.ROOT, "%s,%d,%d,%d,%.0f,%.0f,%.0f,%.0f%n", mode, orders, threads,
            window, confirmed.get() / seconds, latency.getValueAtPercentile(50) / 1e3,
            latency.getValueAtPercentile(99) / 1e3, latency.getValueAtPercentile(99.9) / 1e3);
      }
    } finally {
      Engines.closeAndDelete(engine, dir);
    }
  }
}
