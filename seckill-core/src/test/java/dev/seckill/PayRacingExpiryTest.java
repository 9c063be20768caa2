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

import dev.seckill.OrderTransition.Outcome;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pay racing expiry: 10,000 reservations, each with the clock set to its deadline -1 ms, exactly,
 * or +1 ms, then two payments (different references) and a cancel sent at once from three
 * threads while the reservation timer ticks every millisecond. Forbidden: two calls both
 * APPLIED, a payment accepted at or after the deadline, an order that is neither exactly one of
 * PAID, CANCELLED, EXPIRED, and stock counted twice ({@code remaining + held + paid != stock}).
 */
@Tag("slow")
class PayRacingExpiryTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");
  static final int TRIALS = 10_000;
  static final Duration PAY_WITHIN = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void eachOrderEndsInExactlyOneTerminalStateAndStockIsCountedOnce() throws Exception {
    MutableClock clock = new MutableClock(START);
    Sale sale = Sale.builder("race").stock(TRIALS).startsAt(START)
        .endsAt(START.plus(Duration.ofDays(30))).limitPerUser(1).payWithin(PAY_WITHIN).build();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    Map<OrderState, Integer> ends = new EnumMap<>(OrderState.class);
    try (SeckillEngine e = SeckillEngine.builder().dataDir(dir).clock(clock)
        .maxUsersPerShard(TRIALS * 2L).outboxCapacityPerShard(TRIALS * 4L)
        .maxReservationsPerShard(TRIALS * 2L).reservationTickInterval(Duration.ofMillis(1))
        .prefaultFiles(false).build()) {
      e.registerSale(sale);
      for (int trial = 0; trial < TRIALS; trial++) {
        PurchaseResult bought = e.submit(PurchaseRequest.of("race", "buyer-" + trial, 1)).join();
        assertThat(bought.isConfirmed()).as("trial %d: %s", trial, bought).isTrue();
        long order = bought.orderId();
        long delta = trial % 3 - 1; // -1, 0, +1 ms around the deadline
        clock.advance(PAY_WITHIN.plusMillis(delta));
        CyclicBarrier start = new CyclicBarrier(3);
        CompletableFuture<OrderTransition> payA = call(pool, start, () -> e.pay(order, "psp-a"));
        CompletableFuture<OrderTransition> payB = call(pool, start, () -> e.pay(order, "psp-b"));
        CompletableFuture<OrderTransition> cancel = call(pool, start, () -> e.cancel(order));
        List<OrderTransition> answers = List.of(payA.join(), payB.join(), cancel.join());
        long applied = answers.stream().filter(OrderTransition::applied).count();
        OrderState end = answers.get(0).state();
        assertThat(answers).as("trial %d: one state for all answers", trial)
            .allSatisfy(t -> assertThat(t.state()).isEqualTo(end));
        if (delta < 0) {
          assertThat(applied).as("trial %d: before the deadline exactly one call wins", trial)
              .isEqualTo(1);
          assertThat(end).isIn(OrderState.PAID, OrderState.CANCELLED);
        } else {
          assertThat(applied).as("trial %d: at or after the deadline no call wins", trial).isZero();
          assertThat(end).isEqualTo(OrderState.EXPIRED);
          assertThat(answers).allSatisfy(t -> assertThat(t.outcome()).isEqualTo(Outcome.TOO_LATE));
        }
        ends.merge(end, 1, Integer::sum);
        SaleSnapshot snap = e.snapshot("race");
        assertThat(snap.remaining() + snap.held() + snap.paid()).as("trial %d: stock", trial)
            .isEqualTo(TRIALS);
        assertThat(snap.held()).as("trial %d: nothing held", trial).isZero();
      }
      SaleSnapshot snap = e.snapshot("race");
      assertThat(snap.paid()).isEqualTo((long) ends.getOrDefault(OrderState.PAID, 0));
      assertThat(snap.remaining()).isEqualTo(TRIALS - snap.paid());
      assertThat(ends.get(OrderState.EXPIRED)).isEqualTo(TRIALS - TRIALS / 3 - (TRIALS % 3 > 0 ? 1 : 0));
    } finally {
      pool.shutdownNow();
    }
  }

  private static CompletableFuture<OrderTransition> call(ExecutorService pool, CyclicBarrier start,
      java.util.function.Supplier<CompletableFuture<OrderTransition>> op) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        start.await();
      } catch (Exception ex) {
        throw new IllegalStateException(ex);
      }
      return op.get().join();
    }, pool);
  }
}
