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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idempotent retries: a purchase carrying a request id, submitted again, gets the decision of the
 * first one that was confirmed, from any thread, after a sell-out or the end, after a reopen and
 * after a crash at any write; bounded, with retention by generations.
 */
class RequestIdTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");

  @TempDir Path dir;
  final MutableClock clock = new MutableClock(START);

  SeckillEngine open() {
    return open(1_000);
  }

  SeckillEngine open(long maxIds) {
    return SeckillEngine.builder().dataDir(dir).clock(clock).developmentDefaults()
        .prefaultFiles(false).maxRequestIdsPerShard(maxIds)
        .requestIdRetention(Duration.ofMinutes(10)).build();
  }

  static Sale sale(String id, long stock, int limit) {
    return Sale.builder(id).stock(stock).startsAt(START).endsAt(START.plus(Duration.ofHours(1)))
        .limitPerUser(limit).build();
  }

  static PurchaseRequest buy(String sale, String user, int quantity, String requestId) {
    return PurchaseRequest.of(sale, user, quantity).withRequestId(requestId);
  }

  @Test
  void eightThreadsRetryingOneRequestIdMakeOneOrder() throws Exception {
    try (SeckillEngine e = open()) {
      e.registerSale(sale("s", 100, 1));
      for (int round = 0; round < 20; round++) {
        String user = "u" + round;
        Set<Long> ids = new HashSet<>();
        for (PurchaseResult r
            : Concurrently.race(8, () -> e.submit(buy("s", user, 1, "click-" + user)).join())) {
          assertThat(r.isConfirmed()).as("round %d: %s", round, r).isTrue();
          ids.add(r.orderId());
        }
        assertThat(ids).as("round %d", round).hasSize(1);
      }
      assertThat(e.snapshot("s").ordersConfirmed()).isEqualTo(20);
      assertThat(e.snapshot("s").remaining()).isEqualTo(80);
    }
  }

  /**
   * The last unit, bought by 8 copies of one request at once: the copy that confirms sells out the
   * sale, so the others are refused SOLD_OUT on their own thread or by the writer, unless the
   * request id answers them; every copy must get the one order.
   */
  @Test
  void eightCopiesRacingForTheLastUnitAllGetItsOrder() throws Exception {
    try (SeckillEngine e = open()) {
      for (int round = 0; round < 10; round++) {
        String saleId = "last-" + round;
        e.registerSale(sale(saleId, 1, 1));
        Set<Long> ids = new HashSet<>();
        for (PurchaseResult r
            : Concurrently.race(8, () -> e.submit(buy(saleId, "alice", 1, "only-click")).join())) {
          assertThat(r.isConfirmed()).as("round %d: %s", round, r).isTrue();
          ids.add(r.orderId());
        }
        assertThat(ids).hasSize(1);
        assertThat(e.snapshot(saleId).rejections().get(Rejection.SOLD_OUT)).isZero();
      }
    }
  }

  @Test
  void aRetryGetsTheOriginalAfterSellOutAndAfterTheEnd() {
    try (SeckillEngine e = open()) {
      e.registerSale(sale("s", 1, 1));
      long id = e.submit(buy("s", "alice", 1, "r1")).join().orderId();
      assertThat(id).isPositive();
      // Sold out: the caller thread refuses early, but the request id is remembered.
      assertThat(e.submit(buy("s", "alice", 1, "r1")).join().orderId()).isEqualTo(id);
      assertThat(e.submit(PurchaseRequest.of("s", "alice", 1)).join().rejection())
          .isEqualTo(Rejection.SOLD_OUT);
      assertThat(e.submit(buy("s", "bob", 1, "r1")).join().rejection())
          .as("another user's request with the same id").isEqualTo(Rejection.SOLD_OUT);
      clock.advance(Duration.ofHours(2));
      assertThat(e.submit(buy("s", "alice", 1, "r1")).join().orderId()).isEqualTo(id);
      assertThat(e.snapshot("s").ordersConfirmed()).isEqualTo(1);
    }
  }

  @Test
  void aRetryIsNeverLimitReachedAndAReusedIdForAnotherPurchaseIsInvalid() {
    try (SeckillEngine e = open()) {
      e.registerSale(sale("s", 10, 2));
      long id = e.submit(buy("s", "alice", 2, "r1")).join().orderId();
      assertThat(e.submit(buy("s", "alice", 2, "r1")).join().orderId()).isEqualTo(id);
      assertThat(e.submit(buy("s", "alice", 1, "r2")).join().rejection())
          .as("a new request id is a new purchase").isEqualTo(Rejection.LIMIT_REACHED);
      assertThat(e.submit(buy("s", "alice", 1, "r1")).join().rejection())
          .as("same id, other quantity").isEqualTo(Rejection.INVALID_REQUEST);
      assertThat(e.submit(buy("s", "bob", 2, "r1")).join().rejection())
          .as("same id, other user").isEqualTo(Rejection.INVALID_REQUEST);
      // A refused request is not remembered: bob's own id r3, refused then, is decided afresh.
      assertThat(e.submit(buy("s", "bob", 3, "r3")).join().rejection())
          .isEqualTo(Rejection.INVALID_REQUEST); // over maxPerRequest, on the caller thread
      assertThat(e.submit(buy("s", "bob", 1, "r3")).join().isConfirmed()).isTrue();
      // The same request id in another sale is another purchase.
      e.registerSale(sale("t", 10, 2));
      assertThat(e.submit(buy("t", "alice", 2, "r1")).join().orderId()).isNotEqualTo(id);
    }
  }

  @Test
  void aRetryAfterACleanReopenGetsTheOriginal() {
    Map<String, Long> ids = new HashMap<>();
    try (SeckillEngine e = open()) {
      e.registerSale(sale("s", 100, 1));
      for (int i = 0; i < 30; i++) {
        ids.put("u" + i, e.submit(buy("s", "u" + i, 1, "req-" + i)).join().orderId());
      }
    }
    try (SeckillEngine e = open()) {
      for (int i = 0; i < 30; i++) {
        assertThat(e.submit(buy("s", "u" + i, 1, "req-" + i)).join().orderId())
            .isEqualTo(ids.get("u" + i));
      }
      assertThat(e.snapshot("s").ordersConfirmed()).isEqualTo(30);
    }
  }

  @Test
  void aFullWindowAnswersOverloadedForRequestIdsOnlyAndTheNextWindowMakesRoom() {
    try (SeckillEngine e = open(16)) {
      e.registerSale(sale("s", 1_000, 1));
      Map<Integer, Long> ids = new HashMap<>();
      for (int i = 0; i < 16; i++) {
        ids.put(i, e.submit(buy("s", "u" + i, 1, "r" + i)).join().orderId());
      }
      assertThat(e.submit(buy("s", "u16", 1, "r16")).join().rejection())
          .isEqualTo(Rejection.OVERLOADED);
      assertThat(e.submit(buy("s", "u1", 1, "r1")).join().orderId())
          .as("retries are still answered").isEqualTo(ids.get(1));
      assertThat(e.submit(PurchaseRequest.of("s", "u16", 1)).join().isConfirmed())
          .as("requests without an id are unaffected").isTrue();

      clock.advance(Duration.ofMinutes(10)); // a new window: room again, the old one kept
      assertThat(e.submit(buy("s", "u17", 1, "r17")).join().isConfirmed()).isTrue();
      assertThat(e.submit(buy("s", "u2", 1, "r2")).join().orderId()).isEqualTo(ids.get(2));

      clock.advance(Duration.ofMinutes(10)); // the first window's ids are dropped at this rotation
      assertThat(e.submit(buy("s", "u18", 1, "r18")).join().isConfirmed()).isTrue();
      assertThat(e.submit(buy("s", "u3", 1, "r3")).join().rejection())
          .as("past retention the retry is a new purchase").isEqualTo(Rejection.LIMIT_REACHED);
      assertThat(e.submit(buy("s", "u17", 1, "r17")).join().isConfirmed())
          .as("the previous window's ids are kept").isTrue();
    }
  }

  @Test
  void badRequestIdsAreInvalidAndNamed() {
    try (SeckillEngine e = open()) {
      e.registerSale(sale("s", 10, 1));
      for (String bad : new String[] {"", "  ", "a\u0000b", "x".repeat(129), "\uD800"}) {
        PurchaseRequest r = buy("s", "alice", 1, bad);
        assertThat(e.submit(r).join().rejection()).isEqualTo(Rejection.INVALID_REQUEST);
        assertThat(r.problem()).startsWith("requestId ");
      }
      assertThat(buy("s", "alice", 1, "x".repeat(128)).problem()).isNull();
      assertThat(buy("s", "alice", 1, "r").toString()).contains("requestId=r");
      assertThat(buy("s", "a", 1, "r")).isEqualTo(buy("s", "a", 1, "r"))
          .isNotEqualTo(buy("s", "a", 1, "q"));
    }
  }

  @Test
  void settingsAreValidatedAndTheBoundIsFixedAtCreation() {
    assertThatThrownBy(() -> SeckillEngine.builder().maxRequestIdsPerShard(15))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxRequestIdsPerShard");
    assertThatThrownBy(() -> SeckillEngine.builder().requestIdRetention(Duration.ofMillis(999)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("requestIdRetention must be 1 second to 7 days, was PT0.999S");
    try (SeckillEngine e = open(100)) {
      e.registerSale(sale("s", 10, 1));
    }
    assertThatThrownBy(() -> open(200)).hasMessageContaining("maxRequestIdsPerShard=100")
        .hasMessageContaining("maxRequestIdsPerShard=200");
  }

  /** A crash after each write of a confirmation carrying a request id: absent, or applied. */
  @Test
  void aCrashAfterEachWriteRecoversTheRequestIdWithItsOrder() throws IOException {
    for (int crashAfter = 1; crashAfter <= 4; crashAfter++) {
      Path shardDir = dir.resolve("crash-after-" + crashAfter);
      LedgerConfig config = new LedgerConfig(shardDir, 0, 1, 1_000, 1_000, 8,
          Clock.fixed(START, ZoneOffset.UTC), false);
      long id;
      try (StockLedger ledger = open(config)) {
        SaleState s = ledger.register(sale("s", 10, 1));
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
        id = 1;
      }
      try (StockLedger reopened = StockLedger.open(config)) {
        SaleState s = reopened.sales().get(0);
        UserKey user = new UserKey();
        UserKey request = new UserKey();
        reopened.userKeys().hash(s.keyIndex(), "b", user);
        reopened.requestKey(s, "rb", request);
        assertThat(reopened.decide(s, "b", user, 1, request)).as("crash after write %d", crashAfter)
            .isEqualTo(id);
        assertThat(reopened.appliedSeq()).isEqualTo(1);
        assertThat(reopened.recall(request, user, 1)).isEqualTo(id);
      }
    }
  }

  /** A crash that tears the record (before write 1 completes): the order and its id are absent. */
  @Test
  void aTornRecordLeavesTheRequestIdAbsent() throws IOException {
    SplittableRandom random = new SplittableRandom(7);
    for (int trial = 0; trial < 10; trial++) {
      LedgerConfig config = new LedgerConfig(dir.resolve("torn-" + trial), 0, 1, 1_000, 1_000, 8,
          Clock.fixed(START, ZoneOffset.UTC), false);
      StockLedger ledger = StockLedger.open(config);
      SaleState s = ledger.register(sale("s", 10, 1));
      UserKey user = new UserKey();
      UserKey request = new UserKey();
      ledger.userKeys().hash(s.keyIndex(), "b", user);
      ledger.requestKey(s, "rb", request);
      ledger.probe(w -> {
        if (w == 1) {
          LedgerModelTest.tearLastRecord(ledger.journal(), random);
          throw new IllegalStateException("simulated crash");
        }
      });
      assertThatThrownBy(() -> ledger.decide(s, "b", user, 1, request)).isInstanceOf(IllegalStateException.class);
      ledger.abandon();
      try (StockLedger reopened = StockLedger.open(config)) {
        SaleState again = reopened.sales().get(0);
        assertThat(reopened.appliedSeq()).isZero();
        assertThat(reopened.recall(request, user, 1)).isZero();
        assertThat(reopened.decide(again, "b", user, 1, request)).isEqualTo(1);
      }
    }
  }

  private static StockLedger open(LedgerConfig config) throws IOException {
    return StockLedger.open(config);
  }
}
