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

import dev.seckill.OrderTransition.Outcome;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reservations through the engine's public API: pay, cancel, a late payment, ALL_HELD, the
 * sold-out flag cleared by a give-back, the quota rule, the timer's expiry, a restart, and the
 * settings' validation.
 */
class ReservationEngineTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");
  static final Duration PAY_WITHIN = Duration.ofMinutes(5);

  @TempDir Path dir;
  final MutableClock clock = new MutableClock(START);

  SeckillEngine open() {
    return SeckillEngine.builder().dataDir(dir).clock(clock).developmentDefaults()
        .prefaultFiles(false).build();
  }

  static Sale sale(String id, long stock, boolean restores) {
    return Sale.builder(id).stock(stock).startsAt(START).endsAt(START.plus(Duration.ofHours(1)))
        .limitPerUser(1).payWithin(PAY_WITHIN).releaseRestoresLimit(restores).build();
  }

  static long buy(SeckillEngine e, String sale, String user) {
    PurchaseResult r = e.submit(PurchaseRequest.of(sale, user, 1)).join();
    assertThat(r.isConfirmed()).as("%s buys: %s", user, r).isTrue();
    return r.orderId();
  }

  @Test
  void maxReservationsPerShardIsFixedOnceTheTableExists() {
    try (SeckillEngine e = SeckillEngine.builder().dataDir(dir).clock(clock).developmentDefaults()
        .prefaultFiles(false).maxReservationsPerShard(100).build()) {
      e.registerSale(sale("s", 3, false));
    }
    assertThatThrownBy(() -> SeckillEngine.builder().dataDir(dir).clock(clock)
        .developmentDefaults().prefaultFiles(false).maxReservationsPerShard(200).build())
        .hasMessageContaining("maxReservationsPerShard=100")
        .hasMessageContaining("maxReservationsPerShard=200");
    try (SeckillEngine e = SeckillEngine.builder().dataDir(dir).clock(clock).developmentDefaults()
        .prefaultFiles(false).maxReservationsPerShard(100).build()) {
      assertThat(e.snapshot("s").remaining()).isEqualTo(3); // the refusal left the files as they were
    }
  }

  @Test
  void payIsIdempotentByReferenceAndAnotherReferenceConflicts() {
    try (SeckillEngine e = open()) {
      e.registerSale(sale("s", 3, false));
      long order = buy(e, "s", "alice");
      assertThat(e.snapshot("s").held()).isEqualTo(1);
      OrderTransition paid = e.pay(order, "psp-1").join();
      assertThat(paid.outcome()).isEqualTo(Outcome.APPLIED);
      assertThat(paid.state()).isEqualTo(OrderState.PAID);
      assertThat(e.pay(order, "psp-1").join().outcome()).isEqualTo(Outcome.ALREADY_IN_STATE);
      OrderTransition other = e.pay(order, "psp-2").join();
      assertThat(other.outcome()).isEqualTo(Outcome.CONFLICT);
      assertThat(other.state()).isEqualTo(OrderState.PAID);
      assertThat(e.cancel(order).join().outcome()).isEqualTo(Outcome.CONFLICT);
      assertThat(e.pay(order + 1_000, "psp-1").join().outcome()).isEqualTo(Outcome.UNKNOWN_ORDER);
      SaleSnapshot snap = e.snapshot("s");
      assertThat(new long[] {snap.remaining(), snap.held(), snap.paid()}).containsExactly(2, 0, 1);
      assertThat(e.saleView("s").paid()).isEqualTo(1);
    }
  }

  @Test
  void aCancelGivesTheUnitBackAtOnceAndClearsSoldOut() {
    try (SeckillEngine e = open()) {
      e.registerSale(sale("s", 1, false));
      long order = buy(e, "s", "alice");
      assertThat(e.submit(PurchaseRequest.of("s", "bob", 1)).join().rejection())
          .as("nothing free, one unit held").isEqualTo(Rejection.ALL_HELD);
      assertThat(e.snapshot("s").phase()).isEqualTo(SalePhase.SOLD_OUT);
      OrderTransition cancelled = e.cancel(order).join();
      assertThat(cancelled.applied()).isTrue();
      assertThat(cancelled.state()).isEqualTo(OrderState.CANCELLED);
      assertThat(e.cancel(order).join().outcome()).isEqualTo(Outcome.ALREADY_IN_STATE);
      assertThat(e.snapshot("s").phase()).isEqualTo(SalePhase.ON_SALE);
      assertThat(e.submit(PurchaseRequest.of("s", "alice", 1)).join().rejection())
          .as("the quota is not given back by default").isEqualTo(Rejection.LIMIT_REACHED);
      buy(e, "s", "bob"); // the unit sells again
      assertThat(e.submit(PurchaseRequest.of("s", "carol", 1)).join().rejection())
          .isEqualTo(Rejection.ALL_HELD);
    }
  }

  @Test
  void releaseRestoresLimitGivesTheQuotaBack() {
    try (SeckillEngine e = open()) {
      e.registerSale(sale("s", 5, true));
      long order = buy(e, "s", "alice");
      assertThat(e.cancel(order).join().applied()).isTrue();
      buy(e, "s", "alice");
    }
  }

  @Test
  void aPaymentAtTheDeadlineIsTooLateAndTheUnitSellsAgain() {
    try (SeckillEngine e = open()) {
      e.registerSale(sale("s", 2, false));
      long first = buy(e, "s", "alice");
      long second = buy(e, "s", "bob");
      clock.advance(PAY_WITHIN.minusMillis(1));
      assertThat(e.pay(first, "psp-1").join().outcome()).as("1 ms before the deadline")
          .isEqualTo(Outcome.APPLIED);
      clock.advance(Duration.ofMillis(1));
      OrderTransition late = e.pay(second, "psp-2").join();
      assertThat(late.outcome()).as("at the deadline: refund").isEqualTo(Outcome.TOO_LATE);
      assertThat(late.state()).isEqualTo(OrderState.EXPIRED);
      assertThat(e.cancel(second).join().outcome()).isEqualTo(Outcome.TOO_LATE);
      SaleSnapshot snap = e.snapshot("s");
      assertThat(new long[] {snap.remaining(), snap.held(), snap.paid()}).containsExactly(1, 0, 1);
      buy(e, "s", "carol");
    }
  }

  @Test
  void theTimerExpiresDueReservationsWithoutAnyCall() {
    try (SeckillEngine e = open()) {
      e.registerSale(sale("s", 1, false));
      buy(e, "s", "alice");
      assertThat(e.snapshot("s").phase()).isEqualTo(SalePhase.SOLD_OUT);
      clock.advance(PAY_WITHIN);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (e.snapshot("s").held() > 0 && System.nanoTime() - deadline < 0) {
        Thread.onSpinWait(); // the timer ticks every 100 ms; no sleep, a bounded wait
      }
      SaleSnapshot snap = e.snapshot("s");
      assertThat(snap.held()).isZero();
      assertThat(snap.remaining()).isEqualTo(1);
      assertThat(snap.phase()).isEqualTo(SalePhase.ON_SALE);
      buy(e, "s", "bob");
    }
  }

  @Test
  void reservationsSurviveARestartAndFallDueAfterIt() {
    long order;
    try (SeckillEngine e = open()) {
      e.registerSale(sale("s", 3, false));
      order = buy(e, "s", "alice");
      long paid = buy(e, "s", "bob");
      assertThat(e.pay(paid, "psp").join().applied()).isTrue();
    }
    try (SeckillEngine e = open()) {
      SaleSnapshot snap = e.snapshot("s");
      assertThat(new long[] {snap.remaining(), snap.held(), snap.paid()}).containsExactly(1, 1, 1);
      assertThat(e.sales().get(0)).isEqualTo(sale("s", 3, false));
      clock.advance(PAY_WITHIN);
      assertThat(e.pay(order, "psp").join().outcome()).isEqualTo(Outcome.TOO_LATE);
      snap = e.snapshot("s");
      assertThat(new long[] {snap.remaining(), snap.held(), snap.paid()}).containsExactly(2, 0, 1);
    }
  }

  @Test
  void aFinalOrderIsNotAReservation() {
    try (SeckillEngine e = open()) {
      e.registerSale(Sale.builder("f").stock(2).startsAt(START).endsAt(START.plusSeconds(60))
          .limitPerUser(1).build());
      long order = buy(e, "f", "alice");
      assertThat(e.pay(order, "psp").join().outcome()).isEqualTo(Outcome.UNKNOWN_ORDER);
      assertThat(e.snapshot("f").held()).isZero();
    }
  }

  @Test
  void theReservationBoundAnswersOverloadedUntilRetentionReclaimsTerminalEntries() {
    try (SeckillEngine e = SeckillEngine.builder().dataDir(dir).clock(clock).developmentDefaults()
        .prefaultFiles(false).maxReservationsPerShard(16)
        .reservationRetention(Duration.ofSeconds(1)).build()) {
      e.registerSale(sale("s", 100, false));
      long[] orders = new long[16];
      for (int i = 0; i < 16; i++) {
        orders[i] = buy(e, "s", "u" + i);
      }
      assertThat(e.submit(PurchaseRequest.of("s", "late", 1)).join().rejection())
          .as("the table holds 16 reservations").isEqualTo(Rejection.OVERLOADED);
      for (long id : orders) {
        assertThat(e.pay(id, "psp-" + id).join().applied()).isTrue();
      }
      assertThat(e.submit(PurchaseRequest.of("s", "late", 1)).join().rejection())
          .as("paid entries are kept for the retention").isEqualTo(Rejection.OVERLOADED);
      clock.advance(PAY_WITHIN.plusSeconds(1)); // past every deadline, and the retention after it
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      PurchaseResult r = e.submit(PurchaseRequest.of("s", "late", 1)).join();
      while (!r.isConfirmed() && System.nanoTime() - deadline < 0) {
        assertThat(r.rejection()).isEqualTo(Rejection.OVERLOADED);
        Thread.onSpinWait(); // until a tick's sweep reclaims the entries; no sleep, bounded
        r = e.submit(PurchaseRequest.of("s", "late", 1)).join();
      }
      assertThat(r.isConfirmed()).as("a reclaimed entry makes room").isTrue();
      assertThat(e.pay(orders[0], "psp-" + orders[0]).join().outcome())
          .as("a reclaimed order is no longer known").isEqualTo(Outcome.UNKNOWN_ORDER);
      assertThat(e.snapshot("s").paid()).isEqualTo(16);
    }
  }

  @Test
  void settingsAreValidated() {
    Sale.Builder b = Sale.builder("x");
    assertThatThrownBy(() -> b.payWithin(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("payWithin").hasMessageContaining("PT0S");
    assertThatThrownBy(() -> b.payWithin(Duration.ofDays(31)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT744H");
    assertThatThrownBy(() -> b.payWithin(Duration.ofNanos(1_500_000)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("payWithin");
    assertThatThrownBy(() -> SeckillEngine.builder().maxReservationsPerShard(3))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxReservationsPerShard")
        .hasMessageContaining("3");
    assertThatThrownBy(() -> SeckillEngine.builder().reservationTickInterval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reservationTickInterval");
    try (SeckillEngine e = open()) {
      assertThatThrownBy(() -> e.pay(0, "psp")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("orderId").hasMessageContaining("0");
      assertThatThrownBy(() -> e.pay(1, " ")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("paymentRef");
    }
    Sale a = sale("s", 1, false);
    Sale other = Sale.builder("s").stock(1).startsAt(START).endsAt(START.plus(Duration.ofHours(1)))
        .limitPerUser(1).payWithin(PAY_WITHIN.plusSeconds(1)).build();
    assertThat(a.differences(other)).containsExactly("payWithin PT5M vs PT5M1S");
    assertThat(a.differences(sale("s", 1, true)))
        .containsExactly("releaseRestoresLimit false vs true");
    assertThat(a).isNotEqualTo(other);
  }
}
