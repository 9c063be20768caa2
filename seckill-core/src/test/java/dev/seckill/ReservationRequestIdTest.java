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

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request ids on reservations (a sale with {@code payWithin}): a retried purchase gets the
 * reservation's order id whatever became of it (held, paid, expired), across a reopen and a crash
 * after any write of the reservation, whose journal record then carries both the reservation's
 * trailer and the request key.
 */
class ReservationRequestIdTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");
  static final Duration PAY_WITHIN = Duration.ofMinutes(10);

  @TempDir Path dir;
  final MutableClock clock = new MutableClock(START);

  SeckillEngine open() {
    return SeckillEngine.builder().dataDir(dir).clock(clock).developmentDefaults()
        .prefaultFiles(false).build();
  }

  static Sale sale(String id, long stock) {
    return Sale.builder(id).stock(stock).startsAt(START).endsAt(START.plus(Duration.ofHours(1)))
        .limitPerUser(1).payWithin(PAY_WITHIN).build();
  }

  static PurchaseRequest buy(String sale, String user, String requestId) {
    return PurchaseRequest.of(sale, user, 1).withRequestId(requestId);
  }

  @Test
  void aRetryGetsTheReservationWhetherHeldPaidOrAfterAReopen() {
    long id;
    try (SeckillEngine e = open()) {
      e.registerSale(sale("s", 5));
      id = e.submit(buy("s", "alice", "click-1")).join().orderId();
      assertThat(e.submit(buy("s", "alice", "click-1")).join().orderId()).isEqualTo(id);
      assertThat(e.snapshot("s").held()).isEqualTo(1);
      assertThat(e.pay(id, "pay-1").join().outcome()).isEqualTo(OrderTransition.Outcome.APPLIED);
      PurchaseResult again = e.submit(buy("s", "alice", "click-1")).join();
      assertThat(again.isConfirmed()).isTrue();
      assertThat(again.orderId()).isEqualTo(id);
    }
    try (SeckillEngine e = open()) {
      assertThat(e.submit(buy("s", "alice", "click-1")).join().orderId()).isEqualTo(id);
      SaleSnapshot s = e.snapshot("s");
      assertThat(s.paid()).isEqualTo(1);
      assertThat(s.held()).isZero();
      assertThat(s.remaining()).isEqualTo(4);
      assertThat(s.ordersConfirmed()).isEqualTo(1);
    }
  }

  /** An expired reservation's retry names it; paying it answers TOO_LATE (refund). */
  @Test
  void aRetryOfAnExpiredReservationNamesItAndItsPaymentIsTooLate() {
    try (SeckillEngine e = open()) {
      e.registerSale(sale("s", 1));
      long id = e.submit(buy("s", "bob", "click-b")).join().orderId();
      clock.set(START.plus(PAY_WITHIN));
      PurchaseResult retry = e.submit(buy("s", "bob", "click-b")).join();
      assertThat(retry.orderId()).isEqualTo(id);
      assertThat(e.pay(id, "late").join().outcome()).isEqualTo(OrderTransition.Outcome.TOO_LATE);
      assertThat(e.snapshot("s").remaining()).isEqualTo(1);
    }
  }

  /** The last unit, reserved by one of 8 copies of a request at once: every copy gets its order. */
  @Test
  void eightCopiesRacingForTheLastReservedUnitAllGetItsOrder() throws Exception {
    try (SeckillEngine e = open()) {
      for (int round = 0; round < 10; round++) {
        String saleId = "last-" + round;
        e.registerSale(sale(saleId, 1));
        Set<Long> ids = new HashSet<>();
        for (PurchaseResult r
            : Concurrently.race(8, () -> e.submit(buy(saleId, "carol", "only-click")).join())) {
          assertThat(r.isConfirmed()).as("round %d: %s", round, r).isTrue();
          ids.add(r.orderId());
        }
        assertThat(ids).as("round %d", round).hasSize(1);
        assertThat(e.snapshot(saleId).held()).isEqualTo(1);
      }
    }
  }

  /**
   * A crash after each write of a reservation carrying a request id (journal record, request id,
   * reservation entry, buyer's units, counters): absent or applied, and if applied the retry
   * gets the order and the reservation is held once.
   */
  @Test
  void aCrashAfterEachWriteOfAReservationKeepsTheRequestIdWithItsOrder() throws IOException {
    for (int crashAfter = 1; crashAfter <= 4; crashAfter++) {
      Path shardDir = dir.resolve("crash-after-" + crashAfter);
      LedgerConfig config = new LedgerConfig(shardDir, 0, 1, 1_000, 1_000, 8, clock, false);
      try (StockLedger ledger = StockLedger.open(config)) {
        SaleState s = ledger.register(sale("s", 10));
        UserKey user = new UserKey();
        UserKey request = new UserKey();
        ledger.userKeys().hash(s.keyIndex(), "b", user);
        ledger.requestKey(s, "rb", request);
        int step = crashAfter;
        ledger.probe(w -> {
          if (w == step) {
            throw new IllegalStateException("simulated crash after write " + w);
          }
        });
        assertThatThrownBy(() -> {
          ledger.decide(s, "b", user, 1, request);
          ledger.checkpoint();
        }).hasMessageContaining("simulated crash");
        ledger.abandon();
      }
      try (StockLedger reopened = StockLedger.open(config)) {
        SaleState s = reopened.sales().get(0);
        UserKey user = new UserKey();
        UserKey request = new UserKey();
        reopened.userKeys().hash(s.keyIndex(), "b", user);
        reopened.requestKey(s, "rb", request);
        assertThat(reopened.appliedSeq()).as("crash after write %d", crashAfter).isEqualTo(1);
        assertThat(reopened.recall(request, user, 1)).isEqualTo(1);
        assertThat(reopened.decide(s, "b", user, 1, request)).isEqualTo(1);
        assertThat(s.publishedCounters().held()).isEqualTo(1);
        assertThat(s.publishedCounters().remaining()).isEqualTo(9);
      }
    }
  }
}
