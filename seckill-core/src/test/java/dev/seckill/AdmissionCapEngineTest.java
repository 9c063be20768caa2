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

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admission cap refuses early once enough is in flight, yet never leaves stock unsold while
 * buyers keep asking: it follows remaining stock and undecided requests, not lifetime counts.
 */
class AdmissionCapEngineTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");
  static final int STOCK = 100;

  @TempDir Path dir;
  final MutableClock clock = new MutableClock(START);

  SeckillEngine engine(Path data) {
    return engine(data, clock);
  }

  SeckillEngine engine(Path data, java.time.Clock clock) {
    return SeckillEngine.builder().dataDir(data).clock(clock).ringSize(1024)
        .maxUsersPerShard(100_000).outboxCapacityPerShard(10_000)
        .admission(AdmissionSettings.builder().noThrottling().admissionCapFactor(2.0).build())
        .build();
  }

  static Sale sale() {
    return Sale.builder("hot").stock(STOCK).startsAt(START).endsAt(START.plus(Duration.ofHours(1)))
        .limitPerUser(1).build();
  }

  /**
   * While no decision is delivered, at most remaining x 2 units get in; the rest are refused.
   * The responder is held (nothing leaves flight) and so is the writer (nothing more is sold, so
   * the sold-out flag cannot answer first): the cap alone decides, deterministically.
   */
  @Test
  void refusesEarlyOnceRemainingTimesFactorIsInFlight() throws Exception {
    ResponderParkingTest.HoldingClock writerHold = new ResponderParkingTest.HoldingClock();
    try (SeckillEngine e = engine(dir.resolve("held"), writerHold)) {
      e.registerSale(sale());
      // Hold the responder: decisions are made but not delivered, so nothing leaves flight.
      CountDownLatch held = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      e.submit(PurchaseRequest.of("hot", "holder", 1), new PurchaseListener() {
        @Override
        public void onConfirmed(PurchaseRequest request, long orderId) {
          held.countDown();
          await(release);
        }

        @Override
        public void onRejected(PurchaseRequest request, Rejection reason) {
          held.countDown();
          await(release);
        }
      });
      List<CompletableFuture<PurchaseResult>> admitted = new ArrayList<>();
      int oversubscribed = 0;
      try {
        assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
        writerHold.armed = true; // the writer stops at its next order: the stock stays published
        for (int i = 0; i < 1_000; i++) {
          CompletableFuture<PurchaseResult> f = e.submit(PurchaseRequest.of("hot", "u" + i, 1));
          if (f.isDone() && !f.join().isConfirmed()) {
            // The writer keeps deciding while the responder is held, so the sold-out flag may
            // be set before the loop ends; until then, the cap is what refuses.
            Rejection why = f.join().rejection();
            assertThat(why).isIn(Rejection.OVERSUBSCRIBED, Rejection.SOLD_OUT);
            if (why == Rejection.OVERSUBSCRIBED) {
              oversubscribed++;
            }
          } else {
            admitted.add(f);
          }
        }
        // The holder's unit left flight when its decision reached the responder (before its
        // callback); the admitted ones wait behind it: never more than 2 x the stock.
        assertThat(e.saleState("hot").admissionCap().inFlight()).isEqualTo(admitted.size());
        assertThat(admitted.size()).isLessThanOrEqualTo(2 * STOCK);
        // Nothing is sold while the writer is held: remaining stays STOCK - 1, so exactly
        // 2 x (STOCK - 1) units get in and every later request is refused by the cap.
        assertThat(admitted).hasSize(2 * (STOCK - 1));
        assertThat(oversubscribed).isEqualTo(1_000 - admitted.size());
      } finally {
        writerHold.release.countDown();
        release.countDown(); // a failed assertion must not leave close() waiting on the responder
      }
      long confirmed = 1;
      for (CompletableFuture<PurchaseResult> f : admitted) {
        if (f.get(30, TimeUnit.SECONDS).isConfirmed()) {
          confirmed++;
        }
      }
      // Every decision freed its units: buyers who keep asking get the rest, one at a time.
      for (int i = 0; i < 1_000 && confirmed < STOCK; i++) {
        PurchaseResult r = e.submit(PurchaseRequest.of("hot", "late-" + i, 1)).get(30, TimeUnit.SECONDS);
        assertThat(r.isConfirmed()).as("nothing in flight: admitted and sold").isTrue();
        confirmed++;
      }
      assertThat(confirmed).isEqualTo(STOCK);
      assertThat(e.snapshot("hot").phase()).isEqualTo(SalePhase.SOLD_OUT);
      assertThat(e.snapshot("hot").rejected(Rejection.OVERSUBSCRIBED)).isEqualTo(oversubscribed);
      assertThat(e.saleState("hot").admissionCap().inFlight()).as("every decision freed its units")
          .isZero();
    }
  }

  /**
   * A crowd 100 x the stock, cap factor 2. First 20 greedy buyers send half the crowd: one unit
   * each, then thousands of LIMIT_REACHED, far more than a lifetime cap of 2 x stock would ever
   * admit. Then the rest of the crowd arrives and must still buy every remaining unit.
   */
  @Test
  void aCrowdWhereMostBuyersHitTheirLimitStillSellsOut() throws Exception {
    try (SeckillEngine e = engine(dir.resolve("crowd"))) {
      e.registerSale(sale());
      int threads = 4;
      int requests = 100 * STOCK;
      List<Map<Rejection, Long>> refusals = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        refusals.add(new EnumMap<>(Rejection.class));
      }
      long[] confirmed = new long[threads];
      List<Thread> crowd = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        crowd.add(new Thread(() -> {
          // Each thread keeps 64 requests outstanding; users come back again and again.
          List<CompletableFuture<PurchaseResult>> window = new ArrayList<>();
          for (int i = id; i < requests; i += threads) {
            String user = i < requests / 2 ? "greedy-" + (i % 20) : "buyer-" + (i % 1000);
            window.add(e.submit(PurchaseRequest.of("hot", user, 1)));
            if (window.size() == 64) {
              drain(window, refusals.get(id), confirmed, id);
            }
          }
          drain(window, refusals.get(id), confirmed, id);
        }));
      }
      crowd.forEach(Thread::start);
      for (Thread t : crowd) {
        t.join();
      }
      long sold = 0;
      Map<Rejection, Long> all = new EnumMap<>(Rejection.class);
      for (int t = 0; t < threads; t++) {
        sold += confirmed[t];
        refusals.get(t).forEach((k, v) -> all.merge(k, v, Long::sum));
      }
      SaleSnapshot s = e.snapshot("hot");
      assertThat(sold).isEqualTo(STOCK);
      assertThat(s.remaining()).isZero();
      assertThat(s.phase()).isEqualTo(SalePhase.SOLD_OUT);
      assertThat(all.getOrDefault(Rejection.LIMIT_REACHED, 0L)).isGreaterThan(2L * STOCK);
      assertThat(e.saleState("hot").admissionCap().inFlight()).as("the cap empties with the crowd")
          .isZero();
      assertThat(all.keySet()).isSubsetOf(Rejection.LIMIT_REACHED, Rejection.SOLD_OUT,
          Rejection.OVERSUBSCRIBED, Rejection.INSUFFICIENT_STOCK);
      System.out.println("crowd of " + requests + " for " + STOCK + " units: " + all);
    }
  }

  private static void drain(List<CompletableFuture<PurchaseResult>> window, Map<Rejection, Long> refusals,
      long[] confirmed, int id) {
    for (CompletableFuture<PurchaseResult> f : window) {
      PurchaseResult r = f.join();
      if (r.isConfirmed()) {
        confirmed[id]++;
      } else {
        refusals.merge(r.rejection(), 1L, Long::sum);
      }
    }
    window.clear();
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
