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
package dev.seckill.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link OrderSink} contract, as tests every implementation must pass. Shipped in
 * seckill-core's test-jar: an adapter extends it with a few lines that create its sink and read
 * back what the sink stored.
 */
public abstract class OrderSinkContractTest {
  private static final Instant T0 = Instant.parse("2026-11-11T00:00:00Z");

  protected OrderSink sink;

  /** A new sink over empty storage. */
  protected abstract OrderSink createSink() throws Exception;

  /** Everything the sink has durably stored, by order id, read from the storage itself. */
  protected abstract Map<Long, ConfirmedOrder> storedOrders() throws Exception;

  @BeforeEach
  void createTheSink() throws Exception {
    sink = createSink();
  }

  @AfterEach
  void closeTheSink() throws Exception {
    sink.close();
  }

  protected static ConfirmedOrder order(long id) {
    return new ConfirmedOrder(id, "sale-" + (id % 3), "user-" + id, 1 + (int) (id % 2),
        T0.plusMillis(id));
  }

  protected static List<ConfirmedOrder> orders(long fromInclusive, long toInclusive) {
    List<ConfirmedOrder> list = new ArrayList<>();
    for (long id = fromInclusive; id <= toInclusive; id++) {
      list.add(order(id));
    }
    return list;
  }

  @Test
  void storesEveryFieldOfEveryOrder() throws Exception {
    sink.store(orders(1, 50));
    Map<Long, ConfirmedOrder> stored = storedOrders();
    assertThat(stored).hasSize(50);
    for (ConfirmedOrder o : orders(1, 50)) {
      assertThat(stored.get(o.orderId())).isEqualTo(o);
    }
  }

  @Test
  void storingTheSameBatchAgainChangesNothing() throws Exception {
    sink.store(orders(1, 20));
    sink.store(orders(1, 20));
    assertThat(storedOrders()).hasSize(20);
  }

  @Test
  void overlappingBatchesStoreEachOrderOnce() throws Exception {
    sink.store(orders(1, 30));
    sink.store(orders(21, 60)); // a retry that re-offers 21..30 inside a larger batch
    Map<Long, ConfirmedOrder> stored = storedOrders();
    assertThat(stored).hasSize(60);
    assertThat(stored.keySet()).containsExactlyInAnyOrderElementsOf(
        orders(1, 60).stream().map(ConfirmedOrder::orderId).toList());
  }

  @Test
  void aSingleOrderBatch() throws Exception {
    sink.store(List.of(order(7)));
    assertThat(storedOrders()).containsOnlyKeys(7L);
  }

  @Test
  void aLargeBatch() throws Exception {
    sink.store(orders(1, 5_000));
    assertThat(storedOrders()).hasSize(5_000);
  }

  @Test
  void concurrentCallersWithOverlappingBatches() throws Exception {
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        long from = t * 500L + 1;
        done.add(pool.submit(() -> {
          start.await();
          for (long batch = from; batch < from + 1000; batch += 100) {
            sink.store(orders(batch, batch + 99)); // each thread overlaps the next by 500
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(storedOrders()).hasSize(threads * 500 + 500);
  }
}
