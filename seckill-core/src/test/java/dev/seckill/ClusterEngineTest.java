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

import dev.seckill.spi.InMemoryStockCoordinator;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One engine in cluster mode over an {@link InMemoryStockCoordinator}. */
class ClusterEngineTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");
  static final Instant END = START.plus(Duration.ofHours(1));

  @TempDir Path dir;
  final MutableClock clock = new MutableClock(START);
  final MutableClock coordinatorClock = new MutableClock(START);
  final InMemoryStockCoordinator coordinator = new InMemoryStockCoordinator(coordinatorClock);

  static Cluster cluster(InMemoryStockCoordinator coordinator) {
    return Cluster.builder(coordinator).leaseTtl(Duration.ofSeconds(3)).initialChunk(10).build();
  }

  static SeckillEngine engine(Path dir, MutableClock clock, Cluster cluster) {
    return SeckillEngine.builder().developmentDefaults().dataDir(dir).clock(clock)
        .durability(Durability.PERSISTED).cluster(cluster).build();
  }

  static Sale sale(String id, long stock, int limit) {
    return Sale.builder(id).stock(stock).startsAt(START).endsAt(END).limitPerUser(limit).build();
  }

  /**
   * A sale registered while the cluster thread waits inside a coordinator call gets its lease
   * once the call returns, not at the next renewal (an hour's third here).
   */
  @Test
  // A lost wake-up would wait 20 minutes: fail instead of hanging.
  @org.junit.jupiter.api.Timeout(value = 120,
      threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
  void aSaleAddedDuringACallIsLeasedWhenTheCallReturns() throws Exception {
    Cluster hourly = Cluster.builder(coordinator).leaseTtl(Duration.ofHours(1)).build();
    try (SeckillEngine e = engine(dir, clock, hourly)) {
      e.registerSale(sale("a", 10, 1));
      e.saleState("a").firstLease.join();
      java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.CountDownLatch waiting = new java.util.concurrent.CountDownLatch(1);
      coordinator.holdLeases(gate, waiting);
      e.registerSale(sale("b", 10, 1)); // the cluster thread leases it: held in the call
      waiting.await();
      e.registerSale(sale("c", 10, 1)); // its unpark lands while the thread waits on the gate
      coordinator.holdLeases(null, new java.util.concurrent.CountDownLatch(0));
      gate.countDown();
      e.saleState("b").firstLease.join();
      e.saleState("c").firstLease.join();
      assertThat(e.submit(PurchaseRequest.of("c", "u", 1)).join().isConfirmed()).isTrue();
    }
    coordinator.checkConservation();
  }

  /**
   * A top-up is asked for by the writer while the cluster thread is often inside a call (the
   * previous chunk's ADD op, the coordinator): the request must not wait for the next renewal.
   * With renewals an hour apart, the sale sells out only if every top-up follows its request.
   */
  @Test
  // A lost request would wait 20 minutes for the renewal: fail instead of hanging.
  @org.junit.jupiter.api.Timeout(value = 120,
      threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
  void topUpsFollowTheWritersRequestsNotTheRenewalPeriod() {
    Cluster hourly = Cluster.builder(coordinator).leaseTtl(Duration.ofHours(1)).initialChunk(2)
        .build();
    try (SeckillEngine e = engine(dir, clock, hourly)) {
      e.registerSale(sale("s", 300, 1));
      e.saleState("s").firstLease.join();
      // 64 buyers always in flight, each followed by a new one when answered: requests queued
      // behind the writer's ADD of a chunk sell it at once, so the writer asks for the next
      // chunk while the cluster thread still waits for that op.
      java.util.concurrent.atomic.AtomicInteger confirmed =
          new java.util.concurrent.atomic.AtomicInteger();
      java.util.concurrent.atomic.AtomicInteger users =
          new java.util.concurrent.atomic.AtomicInteger();
      java.util.Set<Rejection> refusals = java.util.concurrent.ConcurrentHashMap.newKeySet();
      CompletableFuture<Void> done = new CompletableFuture<>();
      Runnable[] buyer = new Runnable[1];
      buyer[0] = () -> e.submit(PurchaseRequest.of("s", "u" + users.getAndIncrement(), 1))
          .whenComplete((r, failure) -> {
            if (failure != null) {
              done.completeExceptionally(failure);
            } else if (r.isConfirmed() ? confirmed.incrementAndGet() >= 300 : false) {
              done.complete(null);
            } else if (!done.isDone()) {
              if (!r.isConfirmed()) {
                refusals.add(r.rejection());
              }
              buyer[0].run();
            }
          });
      for (int i = 0; i < 64; i++) {
        buyer[0].run();
      }
      done.join();
      assertThat(refusals).isSubsetOf(Rejection.LEASED_ELSEWHERE, Rejection.SOLD_OUT);
      assertThat(e.submit(PurchaseRequest.of("s", "late", 1)).join().rejection())
          .isIn(Rejection.SOLD_OUT, Rejection.LEASED_ELSEWHERE);
    }
    assertThat(coordinator.sold("s")).isEqualTo(300);
    coordinator.checkConservation();
  }

  @Test
  void sellsAClusterSaleThroughTheCoordinator() {
    List<Long> ids = new ArrayList<>();
    int nodeId;
    try (SeckillEngine e = engine(dir, clock, cluster(coordinator))) {
      nodeId = e.nodeId();
      assertThat(nodeId).isEqualTo(1);
      e.registerSale(sale("s", 25, 1));
      // Before its first lease the node holds no unit, but the sale is not sold out: a view
      // says SOLD_OUT only once the coordinator said nothing is left anywhere.
      assertThat(e.saleView("s").phase()).isEqualTo(SalePhase.ON_SALE);
      e.saleState("s").firstLease.join();
      List<CompletableFuture<PurchaseResult>> fs = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        fs.add(e.submit(PurchaseRequest.of("s", "u" + i, 1)));
      }
      int confirmed = 0;
      for (CompletableFuture<PurchaseResult> f : fs) {
        PurchaseResult r = f.join();
        if (r.isConfirmed()) {
          confirmed++;
          ids.add(r.orderId());
        } else {
          assertThat(r.rejection()).isIn(Rejection.LEASED_ELSEWHERE, Rejection.SOLD_OUT,
              Rejection.INSUFFICIENT_STOCK);
        }
      }
      // The chunks come as the local lease runs low: buyers who found it empty retry.
      int u = 40;
      while (confirmed < 25) {
        PurchaseResult r = e.submit(PurchaseRequest.of("s", "u" + u++, 1)).join();
        if (r.isConfirmed()) {
          confirmed++;
          ids.add(r.orderId());
        }
      }
      assertThat(coordinator.stored()).hasSize(25); // PERSISTED: stored before confirmed
      assertThat(coordinator.stored().keySet()).containsExactlyInAnyOrderElementsOf(ids);
    }
    for (long id : ids) {
      assertThat(id >>> 48).isEqualTo(nodeId);
    }
    assertThat(coordinator.sold("s")).isEqualTo(25);
    assertThat(coordinator.poolFree("s")).isZero();
    assertThat(coordinator.activeLeases("s")).isZero(); // released at close
    coordinator.checkConservation();
  }

  @Test
  void endingTheSaleReleasesTheLeaseAndExtendingItLeasesAgain() {
    try (SeckillEngine e = engine(dir, clock, cluster(coordinator))) {
      e.registerSale(sale("s", 25, 1));
      e.saleState("s").firstLease.join();
      assertThat(e.submit(PurchaseRequest.of("s", "u1", 1)).join().isConfirmed()).isTrue();
      e.endSale("s").join();
      ClusterVoidTest.await("the lease is released", () -> coordinator.activeLeases("s") == 0);
      assertThat(coordinator.sold("s")).isEqualTo(1);
      assertThat(coordinator.poolFree("s")).isEqualTo(24);
      e.extendSale("s", END).join();
      ClusterVoidTest.await("a lease again", () -> coordinator.activeLeases("s") == 1);
      ClusterVoidTest.await("u2 buys", () ->
          e.submit(PurchaseRequest.of("s", "u2", 1)).join().isConfirmed());
    }
    assertThat(coordinator.sold("s")).isEqualTo(2);
    coordinator.checkConservation();
  }

  @Test
  void addingStockIsRefusedInClusterMode() {
    try (SeckillEngine e = engine(dir, clock, cluster(coordinator))) {
      e.registerSale(sale("s", 25, 1));
      assertThat(e.addStock("s", 5)).failsWithin(Duration.ofSeconds(30))
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .withMessageContaining("cluster mode");
    }
  }

  @Test
  void anIdleNodeGivesItsUnitsBackWhenAnotherStarves() {
    Cluster c = Cluster.builder(coordinator).leaseTtl(Duration.ofSeconds(3)).initialChunk(10)
        .chunkTarget(Duration.ofMillis(100)).build();
    try (SeckillEngine a = engine(dir.resolve("a"), clock, c)) {
      a.registerSale(sale("s", 10, 1));
      a.saleState("s").firstLease.join();
      assertThat(coordinator.poolFree("s")).isZero(); // a holds every unit and sells none
      try (SeckillEngine b = engine(dir.resolve("b"), clock, c)) {
        b.registerSale(sale("s", 10, 1));
        b.saleState("s").firstLease.join(); // an empty lease: b starves
        assertThat(b.submit(PurchaseRequest.of("s", "u0", 1)).join().rejection())
            .isEqualTo(Rejection.LEASED_ELSEWHERE);
        // a's next renewal hears that b starves, and a has sold nothing: it gives back.
        ClusterVoidTest.await("b sells", () ->
            b.submit(PurchaseRequest.of("s", "u1", 1)).join().isConfirmed());
      }
    }
    assertThat(coordinator.sold("s")).isEqualTo(1);
    assertThat(coordinator.activeLeases("s")).isZero();
    coordinator.checkConservation();
  }

  @Test
  void theReaperRevokesAnExpiredLeaseOfAnotherNode() throws Exception {
    Cluster c = Cluster.builder(coordinator).leaseTtl(Duration.ofSeconds(3))
        .reapGrace(Duration.ZERO).initialChunk(5).build();
    try (SeckillEngine e = engine(dir, clock, c)) {
      e.registerSale(sale("s", 25, 1));
      e.saleState("s").firstLease.join();
      // A node that crashed holding 5 units: its lease expires 1 ms after, by the coordinator.
      coordinator.lease(999, "s", 5, Duration.ofMillis(1));
      assertThat(coordinator.activeLeases("s")).isEqualTo(2);
      coordinatorClock.advance(Duration.ofSeconds(1)); // past it; e's own lease runs 3 s
      ClusterVoidTest.await("the crashed node's lease is reaped",
          () -> coordinator.activeLeases("s") == 1);
      assertThat(e.submit(PurchaseRequest.of("s", "u", 1)).join().isConfirmed()).isTrue();
    }
    coordinator.checkConservation();
    assertThat(coordinator.poolFree("s")).isEqualTo(24);
  }
}
