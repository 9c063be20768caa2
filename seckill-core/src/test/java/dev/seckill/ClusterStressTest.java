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
import dev.seckill.spi.InMemoryStockCoordinator;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three engines (three data directories) in one JVM share one coordinator and sell one sale with
 * demand above stock, from several threads, each thread buying on every engine in turn, until
 * every engine answers SOLD_OUT. Checked at the end, after the engines closed (and released):
 * sold == stock; no unit sold twice (conservation; the stored orders' units sum to the stock);
 * every confirmed order stored exactly once and every stored order confirmed; the per-user limit
 * held across engines; order ids unique across engines and carrying their node's id. The second
 * test sells reservations: each buyer pays (60 %) or cancels (40 %) at once, and cancelled units go
 * back to the coordinator's pool and sell again, until every unit is paid.
 */
class ClusterStressTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");
  static final Instant END = START.plus(Duration.ofHours(1));
  static final int NODES = 3;
  static final int STOCK = 300;
  static final int LIMIT = 2;
  static final int USERS = 200; // 400 units of demand capacity > 300 of stock
  static final int THREADS = 6;

  @TempDir Path dir;

  /** What a buyer does with a confirmed order (its engine, its id); answers its final state. */
  interface AfterConfirm {
    OrderState apply(SeckillEngine engine, long orderId);
  }

  @Test
  void threeEnginesSellOneSaleWithoutOverselling() throws Exception {
    Sale sale = Sale.builder("s").stock(STOCK).startsAt(START).endsAt(END).limitPerUser(LIMIT)
        .build();
    InMemoryStockCoordinator coordinator = new InMemoryStockCoordinator(new MutableClock(START));
    Map<Long, OrderState> confirmed = sell(coordinator, sale, USERS,
        (engine, id) -> OrderState.CONFIRMED);
    assertThat(coordinator.sold("s")).isEqualTo(STOCK);
    assertThat(coordinator.stored().values().stream().mapToInt(ConfirmedOrder::quantity).sum())
        .isEqualTo(STOCK);
    assertThat(confirmed).hasSize(STOCK);
  }

  @Test
  void threeEnginesSellReservationsUntilEveryUnitIsPaid() throws Exception {
    Sale sale = Sale.builder("s").stock(STOCK).startsAt(START).endsAt(END).limitPerUser(LIMIT)
        .payWithin(Duration.ofHours(1)).build();
    InMemoryStockCoordinator coordinator = new InMemoryStockCoordinator(new MutableClock(START));
    Map<Long, OrderState> confirmed = sell(coordinator, sale, 3 * USERS, (engine, id) -> {
      boolean pay = ThreadLocalRandom.current().nextInt(10) < 6;
      OrderTransition t = pay ? engine.pay(id, "ref-" + id).join() : engine.cancel(id).join();
      assertThat(t.outcome()).as("%s of %d", pay ? "pay" : "cancel", id)
          .isEqualTo(OrderTransition.Outcome.APPLIED);
      return t.state();
    });
    long paid = confirmed.values().stream().filter(st -> st == OrderState.PAID).count();
    long cancelled = confirmed.values().stream().filter(st -> st == OrderState.CANCELLED).count();
    assertThat(paid).isEqualTo(STOCK); // SOLD_OUT everywhere: every unit paid, none held
    assertThat(coordinator.held("s")).isZero();
    assertThat(coordinator.released("s")).isEqualTo(cancelled);
    assertThat(coordinator.sold("s") - coordinator.released("s")).isEqualTo(STOCK);
    for (Map.Entry<Long, OrderState> e : confirmed.entrySet()) {
      assertThat(coordinator.state(e.getKey())).as("order %d", e.getKey())
          .isEqualTo(e.getValue());
    }
  }

  /**
   * Three engines sell {@code sale} to {@code users} buyers until each answers SOLD_OUT; every
   * confirmed order goes through {@code after}. Checks the invariants common to both tests and
   * answers each confirmed order's final state by id.
   */
  private Map<Long, OrderState> sell(InMemoryStockCoordinator coordinator, Sale sale, int users,
      AfterConfirm after) throws Exception {
    MutableClock clock = new MutableClock(START);
    Cluster cluster = Cluster.builder(coordinator).leaseTtl(Duration.ofSeconds(3))
        .initialChunk(20).chunkTarget(Duration.ofMillis(200)).build();
    SeckillEngine[] engines = new SeckillEngine[NODES];
    Map<Long, String> confirmed = new ConcurrentHashMap<>(); // order id -> user
    Map<Long, OrderState> states = new ConcurrentHashMap<>();
    AtomicLong duplicates = new AtomicLong();
    Map<Rejection, AtomicLong> refusals = new ConcurrentHashMap<>();
    try {
      for (int i = 0; i < NODES; i++) {
        engines[i] = SeckillEngine.builder().developmentDefaults().dataDir(dir.resolve("n" + i))
            .clock(clock).durability(Durability.PERSISTED).cluster(cluster).build();
        engines[i].registerSale(sale);
      }
      for (SeckillEngine e : engines) {
        e.saleState("s").firstLease.join();
      }
      AtomicBoolean[] soldOut = new AtomicBoolean[NODES];
      for (int i = 0; i < NODES; i++) {
        soldOut[i] = new AtomicBoolean();
      }
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      List<Future<?>> workers = new ArrayList<>();
      long giveUpAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      for (int t = 0; t < THREADS; t++) {
        int first = t;
        workers.add(pool.submit(() -> {
          go.await();
          int n = first;
          while (!(soldOut[0].get() && soldOut[1].get() && soldOut[2].get())) {
            if (System.nanoTime() - giveUpAt > 0) {
              throw new AssertionError("the engines did not all answer SOLD_OUT in time; refusals "
                  + refusals + ", confirmed " + confirmed.size());
            }
            int node = n++ % NODES;
            String user = "u" + ThreadLocalRandom.current().nextInt(users);
            PurchaseResult r = engines[node].submit(PurchaseRequest.of("s", user, 1)).join();
            if (r.isConfirmed()) {
              if (confirmed.put(r.orderId(), user) != null) {
                duplicates.incrementAndGet();
              }
              states.put(r.orderId(), after.apply(engines[node], r.orderId()));
            } else {
              refusals.computeIfAbsent(r.rejection(), k -> new AtomicLong()).incrementAndGet();
              if (r.rejection() == Rejection.SOLD_OUT) {
                soldOut[node].set(true);
              }
              Thread.yield(); // a refusal: let the engines' threads run
            }
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : workers) {
        f.get();
      }
      pool.shutdown();
    } finally {
      for (SeckillEngine e : engines) {
        if (e != null) {
          e.close();
        }
      }
    }
    Map<Long, ConfirmedOrder> stored = coordinator.stored();
    assertThat(duplicates.get()).as("an order id confirmed twice").isZero();
    assertThat(coordinator.poolFree("s")).isZero();
    assertThat(coordinator.activeLeases("s")).isZero();
    coordinator.checkConservation();
    assertThat(stored.keySet()).isEqualTo(confirmed.keySet()); // confirmed <=> stored, once each
    Map<String, Integer> perUser = new HashMap<>();
    for (ConfirmedOrder o : stored.values()) {
      perUser.merge(o.userId(), o.quantity(), Integer::sum);
    }
    assertThat(perUser.values()).allMatch(units -> units <= LIMIT);
    Set<Long> nodeIds = new HashSet<>();
    for (SeckillEngine e : engines) {
      nodeIds.add((long) e.nodeId());
    }
    assertThat(nodeIds).hasSize(NODES);
    for (long id : stored.keySet()) {
      assertThat(nodeIds).contains(id >>> 48);
    }
    // Voided orders were refused, never confirmed.
    assertThat(coordinator.voids().keySet()).doesNotContainAnyElementsOf(confirmed.keySet());
    return states;
  }
}
