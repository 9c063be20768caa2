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

import dev.seckill.spi.ConfirmedOrder;
import dev.seckill.spi.InMemoryOrderSink;
import dev.seckill.spi.OrderSink;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The outbox flusher: batches, outages, restarts and the two durability levels. */
class FlushPipelineTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");
  static final Instant END = START.plus(Duration.ofMinutes(10));

  @TempDir Path dir;
  final MutableClock clock = new MutableClock(START);

  SeckillEngine.Builder engine(OrderSink sink) {
    return SeckillEngine.builder().dataDir(dir).clock(clock).maxUsersPerShard(100_000)
        .outboxCapacityPerShard(100_000).orderSink(sink).flushBatchSize(100)
        .flushRetryBackoff(Duration.ofMillis(1), Duration.ofMillis(20));
  }

  static Sale sale(long stock) {
    return Sale.builder("s").stock(stock).startsAt(START).endsAt(END).limitPerUser(1).build();
  }

  static List<PurchaseResult> buyAll(SeckillEngine e, int users) {
    List<CompletableFuture<PurchaseResult>> fs = new ArrayList<>();
    for (int i = 0; i < users; i++) {
      fs.add(e.submit(PurchaseRequest.of("s", "u" + i, 1)));
    }
    List<PurchaseResult> results = new ArrayList<>();
    for (CompletableFuture<PurchaseResult> f : fs) {
      results.add(f.join());
    }
    return results;
  }

  static Set<Long> confirmedIds(List<PurchaseResult> results) {
    Set<Long> ids = new HashSet<>();
    for (PurchaseResult r : results) {
      if (r.isConfirmed()) {
        ids.add(r.orderId());
      }
    }
    return ids;
  }

  @Test
  void everyConfirmedOrderReachesTheSinkOnce() throws Exception {
    InMemoryOrderSink sink = new InMemoryOrderSink();
    try (SeckillEngine e = engine(sink).build()) {
      e.registerSale(sale(1_000));
      Set<Long> ids = confirmedIds(buyAll(e, 1_500));
      assertThat(ids).hasSize(1_000);
      e.flush().get(30, TimeUnit.SECONDS);
      assertThat(sink.orders().keySet()).isEqualTo(ids);
      assertThat(e.outboxSize()).isZero();
      for (ConfirmedOrder o : sink.orders().values()) {
        assertThat(o.saleId()).isEqualTo("s");
        assertThat(o.quantity()).isEqualTo(1);
        assertThat(o.confirmedAt()).isEqualTo(START);
        assertThat(sink.offers(o.orderId())).isEqualTo(1);
      }
    }
  }

  @Test
  void theSaleGoesOnDuringAnOutageAndNothingIsLost() throws Exception {
    InMemoryOrderSink sink = new InMemoryOrderSink();
    sink.failing(true);
    try (SeckillEngine e = engine(sink).build()) {
      e.registerSale(sale(500));
      Set<Long> ids = confirmedIds(buyAll(e, 500));
      assertThat(ids).hasSize(500);
      assertThat(e.outboxSize()).isEqualTo(500);
      assertThat(sink.orders()).isEmpty();
      sink.failing(false);
      e.flush().get(30, TimeUnit.SECONDS);
      assertThat(sink.orders().keySet()).isEqualTo(ids);
      assertThat(e.outboxSize()).isZero();
    }
  }

  @Test
  void ordersLeftInTheOutboxAtCloseAreStoredAfterTheNextStart() throws Exception {
    InMemoryOrderSink sink = new InMemoryOrderSink();
    sink.failing(true);
    Set<Long> ids;
    try (SeckillEngine e = engine(sink).closeTimeout(Duration.ZERO).build()) {
      e.registerSale(sale(300));
      ids = confirmedIds(buyAll(e, 300));
    }
    assertThat(sink.orders()).isEmpty();
    try (SeckillEngine e = engine(sink).build()) {
      // Still failing, so the new flusher cannot have stored any yet (no race with the assert).
      assertThat(e.outboxSize()).isEqualTo(300);
      sink.failing(false);
      e.flush().get(30, TimeUnit.SECONDS);
      assertThat(sink.orders().keySet()).isEqualTo(ids);
      assertThat(e.snapshot("s").unitsSold()).isEqualTo(300);
    }
  }

  @Test
  void aFullOutboxTurnsNewPurchasesIntoOverloaded() {
    InMemoryOrderSink sink = new InMemoryOrderSink();
    sink.failing(true);
    try (SeckillEngine e = SeckillEngine.builder().dataDir(dir).clock(clock)
        .maxUsersPerShard(1_000).outboxCapacityPerShard(32).orderSink(sink)
        .closeTimeout(Duration.ZERO).build()) {
      e.registerSale(sale(100));
      List<PurchaseResult> results = buyAll(e, 40);
      assertThat(confirmedIds(results)).hasSize(32);
      assertThat(results.subList(32, 40)).allSatisfy(
          r -> assertThat(r.rejection()).isEqualTo(Rejection.OVERLOADED));
      assertThat(e.snapshot("s").remaining()).isEqualTo(68);
    }
  }

  @Test
  void persistedDurabilityConfirmsOnlyAfterTheSinkStored() throws Exception {
    InMemoryOrderSink inner = new InMemoryOrderSink();
    CountDownLatch storeEntered = new CountDownLatch(1);
    CountDownLatch releaseStore = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    OrderSink gated = batch -> {
      if (calls.getAndIncrement() == 0) {
        storeEntered.countDown();
        releaseStore.await();
      }
      inner.store(batch);
    };
    try (SeckillEngine e = engine(gated).durability(Durability.PERSISTED).build()) {
      e.registerSale(sale(10));
      CompletableFuture<PurchaseResult> f = e.submit(PurchaseRequest.of("s", "u1", 1));
      storeEntered.await();
      assertThat(f).isNotDone(); // decided in the ledger, not yet stored in the sink
      releaseStore.countDown();
      PurchaseResult r = f.get(30, TimeUnit.SECONDS);
      assertThat(r.isConfirmed()).isTrue();
      assertThat(inner.orders()).containsKey(r.orderId());
      // Rejections are not held back.
      assertThat(e.submit(PurchaseRequest.of("s", "u1", 1)).get(30, TimeUnit.SECONDS).rejection())
          .isEqualTo(Rejection.LIMIT_REACHED);
    }
  }

  @Test
  void persistedConfirmationsPendingAtCloseFailNamingTheOrder() throws Exception {
    InMemoryOrderSink sink = new InMemoryOrderSink();
    sink.failing(true);
    CompletableFuture<PurchaseResult> f;
    try (SeckillEngine e = engine(sink).durability(Durability.PERSISTED)
        .closeTimeout(Duration.ZERO).build()) {
      e.registerSale(sale(10));
      f = e.submit(PurchaseRequest.of("s", "u1", 1));
    }
    assertThatThrownBy(f::join).hasCauseInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is confirmed in the ledger but was not stored");
  }

  @ParameterizedTest
  @EnumSource(value = IdleStrategy.class, names = {"BLOCKING", "SLEEPING", "YIELDING"})
  void persistedConfirmsOnlyStoredOrdersUnderEachIdleStrategy(IdleStrategy idle)
      throws Exception {
    InMemoryOrderSink sink = new InMemoryOrderSink();
    try (SeckillEngine e = engine(sink).durability(Durability.PERSISTED).idleStrategy(idle)
        .build()) {
      e.registerSale(sale(200));
      List<CompletableFuture<Boolean>> storedWhenConfirmed = new ArrayList<>();
      for (int i = 0; i < 250; i++) {
        storedWhenConfirmed.add(e.submit(PurchaseRequest.of("s", "u" + i, 1))
            .thenApply(r -> !r.isConfirmed() || sink.orders().containsKey(r.orderId())));
      }
      for (CompletableFuture<Boolean> f : storedWhenConfirmed) {
        assertThat(f.get(30, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(sink.orders()).hasSize(200);
    }
  }

  @Test
  void persistedOrdersStillInTheRingAtCloseAreStoredAndConfirmed() {
    InMemoryOrderSink sink = new InMemoryOrderSink();
    List<CompletableFuture<PurchaseResult>> fs = new ArrayList<>();
    try (SeckillEngine e = engine(sink).durability(Durability.PERSISTED).build()) {
      e.registerSale(sale(3_000));
      for (int i = 0; i < 3_000; i++) {
        fs.add(e.submit(PurchaseRequest.of("s", "u" + i, 1)));
      }
    } // close at once: the flusher must not stop before the writer decided what is in the ring
    Set<Long> ids = new HashSet<>();
    for (CompletableFuture<PurchaseResult> f : fs) {
      PurchaseResult r = f.join(); // a failure here: confirmed in the ledger but not stored
      if (r.isConfirmed()) {
        ids.add(r.orderId());
      } else {
        assertThat(r.rejection()).isEqualTo(Rejection.OVERLOADED);
      }
    }
    assertThat(sink.orders().keySet()).containsAll(ids);
  }

  @Test
  void persistedRequiresASink() {
    assertThatThrownBy(() -> SeckillEngine.builder().dataDir(dir).durability(Durability.PERSISTED).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("orderSink");
  }
}
