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

import dev.seckill.spi.ConfirmedOrder;
import dev.seckill.spi.OrderSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's segments under a real engine and a slow sink: while the sink blocks, the outbox
 * bound turns purchases into OVERLOADED (never an exception); once it stores again, the writer
 * rolls over into new segments and reuses the flushed ones, many times round the ring, and every
 * confirmed order reaches the sink exactly once, in order, also across a restart.
 */
class JournalRecyclingTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");
  static final int CAPACITY = 200;

  @TempDir Path dir;
  final MutableClock clock = new MutableClock(START);

  /** Stores orders in memory; its first store blocks until {@link #release} opens the latch. */
  static final class SlowSink implements OrderSink {
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch blocked = new CountDownLatch(1);
    final Map<Long, ConfirmedOrder> stored = new ConcurrentHashMap<>();
    final AtomicInteger duplicates = new AtomicInteger();
    final List<Long> order = new ArrayList<>();

    @Override
    public void store(List<ConfirmedOrder> batch) throws Exception {
      blocked.countDown();
      release.await();
      synchronized (order) {
        for (ConfirmedOrder o : batch) {
          if (stored.put(o.orderId(), o) != null) {
            duplicates.incrementAndGet();
          }
          order.add(o.orderId());
        }
      }
    }
  }

  @BeforeEach
  void smallSegments() {
    System.setProperty(OrderJournal.SEGMENT_SIZE_PROPERTY, "4096");
  }

  @AfterEach
  void defaultSegments() {
    System.clearProperty(OrderJournal.SEGMENT_SIZE_PROPERTY);
  }

  SeckillEngine.Builder engine(OrderSink sink) {
    return SeckillEngine.builder().dataDir(dir).clock(clock).maxUsersPerShard(100_000)
        .outboxCapacityPerShard(CAPACITY).orderSink(sink).flushBatchSize(50)
        .flushRetryBackoff(Duration.ofMillis(1), Duration.ofMillis(20));
  }

  static Sale sale() {
    return Sale.builder("s").stock(1_000_000).startsAt(START).endsAt(START.plusSeconds(3600))
        .limitPerUser(1).build();
  }

  @Test
  void segmentsAreRecycledUnderASlowSink() throws Exception {
    SlowSink sink = new SlowSink();
    List<Long> confirmed = new ArrayList<>();
    int user = 0;
    try (SeckillEngine e = engine(sink).build()) {
      e.registerSale(sale());
      // The sink blocks: the outbox fills to its bound, then purchases are OVERLOADED.
      int overloaded = 0;
      List<CompletableFuture<PurchaseResult>> fs = new ArrayList<>();
      for (int i = 0; i < CAPACITY + 100; i++) {
        fs.add(e.submit(PurchaseRequest.of("s", "u" + user++, 1)));
      }
      for (CompletableFuture<PurchaseResult> f : fs) {
        PurchaseResult r = f.join();
        if (r.isConfirmed()) {
          confirmed.add(r.orderId());
        } else {
          assertThat(r.rejection()).isEqualTo(Rejection.OVERLOADED);
          overloaded++;
        }
      }
      assertThat(sink.blocked.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(confirmed).hasSize(CAPACITY);
      assertThat(overloaded).isEqualTo(100);
      assertThat(e.outboxSize()).isEqualTo(CAPACITY);

      // The sink stores again: the journal goes round its ring of segments many times.
      sink.release.countDown();
      e.flush().get(30, TimeUnit.SECONDS);
      for (int round = 0; round < 40; round++) {
        fs.clear();
        for (int i = 0; i < CAPACITY / 2; i++) {
          fs.add(e.submit(PurchaseRequest.of("s", "u" + user++, 1)));
        }
        for (CompletableFuture<PurchaseResult> f : fs) {
          PurchaseResult r = f.join();
          assertThat(r.isConfirmed()).as("round %d: %s", round, r).isTrue();
          confirmed.add(r.orderId());
        }
        e.flush().get(30, TimeUnit.SECONDS);
      }
      assertThat(e.outboxSize()).isZero();
    }
    Path journal = dir.resolve("shard-0").resolve(OrderJournal.DIRECTORY);
    long files;
    try (Stream<Path> s = Files.list(journal)) {
      files = s.count();
    }
    assertThat(sink.duplicates).hasValue(0);
    assertThat(sink.stored.keySet()).containsExactlyInAnyOrderElementsOf(confirmed);
    assertThat(sink.order).isSorted();
    int storedBefore = sink.order.size();

    // A restart neither loses nor re-sends an order; the ring is still the same files.
    try (SeckillEngine e = engine(sink).build()) {
      assertThat(e.outboxSize()).isZero();
      assertThat(e.snapshot("s").ordersConfirmed()).isEqualTo(confirmed.size());
      PurchaseResult r = e.submit(PurchaseRequest.of("s", "after-restart", 1)).join();
      assertThat(r.isConfirmed()).isTrue();
      e.flush().get(30, TimeUnit.SECONDS);
      assertThat(sink.order).hasSize(storedBefore + 1);
      assertThat(sink.stored).containsKey(r.orderId());
    }
    try (Stream<Path> s = Files.list(journal)) {
      assertThat(s.count()).isEqualTo(files);
    }
    long perSegment = (4096 - OrderJournal.HEADER_BYTES) / 72;
    assertThat(confirmed.size() / perSegment).as("segments written").isGreaterThan(3 * files);
  }
}
