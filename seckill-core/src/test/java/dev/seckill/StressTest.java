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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many buyers, one sale: 8+ threads send 240,000 requests from 60,000 users for 10,000 units with
 * a limit of 2, half through futures and half through listeners. Checks every promise afterwards.
 */
@Tag("slow")
class StressTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");
  static final int STOCK = 10_000;
  static final int LIMIT = 2;
  static final int USERS = 60_000;
  static final int REQUESTS = 240_000;

  @TempDir Path dir;

  @Test
  void neverOversellsNeverDuplicatesAlwaysAnswersOnce() throws Exception {
    int threads = Math.max(8, 4 * Runtime.getRuntime().availableProcessors());
    MutableClock clock = new MutableClock(START);
    try (SeckillEngine engine = SeckillEngine.builder().dataDir(dir).clock(clock)
        .maxUsersPerShard(100_000).outboxCapacityPerShard(20_000).build()) {
      engine.registerSale(Sale.builder("hot").stock(STOCK).startsAt(START)
          .endsAt(START.plus(Duration.ofHours(1))).limitPerUser(LIMIT).maxPerRequest(1).build());

      int[] userOf = new int[REQUESTS];
      Semaphore[] windowOfThread = new Semaphore[threads];
      for (int t = 0; t < threads; t++) {
        windowOfThread[t] = new Semaphore(512); // keeps the ring from filling: no OVERLOADED here
      }
      windowOf = new Semaphore[REQUESTS];
      for (int i = 0; i < REQUESTS; i++) {
        windowOf[i] = windowOfThread[i % threads]; // request i is sent by thread i % threads
      }
      SplittableRandom seeds = new SplittableRandom(20261111);
      for (int i = 0; i < REQUESTS; i++) {
        userOf[i] = seeds.nextInt(USERS);
      }

      CountDownLatch start = new CountDownLatch(1);
      List<Thread> clients = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int first = t;
        boolean useListener = t % 2 == 0;
        Semaphore window = windowOfThread[t];
        Thread client = new Thread(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          for (int i = first; i < REQUESTS; i += threads) {
            int index = i;
            window.acquireUninterruptibly();
            PurchaseRequest request = PurchaseRequest.of("hot", "user-" + userOf[i], 1);
            if (useListener) {
              engine.submit(request, new PurchaseListener() {
                @Override
                public void onConfirmed(PurchaseRequest r, long orderId) {
                  record(index, orderId);
                }

                @Override
                public void onRejected(PurchaseRequest r, Rejection reason) {
                  record(index, -1L - reason.ordinal());
                }

                @Override
                public void onFailed(PurchaseRequest r, Throwable cause) {
                  record(index, Long.MIN_VALUE);
                }
              });
            } else {
              CompletableFuture<PurchaseResult> f = engine.submit(request);
              f.whenComplete((r, e) -> record(index, e != null ? Long.MIN_VALUE
                  : r.isConfirmed() ? r.orderId() : -1L - r.rejection().ordinal()));
            }
          }
        }, "stress-client-" + t);
        clients.add(client);
      }
      clients.forEach(Thread::start);
      start.countDown();
      allAnswered.await();
      for (Thread c : clients) {
        c.join();
      }

      // Every request answered exactly once, none failed.
      Map<Rejection, Integer> rejected = new EnumMap<>(Rejection.class);
      Set<Long> orderIds = new HashSet<>();
      Map<Integer, Integer> unitsPerUser = new HashMap<>();
      for (int i = 0; i < REQUESTS; i++) {
        assertThat(answers.get(i)).as("answers to request %d", i).isEqualTo(1);
        long a = answer.get(i);
        assertThat(a).as("request %d failed", i).isNotEqualTo(Long.MIN_VALUE);
        if (a > 0) {
          assertThat(orderIds.add(a)).as("order id %d confirmed twice", a).isTrue();
          unitsPerUser.merge(userOf[i], 1, Integer::sum);
        } else {
          rejected.merge(Rejection.values()[(int) (-1L - a)], 1, Integer::sum);
        }
      }
      assertThat(orderIds).hasSize(STOCK);
      assertThat(unitsPerUser.values()).allSatisfy(u -> assertThat(u).isLessThanOrEqualTo(LIMIT));
      assertThat(rejected.keySet()).containsOnly(Rejection.SOLD_OUT, Rejection.LIMIT_REACHED);

      SaleSnapshot s = engine.snapshot("hot");
      assertThat(s.unitsSold()).isEqualTo(STOCK);
      assertThat(s.remaining()).isZero();
      assertThat(s.ordersConfirmed()).isEqualTo(STOCK);
      assertThat(s.phase()).isEqualTo(SalePhase.SOLD_OUT);
      assertThat(s.rejected(Rejection.SOLD_OUT)).isEqualTo((long) rejected.get(Rejection.SOLD_OUT));
      assertThat(s.rejected(Rejection.LIMIT_REACHED)).isEqualTo((long) rejected.get(Rejection.LIMIT_REACHED));

      // After sell-out, everything is SOLD_OUT, decided on the caller's thread.
      for (int i = 0; i < 1_000; i++) {
        CompletableFuture<PurchaseResult> f = engine.submit(PurchaseRequest.of("hot", "late-" + i, 1));
        assertThat(f).isDone();
        assertThat(f.join().rejection()).isEqualTo(Rejection.SOLD_OUT);
      }
    }
  }

  // Per request: the answer (order id, or -(1 + rejection ordinal)), how many answers came, and
  // the window of the thread that sent it, released by whichever thread delivers the answer.
  private final AtomicLongArray answer = new AtomicLongArray(REQUESTS);
  private final AtomicIntegerArray answers = new AtomicIntegerArray(REQUESTS);
  private final CountDownLatch allAnswered = new CountDownLatch(REQUESTS);
  private Semaphore[] windowOf;

  private void record(int index, long value) {
    answer.set(index, value);
    answers.incrementAndGet(index);
    windowOf[index].release();
    allAnswered.countDown();
  }
}
