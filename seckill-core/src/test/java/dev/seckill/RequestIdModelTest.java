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

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random walks over the ledger with request ids: purchases drawn from a small pool of (user,
 * request id) pairs, so retries, reused ids and limits meet often; stock added now and then;
 * the clock moves across retention windows; a simulated crash after a random write, or a torn
 * record, then a reopen. After every step the ledger must agree with a model: a recorded request
 * id answers its order id (or INVALID_REQUEST for another purchase) until it is older than two
 * windows; no user exceeds the limit; units sold plus remaining equal the total stock.
 */
class RequestIdModelTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");
  static final long RETENTION = 60_000;

  @TempDir Path dir;

  record Entry(String user, int quantity, long orderId, long atMillis) {}

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void randomWalkMatchesTheModel(long seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    MutableClock clock = new MutableClock(START);
    LedgerConfig config = new LedgerConfig(dir.resolve("walk-" + seed), 0, 1, 10_000, 10_000, 4,
        clock, false, LedgerConfig.defaultMaxReservations(10_000),
        LedgerConfig.DEFAULT_RETENTION_MILLIS, 64, RETENTION);
    StockLedger ledger = StockLedger.open(config);
    Sale spec = Sale.builder("s").stock(200).startsAt(START).endsAt(START.plus(Duration.ofDays(9)))
        .limitPerUser(3).maxPerRequest(2).build();
    SaleState sale = ledger.register(spec);
    Map<String, Entry> recorded = new HashMap<>(); // request id -> the purchase it confirmed
    Map<String, Integer> units = new HashMap<>();
    long total = 200;
    long sold = 0;
    long lastRotationCheck = 0;
    int retries = 0;
    int reused = 0;
    int crashes = 0;
    for (int step = 0; step < 3_000; step++) {
      int action = random.nextInt(100);
      if (action < 3) {
        clock.advance(Duration.ofMillis(random.nextLong(RETENTION / 2)));
        continue;
      }
      if (action < 5) {
        long add = 1 + random.nextInt(40);
        ledger.operate(sale, SaleOp.ADD_STOCK, add);
        total += add;
        continue;
      }
      String rid = "r" + random.nextInt(120);
      String user = "u" + random.nextInt(400);
      int quantity = 1 + random.nextInt(2);
      Entry earlier = recorded.get(rid);
      if (earlier != null && random.nextInt(3) > 0) { // a true retry: the same purchase again
        user = earlier.user();
        quantity = earlier.quantity();
      }
      UserKey userKey = new UserKey();
      UserKey requestKey = new UserKey();
      ledger.userKeys().hash(sale.keyIndex(), user, userKey);
      ledger.requestKey(sale, rid, requestKey);
      boolean crash = action < 12;
      if (crash) {
        int at = 1 + random.nextInt(4);
        boolean tear = random.nextBoolean();
        StockLedger victim = ledger;
        ledger.probe(w -> {
          if (w == at) {
            if (at == 1 && tear) {
              LedgerModelTest.tearLastRecord(victim.journal(), random);
            }
            throw new IllegalStateException("crash");
          }
        });
      }
      long seqBefore = ledger.appliedSeq();
      long decision;
      try {
        decision = ledger.decide(sale, user, userKey, quantity, requestKey);
        ledger.checkpoint();
      } catch (IllegalStateException crashed) {
        ledger.abandon();
        crashes++;
        ledger = StockLedger.open(config);
        sale = ledger.sales().get(0);
        decision = ledger.appliedSeq() > seqBefore ? ledger.orderIdOfSeq(ledger.appliedSeq()) : 0;
      }
      ledger.probe(StockLedger.WriteProbe.NONE);
      Entry known = recorded.get(rid);
      long age = known == null ? 0 : clock.millis() - known.atMillis();
      if (known != null && age < RETENTION) { // surely still remembered
        if (known.user().equals(user) && known.quantity() == quantity) {
          assertThat(decision).as("step %d: retry of %s", step, rid).isEqualTo(known.orderId());
          retries++;
        } else {
          assertThat(decision).as("step %d: %s reused", step, rid)
              .isEqualTo(-1L - Rejection.INVALID_REQUEST.ordinal());
          reused++;
        }
        continue;
      }
      if (StockLedger.isConfirmed(decision) && (known == null || decision != known.orderId())) {
        // A new order: the model records it.
        recorded.put(rid, new Entry(user, quantity, decision, clock.millis()));
        units.merge(user, quantity, Integer::sum);
        sold += quantity;
      }
      assertThat(units.getOrDefault(user, 0)).isLessThanOrEqualTo(3);
      assertThat(sale.remainingForWriter()).as("step %d", step).isEqualTo(total - sold);
      assertThat(sale.totalStock()).isEqualTo(total);
      lastRotationCheck++;
    }
    assertThat(lastRotationCheck).isPositive();
    assertThat(sold).isPositive();
    assertThat(retries).as("retries answered").isGreaterThan(20);
    assertThat(reused).as("ids reused for another purchase").isGreaterThan(20);
    assertThat(crashes).as("crashes").isGreaterThan(20);
    ledger.close();
  }
}
