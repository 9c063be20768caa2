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
import dev.seckill.spi.InMemoryOrderSink;
import dev.seckill.spi.OrderSink;
import dev.seckill.spi.PermanentSinkException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which thread runs what: every callback on the shard's responder thread (with PERSISTED too, and
 * for its failures), decisions on the ledger writer, sink calls on the flusher; each thread named
 * as documented (seckill-ledger-N, seckill-responder-N, seckill-flusher-N).
 */
class ThreadRolesTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");
  static final Instant END = START.plus(Duration.ofMinutes(10));

  @TempDir Path dir;
  final RecordingClock clock = new RecordingClock(new MutableClock(START));

  /** A clock that remembers which threads read it; the ledger writer stamps each order. */
  static final class RecordingClock extends Clock {
    final Clock inner;
    final Set<String> readers = ConcurrentHashMap.newKeySet();

    RecordingClock(Clock inner) {
      this.inner = inner;
    }

    @Override
    public long millis() {
      readers.add(Thread.currentThread().getName());
      return inner.millis();
    }

    @Override
    public Instant instant() {
      readers.add(Thread.currentThread().getName());
      return inner.instant();
    }

    @Override
    public ZoneId getZone() {
      return inner.getZone();
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  /** Holds every store until opened; refuses users "bad..." for good; records the storing threads. */
  static final class GatedSink implements OrderSink {
    final InMemoryOrderSink stored = new InMemoryOrderSink();
    final CountDownLatch open = new CountDownLatch(1);
    final Set<String> threads = ConcurrentHashMap.newKeySet();

    @Override
    public void store(List<ConfirmedOrder> batch) throws Exception {
      threads.add(Thread.currentThread().getName());
      open.await();
      for (ConfirmedOrder o : batch) {
        if (o.userId().startsWith("bad")) {
          throw new PermanentSinkException("refused order " + o.orderId());
        }
      }
      stored.store(batch);
    }
  }

  /** A listener that records the thread of its one call, and what it was told. */
  static final class ThreadListener implements PurchaseListener {
    final CompletableFuture<String> thread = new CompletableFuture<>();
    volatile Object outcome;

    @Override
    public void onConfirmed(PurchaseRequest request, long orderId) {
      outcome = orderId;
      thread.complete(Thread.currentThread().getName());
    }

    @Override
    public void onRejected(PurchaseRequest request, Rejection reason) {
      outcome = reason;
      thread.complete(Thread.currentThread().getName());
    }

    @Override
    public void onFailed(PurchaseRequest request, Throwable cause) {
      outcome = cause;
      thread.complete(Thread.currentThread().getName());
    }
  }

  /** Sale ids that land on shards 0 and 1 of a two-shard engine. */
  static String[] saleIdPerShard() {
    String[] ids = new String[2];
    for (int i = 0; ids[0] == null || ids[1] == null; i++) {
      String id = "s" + i;
      int shard = dev.seckill.Shards.index(id, 2);
      if (ids[shard] == null) {
        ids[shard] = id;
      }
    }
    return ids;
  }

  static Sale sale(String id) {
    return Sale.builder(id).stock(10).startsAt(START).endsAt(END).limitPerUser(1).build();
  }

  SeckillEngine.Builder engine(OrderSink sink) {
    return SeckillEngine.builder().dataDir(dir).clock(clock).shards(2).maxUsersPerShard(1_000)
        .outboxCapacityPerShard(1_000).orderSink(sink)
        .flushRetryBackoff(Duration.ofMillis(1), Duration.ofMillis(20));
  }

  @Test
  void persistedCallbacksRunOnTheResponderThreadAndEachThreadHasItsName() throws Exception {
    GatedSink sink = new GatedSink();
    String[] saleIds = saleIdPerShard();
    List<CompletableFuture<String>> futureThreads = new ArrayList<>();
    List<CompletableFuture<String>> failedFutureThreads = new ArrayList<>();
    List<ThreadListener> confirmedListeners = new ArrayList<>();
    List<ThreadListener> refusedListeners = new ArrayList<>();
    List<ThreadListener> deadLetteredListeners = new ArrayList<>();
    try (SeckillEngine e = engine(sink).durability(Durability.PERSISTED).build()) {
      for (String id : saleIds) {
        e.registerSale(sale(id));
      }
      for (String id : saleIds) {
        // Every store is held, so nothing completes before the dependent actions are attached.
        futureThreads.add(e.submit(PurchaseRequest.of(id, "f", 1))
            .thenApply(r -> Thread.currentThread().getName()));
        failedFutureThreads.add(e.submit(PurchaseRequest.of(id, "bad", 1))
            .handle((r, failure) -> failure instanceof PermanentSinkException
                ? Thread.currentThread().getName() : "not failed: " + r));
        ThreadListener confirmed = new ThreadListener();
        e.submit(PurchaseRequest.of(id, "l", 1), confirmed);
        confirmedListeners.add(confirmed);
        ThreadListener refused = new ThreadListener();
        // Refused by the writer, after held confirmations: delivered in ring order, on the
        // responder too.
        e.submit(PurchaseRequest.of(id, "l", 1), refused);
        refusedListeners.add(refused);
        ThreadListener deadLettered = new ThreadListener();
        e.submit(PurchaseRequest.of(id, "bad-listener", 1), deadLettered);
        deadLetteredListeners.add(deadLettered);
      }
      sink.open.countDown();
      for (int shard = 0; shard < 2; shard++) {
        String responder = "seckill-responder-" + shard;
        assertThat(futureThreads.get(shard).get(30, TimeUnit.SECONDS)).isEqualTo(responder);
        assertThat(failedFutureThreads.get(shard).get(30, TimeUnit.SECONDS)).isEqualTo(responder);
        assertThat(confirmedListeners.get(shard).thread.get(30, TimeUnit.SECONDS))
            .isEqualTo(responder);
        assertThat(confirmedListeners.get(shard).outcome).isInstanceOf(Long.class);
        assertThat(refusedListeners.get(shard).thread.get(30, TimeUnit.SECONDS))
            .isEqualTo(responder);
        assertThat(refusedListeners.get(shard).outcome).isEqualTo(Rejection.LIMIT_REACHED);
        assertThat(deadLetteredListeners.get(shard).thread.get(30, TimeUnit.SECONDS))
            .isEqualTo(responder);
        assertThat(deadLetteredListeners.get(shard).outcome)
            .isInstanceOf(PermanentSinkException.class);
      }
      assertThat(e.deadLetteredOrders()).isEqualTo(4);
    }
    assertThat(sink.threads).containsExactlyInAnyOrder("seckill-flusher-0", "seckill-flusher-1");
    // The writer stamps each confirmed order with the clock; callers read it for early checks;
    // a flusher reads it only to stamp a failed store for health() (here: the dead letters).
    assertThat(clock.readers).contains("seckill-ledger-0", "seckill-ledger-1")
        .noneMatch(name -> name.startsWith("seckill-responder") || name.startsWith("seckill-shard"));
  }

  @Test
  void aPersistedOrderNotStoredBeforeCloseFailsOnTheResponderThread() throws Exception {
    InMemoryOrderSink sink = new InMemoryOrderSink();
    sink.failing(true);
    String saleId = saleIdPerShard()[1];
    CompletableFuture<String> thread;
    ThreadListener listener = new ThreadListener();
    try (SeckillEngine e = engine(sink).durability(Durability.PERSISTED)
        .closeTimeout(Duration.ZERO).build()) {
      e.registerSale(sale(saleId));
      thread = e.submit(PurchaseRequest.of(saleId, "u1", 1))
          .handle((r, failure) -> failure instanceof IllegalStateException
              ? Thread.currentThread().getName() : "not failed: " + r);
      e.submit(PurchaseRequest.of(saleId, "u2", 1), listener);
    }
    assertThat(thread.get(30, TimeUnit.SECONDS)).isEqualTo("seckill-responder-1");
    assertThat(listener.thread.get(30, TimeUnit.SECONDS)).isEqualTo("seckill-responder-1");
    assertThat(listener.outcome).isInstanceOf(IllegalStateException.class);
  }
}
