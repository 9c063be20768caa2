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

import dev.seckill.Sale;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Readers racing the writer never see the stock of one confirmation paired with the order count of
 * another (issue #9 item 7: {@code unitsSold != ordersConfirmed} in snapshots taken mid-sale).
 */
class SaleCountersTest {

  private static final long STOCK = 20_000_000L;

  @Test
  void readersNeverSeeATornPairWhileTheWriterConfirms() throws Exception {
    Sale sale = Sale.builder("race")
        .stock(STOCK)
        .limitPerUser(1)
        .startsAt(Instant.EPOCH)
        .endsAt(Instant.EPOCH.plusSeconds(60))
        .build();
    SaleState state = new SaleState(sale, 0, 0, STOCK, 0);
    AtomicBoolean done = new AtomicBoolean();
    CountDownLatch readersRunning = new CountDownLatch(2);
    List<CompletableFuture<long[]>> readers = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      readers.add(CompletableFuture.supplyAsync(() -> {
        long reads = 0;
        long torn = 0;
        long lastOrders = 0;
        long backwards = 0;
        readersRunning.countDown();
        while (!done.get()) {
          SaleState.Counters c = state.publishedCounters();
          reads++;
          if (c.remaining() + c.orders() != STOCK) { // 1-unit orders: sold == orders
            torn++;
          }
          if (c.orders() < lastOrders) {
            backwards++;
          }
          lastOrders = c.orders();
        }
        return new long[] {reads, torn, backwards};
      }, runnable -> new Thread(runnable, "snapshot-reader").start()));
    }
    readersRunning.await();
    // The writer: one 1-unit confirmation after another, as the ledger thread publishes them.
    long orders = 0;
    for (long remaining = STOCK - 1; remaining >= STOCK - 5_000_000L; remaining--) {
      state.applyConfirmed(remaining, ++orders);
    }
    done.set(true);
    for (CompletableFuture<long[]> reader : readers) {
      long[] result = reader.get();
      assertThat(result[0]).as("reads").isPositive();
      assertThat(result[1]).as("torn pairs out of %d reads", result[0]).isZero();
      assertThat(result[2]).as("order count going backwards").isZero();
    }
    SaleState.Counters last = state.publishedCounters();
    assertThat(last.orders()).isEqualTo(5_000_000L);
    assertThat(last.remaining()).isEqualTo(STOCK - 5_000_000L);
  }
}
