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

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clean restarts, re-registration, several shards, and close() draining pending requests. */
class RestartTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");

  @TempDir Path dir;
  final MutableClock clock = new MutableClock(START);

  SeckillEngine open(int shards) {
    return SeckillEngine.builder().dataDir(dir).clock(clock).shards(shards)
        .maxUsersPerShard(10_000).outboxCapacityPerShard(10_000).build();
  }

  static Sale sale(String id, long stock) {
    return Sale.builder(id).stock(stock).startsAt(START).endsAt(START.plus(Duration.ofHours(1)))
        .limitPerUser(1).build();
  }

  @Test
  void aRestartRestoresStockUsersAndTheOrderSequence() {
    long lastId;
    try (SeckillEngine e = open(1)) {
      e.registerSale(sale("s", 10));
      assertThat(e.submit(PurchaseRequest.of("s", "alice", 1)).join().orderId()).isEqualTo(1);
      lastId = e.submit(PurchaseRequest.of("s", "bob", 1)).join().orderId();
    }
    try (SeckillEngine e = open(1)) {
      assertThat(e.sales()).containsExactly(sale("s", 10)); // restored without registering
      e.registerSale(sale("s", 10)); // the same spec again: a no-op
      assertThat(e.snapshot("s").remaining()).isEqualTo(8);
      assertThat(e.snapshot("s").ordersConfirmed()).isEqualTo(2);
      assertThat(e.submit(PurchaseRequest.of("s", "alice", 1)).join().rejection())
          .isEqualTo(Rejection.LIMIT_REACHED);
      assertThat(e.submit(PurchaseRequest.of("s", "carol", 1)).join().orderId()).isEqualTo(lastId + 1);
    }
  }

  @Test
  void aConflictingSpecIsRefusedNamingEachDifference() {
    try (SeckillEngine e = open(1)) {
      e.registerSale(sale("s", 10));
      Sale other = Sale.builder("s").stock(20).startsAt(START).endsAt(START.plus(Duration.ofHours(1)))
          .limitPerUser(2).build();
      assertThatThrownBy(() -> e.registerSale(other)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("sale 's' is already registered with a different spec")
          .hasMessageContaining("stock 10 vs 20")
          .hasMessageContaining("limitPerUser 1 vs 2");
    }
    try (SeckillEngine e = open(1)) { // also after a restart, through the writer
      assertThatThrownBy(() -> e.registerSale(sale("s", 11))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("stock 10 vs 11");
    }
  }

  @Test
  void salesSpreadOverShardsAndOrderIdsStayUnique() {
    Set<Long> ids = new HashSet<>();
    for (int life = 0; life < 2; life++) {
      try (SeckillEngine e = open(4)) {
        List<CompletableFuture<PurchaseResult>> fs = new ArrayList<>();
        for (int s = 0; s < 8; s++) {
          e.registerSale(sale("sale-" + s, 200));
          for (int u = 0; u < 60; u++) {
            fs.add(e.submit(PurchaseRequest.of("sale-" + s, "life" + life + "-u" + u, 1)));
          }
        }
        for (CompletableFuture<PurchaseResult> f : fs) {
          assertThat(ids.add(f.join().orderId())).isTrue();
        }
        long sold = 0;
        for (int s = 0; s < 8; s++) {
          sold += e.snapshot("sale-" + s).unitsSold();
        }
        assertThat(sold).isEqualTo(480L * (life + 1));
      }
    }
    assertThat(ids).hasSize(960);
  }

  @Test
  void closeAnswersEveryPendingRequest() {
    SeckillEngine e = open(1);
    e.registerSale(sale("s", 5_000));
    List<CompletableFuture<PurchaseResult>> fs = new ArrayList<>();
    for (int u = 0; u < 5_000; u++) {
      fs.add(e.submit(PurchaseRequest.of("s", "u" + u, 1)));
    }
    e.close();
    for (CompletableFuture<PurchaseResult> f : fs) {
      assertThat(f).isDone();
      PurchaseResult r = f.join();
      assertThat(r.isConfirmed() || r.rejection() == Rejection.OVERLOADED).isTrue();
    }
  }
}
