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
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every rejection reason, reached through the public API with a hand-moved clock. */
class RejectionsTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");
  static final Instant END = Instant.parse("2026-11-11T00:10:00Z");

  @TempDir Path dir;
  MutableClock clock = new MutableClock(START.minusSeconds(60));
  SeckillEngine engine;

  @BeforeEach
  void open() {
    engine = SeckillEngine.builder().dataDir(dir).clock(clock).maxUsersPerShard(1000)
        .outboxCapacityPerShard(1000).build();
    engine.registerSale(Sale.builder("phone").stock(3).startsAt(START).endsAt(END)
        .limitPerUser(2).build());
  }

  @AfterEach
  void close() {
    engine.close();
  }

  PurchaseResult buy(String user, int quantity) {
    return engine.submit(PurchaseRequest.of("phone", user, quantity)).join();
  }

  @Test
  void notStartedBeforeTheWindowOpens() {
    assertThat(buy("u1", 1).rejection()).isEqualTo(Rejection.NOT_STARTED);
    clock.set(START.minusMillis(1));
    assertThat(buy("u1", 1).rejection()).isEqualTo(Rejection.NOT_STARTED);
    clock.set(START);
    assertThat(buy("u1", 1).isConfirmed()).isTrue();
  }

  @Test
  void endedAtAndAfterEndsAt() {
    clock.set(END.minusMillis(1));
    assertThat(buy("u1", 1).isConfirmed()).isTrue();
    clock.set(END);
    assertThat(buy("u2", 1).rejection()).isEqualTo(Rejection.ENDED);
    assertThat(engine.snapshot("phone").phase()).isEqualTo(SalePhase.ENDED);
  }

  @Test
  void unknownSale() {
    clock.set(START);
    assertThat(engine.submit(PurchaseRequest.of("tablet", "u1", 1)).join().rejection())
        .isEqualTo(Rejection.UNKNOWN_SALE);
  }

  @Test
  void invalidRequests() {
    clock.set(START);
    List<PurchaseRequest> bad = new ArrayList<>();
    bad.add(PurchaseRequest.of(null, "u1", 1));
    bad.add(PurchaseRequest.of(" ", "u1", 1));
    bad.add(PurchaseRequest.of("phone", null, 1));
    bad.add(PurchaseRequest.of("phone", "", 1));
    bad.add(PurchaseRequest.of("phone", "u1", 0));
    bad.add(PurchaseRequest.of("phone", "u1", -5));
    bad.add(PurchaseRequest.of("phone", "u1", 3)); // above maxPerRequest (= limitPerUser 2)
    bad.add(PurchaseRequest.of("phone", "x".repeat(PurchaseRequest.MAX_USER_ID_LENGTH + 1), 1));
    for (PurchaseRequest r : bad) {
      assertThat(engine.submit(r).join().rejection()).as(r.toString())
          .isEqualTo(Rejection.INVALID_REQUEST);
    }
    assertThat(engine.snapshot("phone").unitsSold()).isZero();
  }

  @Test
  void problemNamesTheFieldAndTheValue() {
    assertThat(PurchaseRequest.of(null, "u", 1).problem()).isEqualTo("saleId must not be blank, was null");
    assertThat(PurchaseRequest.of("s", " ", 1).problem()).isEqualTo("userId must not be blank, was \" \"");
    assertThat(PurchaseRequest.of("s", "u", 0).problem()).isEqualTo("quantity must be at least 1, was 0");
    assertThat(PurchaseRequest.of("s", "u", 1).problem()).isNull();
  }

  @Test
  void limitReachedAcrossOrders() {
    clock.set(START);
    assertThat(buy("u1", 1).isConfirmed()).isTrue();
    assertThat(buy("u1", 1).isConfirmed()).isTrue();
    assertThat(buy("u1", 1).rejection()).isEqualTo(Rejection.LIMIT_REACHED);
    assertThat(buy("u2", 2).isConfirmed()).isFalse(); // only 1 left: insufficient
  }

  @Test
  void insufficientStockThenSoldOut() {
    clock.set(START);
    assertThat(buy("u1", 2).quantity()).isEqualTo(2);
    assertThat(buy("u2", 2).rejection()).isEqualTo(Rejection.INSUFFICIENT_STOCK);
    assertThat(buy("u2", 1).isConfirmed()).isTrue();
    assertThat(buy("u3", 1).rejection()).isEqualTo(Rejection.SOLD_OUT);
    SaleSnapshot s = engine.snapshot("phone");
    assertThat(s.phase()).isEqualTo(SalePhase.SOLD_OUT);
    assertThat(s.unitsSold()).isEqualTo(3);
    assertThat(s.remaining()).isZero();
    assertThat(s.ordersConfirmed()).isEqualTo(2);
    assertThat(s.rejected(Rejection.INSUFFICIENT_STOCK)).isEqualTo(1);
    assertThat(s.rejected(Rejection.SOLD_OUT)).isEqualTo(1);
  }

  @Test
  void overloadedWhenTheRingIsFull() throws Exception {
    clock.set(START);
    engine.close();
    Path other = dir.resolve("small-ring");
    try (SeckillEngine small = SeckillEngine.builder().dataDir(other).clock(clock).ringSize(64)
        .maxUsersPerShard(1000).outboxCapacityPerShard(1000).build()) {
      small.registerSale(Sale.builder("phone").stock(1000).startsAt(START).endsAt(END)
          .limitPerUser(1000).maxPerRequest(1).build());
      // Block the responder with a listener that waits on a latch: the ring fills behind it.
      java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.CountDownLatch blocked = new java.util.concurrent.CountDownLatch(1);
      small.submit(PurchaseRequest.of("phone", "blocker", 1), new PurchaseListener() {
        @Override
        public void onConfirmed(PurchaseRequest request, long orderId) {
          blocked.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }

        @Override
        public void onRejected(PurchaseRequest request, Rejection reason) {
          blocked.countDown();
        }
      });
      blocked.await();
      List<java.util.concurrent.CompletableFuture<PurchaseResult>> futures = new ArrayList<>();
      PurchaseResult overloaded = null;
      for (int i = 0; i < 200 && overloaded == null; i++) {
        var f = small.submit(PurchaseRequest.of("phone", "u" + i, 1));
        if (f.isDone() && !f.join().isConfirmed()) {
          overloaded = f.join();
        } else {
          futures.add(f);
        }
      }
      assertThat(overloaded).isNotNull();
      assertThat(overloaded.rejection()).isEqualTo(Rejection.OVERLOADED);
      release.countDown();
      for (var f : futures) {
        assertThat(f.join().isConfirmed()).isTrue();
      }
      assertThat(small.snapshot("phone").rejected(Rejection.OVERLOADED)).isEqualTo(1);
    }
    engine = SeckillEngine.builder().dataDir(dir).clock(clock).maxUsersPerShard(1000)
        .outboxCapacityPerShard(1000).build();
  }

  @Test
  void overloadedWhenTheLedgerIsFull() {
    clock.set(START);
    engine.close();
    Path other = dir.resolve("tiny");
    try (SeckillEngine tiny = SeckillEngine.builder().dataDir(other).clock(clock)
        .maxUsersPerShard(16).outboxCapacityPerShard(1000).build()) {
      tiny.registerSale(Sale.builder("phone").stock(1000).startsAt(START).endsAt(END)
          .limitPerUser(5).build());
      for (int i = 0; i < 16; i++) {
        assertThat(tiny.submit(PurchaseRequest.of("phone", "u" + i, 1)).join().isConfirmed()).isTrue();
      }
      assertThat(tiny.submit(PurchaseRequest.of("phone", "newcomer", 1)).join().rejection())
          .isEqualTo(Rejection.OVERLOADED);
      // Buyers already recorded are unaffected by the bound.
      assertThat(tiny.submit(PurchaseRequest.of("phone", "u3", 1)).join().isConfirmed()).isTrue();
    }
    engine = SeckillEngine.builder().dataDir(dir).clock(clock).maxUsersPerShard(1000)
        .outboxCapacityPerShard(1000).build();
  }

  @Test
  void listenerPathDeliversEveryOutcomeOnce() throws Exception {
    clock.set(START);
    List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(4);
    PurchaseListener listener = new PurchaseListener() {
      @Override
      public void onConfirmed(PurchaseRequest request, long orderId) {
        seen.add(request.userId() + ":confirmed");
        done.countDown();
      }

      @Override
      public void onRejected(PurchaseRequest request, Rejection reason) {
        seen.add(request.userId() + ":" + reason);
        done.countDown();
      }
    };
    engine.submit(PurchaseRequest.of("phone", "a", 2), listener);
    engine.submit(PurchaseRequest.of("phone", "a", 1), listener);
    engine.submit(PurchaseRequest.of("nope", "b", 1), listener);
    engine.submit(PurchaseRequest.of("phone", "c", 9), listener);
    done.await();
    assertThat(seen).containsExactlyInAnyOrder("a:confirmed", "a:LIMIT_REACHED",
        "b:UNKNOWN_SALE", "c:INVALID_REQUEST");
  }

  @Test
  void submitAfterCloseFailsFast() {
    engine.close();
    assertThatThrownBy(() -> engine.submit(PurchaseRequest.of("phone", "u1", 1)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> engine.registerSale(Sale.builder("x").stock(1).startsAt(START)
        .endsAt(END).limitPerUser(1).build()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    engine.close(); // idempotent
    engine = SeckillEngine.builder().dataDir(dir).clock(clock).maxUsersPerShard(1000)
        .outboxCapacityPerShard(1000).build();
  }

  @Test
  void snapshotOfUnknownSaleNamesIt() {
    assertThatThrownBy(() -> engine.snapshot("ghost"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'ghost'");
    assertThat(engine.snapshot("phone").phase()).isEqualTo(SalePhase.UPCOMING);
    clock.advance(Duration.ofMinutes(1));
    assertThat(engine.snapshot("phone").phase()).isEqualTo(SalePhase.ON_SALE);
  }
}
