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

import dev.seckill.EngineHealth.ShardHealth;
import dev.seckill.EngineHealth.Status;
import dev.seckill.spi.ConfirmedOrder;
import dev.seckill.spi.OrderSink;
import java.nio.file.Path;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SeckillEngine#health()}: each rule, driven by a real sink, a real ring and a test clock. */
class HealthTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");

  @TempDir Path dir;
  final MutableClock clock = new MutableClock(START);

  /** A sink that throws while failing, releasing a permit per failed store. */
  static final class SwitchableSink implements OrderSink {
    final Semaphore failures = new Semaphore(0);
    final List<ConfirmedOrder> stored = new ArrayList<>();
    volatile boolean failing;

    @Override
    public synchronized void store(List<ConfirmedOrder> batch) throws Exception {
      if (failing) {
        failures.release();
        throw new SQLTransientConnectionException("database unreachable (test)");
      }
      stored.addAll(batch);
    }
  }

  static Sale sale(long stock) {
    return Sale.builder("s").stock(stock).startsAt(START).endsAt(START.plus(Duration.ofDays(1)))
        .limitPerUser(1).build();
  }

  SeckillEngine.Builder engine() {
    return SeckillEngine.builder().dataDir(dir).clock(clock).developmentDefaults();
  }

  static void buy(SeckillEngine e, int from, int to) {
    List<CompletableFuture<PurchaseResult>> fs = new ArrayList<>();
    for (int i = from; i < to; i++) {
      fs.add(e.submit(PurchaseRequest.of("s", "u" + i, 1)));
    }
    fs.forEach(f -> assertThat(f.join().isConfirmed()).isTrue());
  }

  @Test
  void degradedWhileTheSinkFailsLongerThanTheThresholdAndUpOnceItStores() throws Exception {
    SwitchableSink sink = new SwitchableSink();
    sink.failing = true;
    HealthThresholds thresholds = HealthThresholds.defaults()
        .withSinkFailingFor(Duration.ofSeconds(30));
    try (SeckillEngine e = engine().orderSink(sink).healthThresholds(thresholds)
        .flushRetryBackoff(Duration.ofMillis(1), Duration.ofMillis(5)).build()) {
      assertThat(e.health().status()).isEqualTo(Status.UP);
      e.registerSale(sale(100));
      buy(e, 0, 10);

      // The second failed store begins after the flusher recorded the first one.
      assertThat(sink.failures.tryAcquire(2, 30, TimeUnit.SECONDS)).isTrue();
      EngineHealth early = e.health();
      assertThat(early.status()).as("failing, but not for 30 s yet").isEqualTo(Status.UP);
      ShardHealth shard = early.shards().get(0);
      assertThat(shard.hasSink()).isTrue();
      assertThat(shard.failingSince()).contains(START);
      assertThat(shard.failedStores()).isGreaterThanOrEqualTo(1);
      assertThat(shard.lastFailure()).hasValueSatisfying(
          m -> assertThat(m).contains("SQLTransientConnectionException", "database unreachable"));
      assertThat(shard.outboxSize()).isEqualTo(10);
      assertThat(shard.oldestUnflushedAt()).as("read before the failed store").contains(START);

      clock.advance(Duration.ofSeconds(30));
      EngineHealth degraded = e.health();
      assertThat(degraded.status()).isEqualTo(Status.DEGRADED);
      assertThat(degraded.reasons()).singleElement().asString()
          .contains("shard 0", "order sink has failed every store", "database unreachable");

      sink.failing = false;
      e.flush().get(30, TimeUnit.SECONDS);
      EngineHealth healed = e.health();
      assertThat(healed.status()).isEqualTo(Status.UP);
      assertThat(healed.reasons()).isEmpty();
      ShardHealth after = healed.shards().get(0);
      assertThat(after.failingSince()).isEmpty();
      assertThat(after.lastFailureAt()).isPresent(); // START or later: retries went on
      assertThat(after.storedOrders()).isEqualTo(10);
      assertThat(after.storedBatches()).isGreaterThanOrEqualTo(1);
      assertThat(after.outboxSize()).isZero();
      assertThat(after.oldestUnflushedAt()).isEmpty();
    }
  }

  @Test
  void degradedWhenAnOutboxFillsPastTheThreshold() throws Exception {
    SwitchableSink sink = new SwitchableSink();
    sink.failing = true;
    try (SeckillEngine e = engine().orderSink(sink).outboxCapacityPerShard(100)
        .healthThresholds(HealthThresholds.defaults().withOutboxFill(0.5))
        .flushRetryBackoff(Duration.ofMillis(1), Duration.ofMillis(5)).build()) {
      e.registerSale(sale(100));
      buy(e, 0, 50);
      assertThat(e.health().status()).as("50 of 100 is not above 50%").isEqualTo(Status.UP);
      buy(e, 50, 51);
      EngineHealth h = e.health();
      assertThat(h.status()).isEqualTo(Status.DEGRADED);
      assertThat(h.reasons()).singleElement().asString()
          .contains("shard 0", "outbox holds 51 of 100", "50%");
      sink.failing = false;
      e.flush().get(30, TimeUnit.SECONDS);
      assertThat(e.health().status()).isEqualTo(Status.UP);
    }
  }

  @Test
  void degradedWhileTheRingIsFull() throws Exception {
    try (SeckillEngine e = engine().ringSize(64).build()) {
      e.registerSale(sale(1_000));
      CountDownLatch entered = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<Long> first = new CompletableFuture<>();
      // The responder runs this listener and stays in it: no slot behind it is freed.
      e.submit(PurchaseRequest.of("s", "first", 1), new PurchaseListener() {
        @Override
        public void onConfirmed(PurchaseRequest request, long orderId) {
          entered.countDown();
          try {
            release.await();
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
          }
          first.complete(orderId);
        }

        @Override
        public void onRejected(PurchaseRequest request, Rejection reason) {
          first.completeExceptionally(new AssertionError("refused: " + reason));
        }
      });
      assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
      List<CompletableFuture<PurchaseResult>> queued = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        queued.add(e.submit(PurchaseRequest.of("s", "u" + i, 1)));
      }
      EngineHealth full = e.health();
      assertThat(full.shards().get(0).ringRemaining()).isZero();
      assertThat(full.status()).isEqualTo(Status.DEGRADED);
      assertThat(full.reasons()).singleElement().asString()
          .contains("shard 0", "64 of 64 ring slots in use", "90%");

      release.countDown();
      assertThat(first.get(30, TimeUnit.SECONDS)).isPositive();
      queued.forEach(CompletableFuture::join);
      assertThat(e.health().status()).isEqualTo(Status.UP);
      assertThat(e.health().shards().get(0).ringRemaining()).isEqualTo(64);
    }
  }

  @Test
  void downOnceClosedAndTheFiguresOfAnEngineWithoutSink() {
    SeckillEngine e = engine().shards(2).build();
    EngineHealth up = e.health();
    assertThat(up.status()).isEqualTo(Status.UP);
    assertThat(up.checkedAt()).isEqualTo(START);
    assertThat(up.shards()).hasSize(2).allSatisfy(s -> {
      assertThat(s.hasSink()).isFalse();
      assertThat(s.storedBatches()).isZero();
      assertThat(s.failedStores()).isZero();
      assertThat(s.lastFailure()).isEmpty();
      assertThat(s.ringRemaining()).isEqualTo(s.ringSize());
    });
    e.close();
    EngineHealth down = e.health();
    assertThat(down.status()).isEqualTo(Status.DOWN);
    assertThat(down.reasons()).containsExactly("the engine is closed");
  }

  @Test
  void thresholdsRefuseNonsenseNamingTheSetting() {
    assertThatThrownBy(() -> HealthThresholds.defaults().withOutboxFill(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outboxFill")
        .hasMessageContaining("0.0");
    assertThatThrownBy(() -> HealthThresholds.defaults().withRingFill(1.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ringFill");
    assertThatThrownBy(() -> HealthThresholds.defaults().withRingFill(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
    assertThatThrownBy(() -> HealthThresholds.defaults().withSinkFailingFor(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sinkFailingFor");
    assertThatThrownBy(() -> engine().healthThresholds(HealthThresholds.defaults())
        .healthThresholds(HealthThresholds.defaults()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("healthThresholds");
  }
}
