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
package dev.seckill.examples.demo;

import dev.seckill.PurchaseListener;
import dev.seckill.PurchaseRequest;
import dev.seckill.Rejection;
import dev.seckill.Sale;
import dev.seckill.SaleSnapshot;
import dev.seckill.SeckillEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * A simulated flash sale: {@code threads} client threads send {@code requests} purchases for one
 * sale from {@code users} virtual users picked at random (seeded), with at most {@code window}
 * requests outstanding per thread. Records submit-to-decision latency and checks the promises
 * afterwards.
 */
public final class FlashSaleSimulation {

  /** What to simulate. */
  public record Settings(int users, int requests, int threads, long stock, int limitPerUser,
      int window, long seed) {
    /** The demo's defaults: 50,000 users, 200,000 requests, 4 threads, 10,000 units, limit 2. */
    public static Settings defaults() {
      return new Settings(50_000, 200_000, 4, 10_000, 2, 64, 42);
    }
  }

  /** What happened. */
  public record Report(Settings settings, SaleSnapshot snapshot, long confirmedUnits,
      long confirmedOrders, Map<Rejection, Long> rejections, Duration elapsed, Histogram latencyNanos,
      boolean orderIdsUnique, int maxUnitsPerUser) {

    /** Decisions per second over the run. */
    public double decisionsPerSecond() {
      return settings.requests() / (elapsed.toNanos() / 1e9);
    }
  }

  private FlashSaleSimulation() {}

  /** Runs one sale in {@code dataDir} (which must be empty or absent) and reports. */
  public static Report run(Settings s, Path dataDir) throws InterruptedException {
    try (SeckillEngine engine = SeckillEngine.builder().dataDir(dataDir).build()) {
      Instant now = engine.clock().instant();
      engine.registerSale(Sale.builder("demo-sale").stock(s.stock()).startsAt(now)
          .endsAt(now.plus(Duration.ofMinutes(10))).limitPerUser(s.limitPerUser())
          .maxPerRequest(1).build());

      ConcurrentHistogram latency = new ConcurrentHistogram(3);
      LongAdder units = new LongAdder();
      LongAdder orders = new LongAdder();
      EnumMap<Rejection, LongAdder> rejected = new EnumMap<>(Rejection.class);
      for (Rejection r : Rejection.values()) {
        rejected.put(r, new LongAdder());
      }
      Set<Long> orderIds = ConcurrentHashMap.newKeySet();
      ConcurrentHashMap<String, AtomicInteger> perUser = new ConcurrentHashMap<>();
      CountDownLatch decided = new CountDownLatch(s.requests());

      Thread[] clients = new Thread[s.threads()];
      long started = System.nanoTime();
      for (int t = 0; t < s.threads(); t++) {
        int share = s.requests() / s.threads() + (t < s.requests() % s.threads() ? 1 : 0);
        SplittableRandom random = new SplittableRandom(s.seed() + t);
        Semaphore window = new Semaphore(s.window());
        clients[t] = new Thread(() -> {
          for (int i = 0; i < share; i++) {
            window.acquireUninterruptibly();
            String user = "user-" + random.nextInt(s.users());
            long sentAt = System.nanoTime();
            engine.submit(PurchaseRequest.of("demo-sale", user, 1), new PurchaseListener() {
              @Override
              public void onConfirmed(PurchaseRequest request, long orderId) {
                latency.recordValue(System.nanoTime() - sentAt);
                units.add(request.quantity());
                orders.increment();
                orderIds.add(orderId);
                perUser.computeIfAbsent(request.userId(), k -> new AtomicInteger())
                    .addAndGet(request.quantity());
                window.release();
                decided.countDown();
              }

              @Override
              public void onRejected(PurchaseRequest request, Rejection reason) {
                latency.recordValue(System.nanoTime() - sentAt);
                rejected.get(reason).increment();
                window.release();
                decided.countDown();
              }

              @Override
              public void onFailed(PurchaseRequest request, Throwable cause) {
                window.release();
                decided.countDown();
                throw new IllegalStateException("ledger failure", cause);
              }
            });
          }
        }, "client-" + t);
        clients[t].start();
      }
      decided.await();
      Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
      for (Thread c : clients) {
        c.join();
      }
      EnumMap<Rejection, Long> counts = new EnumMap<>(Rejection.class);
      rejected.forEach((r, n) -> {
        if (n.sum() > 0) {
          counts.put(r, n.sum());
        }
      });
      int maxPerUser = perUser.values().stream().mapToInt(AtomicInteger::get).max().orElse(0);
      return new Report(s, engine.snapshot("demo-sale"), units.sum(), orders.sum(), counts,
          elapsed, latency, orderIds.size() == orders.sum(), maxPerUser);
    }
  }
}
