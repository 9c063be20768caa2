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
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pause/resume, end early, extend, add stock and archive: each decided by the writer, persisted. */
class SaleOperationsTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");
  static final Instant END = START.plus(Duration.ofHours(1));

  @TempDir Path dir;
  final MutableClock clock = new MutableClock(START);

  SeckillEngine open() {
    return SeckillEngine.builder().dataDir(dir).clock(clock).developmentDefaults()
        .prefaultFiles(false).build();
  }

  static Sale sale(String id, long stock, int limit) {
    return Sale.builder(id).stock(stock).startsAt(START).endsAt(END).limitPerUser(limit).build();
  }

  static Rejection refusal(SeckillEngine e, String sale, String user) {
    return e.submit(PurchaseRequest.of(sale, user, 1)).join().rejection();
  }

  @Test
  void pauseRefusesWithPausedUntilResumedAndSurvivesAReopen() {
    try (SeckillEngine e = open()) {
      e.registerSale(sale("s", 10, 1));
      long first = e.submit(PurchaseRequest.of("s", "alice", 1).withRequestId("a1")).join().orderId();
      SaleView paused = e.pauseSale("s").join();
      assertThat(paused.paused()).isTrue();
      assertThat(paused.phase()).isEqualTo(SalePhase.ON_SALE);
      assertThat(refusal(e, "s", "bob")).isEqualTo(Rejection.PAUSED);
      assertThat(e.issueToken("s", "bob").rejection()).isEqualTo(Rejection.PAUSED);
      assertThat(e.submit(PurchaseRequest.of("s", "alice", 1).withRequestId("a1")).join().orderId())
          .as("a retry of a confirmed purchase is still answered").isEqualTo(first);
      assertThat(e.snapshot("s").paused()).isTrue();
      assertThat(e.snapshot("s").rejections().get(Rejection.PAUSED)).isEqualTo(1);
      assertThat(e.pauseSale("s").join().paused()).as("pausing twice").isTrue();
    }
    try (SeckillEngine e = open()) {
      assertThat(e.saleView("s").paused()).isTrue();
      assertThat(refusal(e, "s", "bob")).isEqualTo(Rejection.PAUSED);
      assertThat(e.resumeSale("s").join().paused()).isFalse();
      assertThat(e.submit(PurchaseRequest.of("s", "bob", 1)).join().isConfirmed()).isTrue();
    }
    try (SeckillEngine e = open()) {
      assertThat(e.saleView("s").paused()).isFalse();
      assertThat(e.snapshot("s").unitsSold()).isEqualTo(2);
    }
  }

  @Test
  void endEarlyAndExtendMoveTheEndAndSurviveAReopen() {
    try (SeckillEngine e = open()) {
      e.registerSale(sale("s", 10, 1));
      clock.advance(Duration.ofMinutes(5));
      SaleView ended = e.endSale("s").join();
      assertThat(ended.endsAt()).isEqualTo(START.plus(Duration.ofMinutes(5)));
      assertThat(ended.phase()).isEqualTo(SalePhase.ENDED);
      assertThat(refusal(e, "s", "bob")).isEqualTo(Rejection.ENDED);
      clock.advance(Duration.ofMinutes(5));
      assertThat(e.endSale("s").join().endsAt()).as("already over: the end stays")
          .isEqualTo(START.plus(Duration.ofMinutes(5)));
    }
    try (SeckillEngine e = open()) {
      assertThat(e.saleView("s").endsAt()).isEqualTo(START.plus(Duration.ofMinutes(5)));
      assertThat(refusal(e, "s", "bob")).isEqualTo(Rejection.ENDED);
      assertThatThrownBy(() -> e.extendSale("s", START.plus(Duration.ofMinutes(4))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("endsAt must be after the current end 2026-11-11T00:05:00Z of sale 's'")
          .hasMessageContaining("was 2026-11-11T00:04:00Z");
      Instant later = START.plus(Duration.ofHours(3));
      SaleView reopened = e.extendSale("s", later).join();
      assertThat(reopened.endsAt()).isEqualTo(later);
      assertThat(reopened.phase()).isEqualTo(SalePhase.ON_SALE);
      assertThat(e.submit(PurchaseRequest.of("s", "bob", 1)).join().isConfirmed()).isTrue();
      e.registerSale(sale("s", 10, 1)); // the spec as registered: still a no-op
    }
    try (SeckillEngine e = open()) {
      assertThat(e.saleView("s").endsAt()).isEqualTo(START.plus(Duration.ofHours(3)));
      clock.set(START.plus(Duration.ofHours(2)));
      assertThat(e.submit(PurchaseRequest.of("s", "carol", 1)).join().isConfirmed()).isTrue();
    }
  }

  @Test
  void addStockClearsSoldOutAndSurvivesAReopen() {
    try (SeckillEngine e = open()) {
      e.registerSale(sale("s", 2, 1));
      e.submit(PurchaseRequest.of("s", "a", 1)).join();
      e.submit(PurchaseRequest.of("s", "b", 1)).join();
      assertThat(refusal(e, "s", "c")).isEqualTo(Rejection.SOLD_OUT);
      assertThatThrownBy(() -> e.addStock("s", 0)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("units must be at least 1, was 0");
      SaleView more = e.addStock("s", 3).join();
      assertThat(more.remaining()).isEqualTo(3);
      assertThat(more.phase()).isEqualTo(SalePhase.ON_SALE);
      assertThat(e.submit(PurchaseRequest.of("s", "c", 1)).join().isConfirmed()).isTrue();
      assertThat(refusal(e, "s", "a")).as("the per-user limit holds").isEqualTo(Rejection.LIMIT_REACHED);
      SaleSnapshot s = e.snapshot("s");
      assertThat(s.initialStock()).isEqualTo(2);
      assertThat(s.totalStock()).isEqualTo(5);
      assertThat(s.unitsSold()).isEqualTo(3);
      assertThat(s.remaining()).isEqualTo(2);
    }
    try (SeckillEngine e = open()) {
      SaleSnapshot s = e.snapshot("s");
      assertThat(s.totalStock()).isEqualTo(5);
      assertThat(s.remaining()).isEqualTo(2);
      e.submit(PurchaseRequest.of("s", "d", 1)).join();
      e.submit(PurchaseRequest.of("s", "f", 1)).join();
      assertThat(refusal(e, "s", "g")).isEqualTo(Rejection.SOLD_OUT);
      assertThat(e.snapshot("s").unitsSold()).isEqualTo(5);
    }
  }

  /**
   * A crash between the catalog write of added stock and the counters write: the counters still
   * hold the old stock; recovery takes the catalog's values while the watermark has not moved.
   */
  @Test
  void addedStockSurvivesACrashBeforeItsCountersWrite() throws IOException {
    LedgerConfig config = new LedgerConfig(dir.resolve("shard"), 0, 1, 1_000, 1_000, 4,
        Clock.fixed(START, ZoneOffset.UTC), false);
    StockLedger ledger = StockLedger.open(config);
    SaleState s = ledger.register(sale("s", 2, 5));
    assertThat(ledger.decide(s, "a", 1)).isEqualTo(1);
    ledger.checkpoint();
    ledger.operate(s, SaleOp.ADD_STOCK, 10);
    ledger.putRemainingCounterForTest(s.index(), 1); // the counters as before the operation
    ledger.abandon();
    try (StockLedger reopened = StockLedger.open(config)) {
      SaleState again = reopened.sales().get(0);
      assertThat(again.remainingForWriter()).isEqualTo(11);
      assertThat(again.totalStock()).isEqualTo(12);
      assertThat(reopened.decide(again, "b", 1)).isEqualTo(2);
      reopened.checkpoint();
    }
    try (StockLedger reopened = StockLedger.open(config)) { // the watermark moved: the counters
      assertThat(reopened.sales().get(0).remainingForWriter()).isEqualTo(10);
    }
  }

  @Test
  void stockAddedWhileBuyingNeverOversellsNorBreaksTheLimit() throws Exception {
    InMemoryOrderSink sink = new InMemoryOrderSink();
    try (SeckillEngine e = SeckillEngine.builder().dataDir(dir).clock(clock).developmentDefaults()
        .prefaultFiles(false).orderSink(sink).build()) {
      e.registerSale(Sale.builder("s").stock(50).startsAt(START).endsAt(END).limitPerUser(3)
          .maxPerRequest(2).build());
      AtomicBoolean adding = new AtomicBoolean(true);
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> buyers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        SplittableRandom random = new SplittableRandom(t);
        Thread b = new Thread(() -> {
          try {
            go.await();
          } catch (InterruptedException x) {
            return;
          }
          while (adding.get()) {
            e.submit(PurchaseRequest.of("s", "u" + random.nextInt(300), 1 + random.nextInt(2)))
                .join();
          }
        });
        b.start();
        buyers.add(b);
      }
      go.countDown();
      for (int i = 0; i < 40; i++) {
        e.addStock("s", 10).join();
      }
      adding.set(false);
      for (Thread b : buyers) {
        b.join();
      }
      e.flush().join();
      SaleSnapshot s = e.snapshot("s");
      assertThat(s.totalStock()).isEqualTo(450);
      long sold = sink.orders().values().stream().mapToLong(ConfirmedOrder::quantity).sum();
      assertThat(sold).isEqualTo(s.unitsSold()).isLessThanOrEqualTo(450);
      assertThat(s.remaining()).isEqualTo(450 - sold);
      Map<String, Integer> perUser = new HashMap<>();
      for (ConfirmedOrder o : sink.orders().values()) {
        perUser.merge(o.userId(), o.quantity(), Integer::sum);
      }
      assertThat(perUser.values()).allSatisfy(u -> assertThat(u).isLessThanOrEqualTo(3));
      assertThat(s.phase()).isIn(SalePhase.ON_SALE, SalePhase.SOLD_OUT);
    }
  }

  @Test
  void archiveWaitsForTheEndAndTheSinkThenFreesTheSlot() {
    InMemoryOrderSink sink = new InMemoryOrderSink();
    sink.failing(true); // nothing is stored yet
    try (SeckillEngine e = SeckillEngine.builder().dataDir(dir).clock(clock).developmentDefaults()
        .prefaultFiles(false).maxSalesPerShard(1).orderSink(sink).build()) {
      e.registerSale(sale("old", 5, 1));
      assertThat(e.submit(PurchaseRequest.of("old", "alice", 1)).join().isConfirmed()).isTrue();
      assertThat(failure(e.archiveSale("old"))).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("cannot be archived before it is over").hasMessageContaining("endSale");
      e.endSale("old").join();
      assertThat(failure(e.archiveSale("old"))).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("not all stored by the order sink");
      assertThatThrownBy(() -> e.registerSale(sale("new", 5, 1)))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("maxSales=1");
      sink.failing(false);
      e.flush().join();
      SaleView last = e.archiveSale("old").join();
      assertThat(last.saleId()).isEqualTo("old");
      assertThat(refusal(e, "old", "bob")).isEqualTo(Rejection.UNKNOWN_SALE);
      assertThatThrownBy(() -> e.snapshot("old")).isInstanceOf(IllegalArgumentException.class);
      assertThat(e.sales()).isEmpty();

      e.registerSale(sale("new", 5, 1)); // the freed slot
      assertThat(e.submit(PurchaseRequest.of("new", "alice", 1)).join().isConfirmed())
          .as("the archived sale's buyer starts afresh").isTrue();
      assertThat(e.submit(PurchaseRequest.of("new", "alice", 1)).join().rejection())
          .isEqualTo(Rejection.LIMIT_REACHED);
    }
    try (SeckillEngine e = SeckillEngine.builder().dataDir(dir).clock(clock).developmentDefaults()
        .prefaultFiles(false).maxSalesPerShard(1).orderSink(sink).build()) {
      assertThat(e.sales()).containsExactly(sale("new", 5, 1));
      assertThat(e.snapshot("new").unitsSold()).isEqualTo(1);
      assertThat(refusal(e, "old", "bob")).isEqualTo(Rejection.UNKNOWN_SALE);
      assertThat(e.submit(PurchaseRequest.of("new", "bob", 1)).join().isConfirmed()).isTrue();
      e.flush().join();
      assertThat(sink.orders().values()).extracting(ConfirmedOrder::saleId)
          .containsOnly("old", "new");
    }
  }

  @Test
  void operationsOnUnknownSalesThrowAndRacingCloseIsRefused() {
    SeckillEngine e = open();
    e.registerSale(sale("s", 5, 1));
    assertThatThrownBy(() -> e.pauseSale("nope")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no sale registered with id 'nope'");
    assertThatThrownBy(() -> e.extendSale("s", null)).isInstanceOf(NullPointerException.class);
    e.close();
    assertThatThrownBy(() -> e.pauseSale("s")).isInstanceOf(IllegalStateException.class);
  }

  private static Throwable failure(CompletableFuture<?> f) {
    try {
      f.join();
    } catch (CompletionException x) {
      return x.getCause();
    }
    throw new AssertionError("expected the operation to fail");
  }
}
