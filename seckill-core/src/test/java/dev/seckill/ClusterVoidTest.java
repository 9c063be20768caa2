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
import dev.seckill.spi.VoidedOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Orders the coordinator's fenced sink voids: those of a lease the coordinator revoked
 * (LEASE_LOST, their buyers get VOIDED), and those of a buyer who already holds the per-user
 * limit on another engine (LIMIT_REACHED, the units go back to the selling node's lease).
 */
class ClusterVoidTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");
  static final Instant END = START.plus(Duration.ofHours(1));

  @TempDir Path dir;
  final MutableClock clock = new MutableClock(START);
  final MutableClock coordinatorClock = new MutableClock(START);
  final InMemoryStockCoordinator coordinator = new InMemoryStockCoordinator(coordinatorClock);

  SeckillEngine engine(String name, Cluster cluster) {
    return SeckillEngine.builder().developmentDefaults().dataDir(dir.resolve(name)).clock(clock)
        .durability(Durability.PERSISTED).cluster(cluster)
        .flushRetryBackoff(Duration.ofMillis(1), Duration.ofMillis(50)).build();
  }

  static Sale sale(long stock, int limit) {
    return Sale.builder("s").stock(stock).startsAt(START).endsAt(END).limitPerUser(limit).build();
  }

  /** Waits, without sleeping, until {@code condition} holds (bounded: fails after 30 s). */
  static void await(String what, BooleanSupplier condition) {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - until > 0) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.yield();
    }
  }

  @Test
  void aLapsedAndReapedLeaseVoidsTheNodesUnsettledOrders() {
    Duration ttl = Duration.ofSeconds(3); // the local deadline leaves ~2 s to sell the orders
    Cluster cluster = Cluster.builder(coordinator).leaseTtl(ttl).initialChunk(10).build();
    try (SeckillEngine e = engine("a", cluster)) {
      e.registerSale(sale(10, 1));
      e.saleState("s").firstLease.join();
      // The coordinator (its database) becomes unreachable: nothing settles, nothing renews.
      coordinator.sinkDown(true);
      coordinator.coordinatorDown(true);
      List<CompletableFuture<PurchaseResult>> buyers = new ArrayList<>();
      for (String user : List.of("a", "b", "c")) {
        buyers.add(e.submit(PurchaseRequest.of("s", user, 1)));
      }
      await("the writer sold the three orders", () -> e.outboxSize() == 3);
      assertThat(buyers).noneMatch(CompletableFuture::isDone); // PERSISTED: waiting for the sink
      // The coordinator's clock passes the lease's expiry and grace; a reaper revokes it.
      coordinatorClock.advance(ttl.plus(cluster.reapGrace()).plusSeconds(1));
      assertThat(coordinator.reapNow(cluster.reapGrace())).isEqualTo(1);
      assertThat(coordinator.poolFree("s")).isEqualTo(10); // the unsold units are back
      // The sink comes back: the orders find no lease and are voided; their buyers are told.
      coordinator.sinkDown(false);
      for (CompletableFuture<PurchaseResult> f : buyers) {
        PurchaseResult r = f.join();
        assertThat(r.isConfirmed()).isFalse();
        assertThat(r.rejection()).isEqualTo(Rejection.VOIDED);
      }
      assertThat(e.voidedOrders()).isEqualTo(3);
      assertThat(coordinator.voids().values()).extracting(VoidedOrder::reason)
          .containsOnly(VoidedOrder.Reason.LEASE_LOST);
      assertThat(coordinator.stored()).isEmpty();
      // The coordinator comes back: the node leases again and sells; "a" may buy again.
      coordinator.coordinatorDown(false);
      await("a buys again", () -> e.submit(PurchaseRequest.of("s", "a", 1)).join().isConfirmed());
    }
    assertThat(coordinator.sold("s")).isEqualTo(1);
    assertThat(coordinator.activeLeases("s")).isZero();
    coordinator.checkConservation();
  }

  @Test
  void aRenewalAfterTheReaperNeverMakesANewLeaseForTheOrdersOfTheRevokedOne() {
    Duration ttl = Duration.ofSeconds(3); // renewed every second
    Cluster cluster = Cluster.builder(coordinator).leaseTtl(ttl).initialChunk(10).build();
    try (SeckillEngine e = engine("a", cluster)) {
      e.registerSale(sale(10, 1));
      e.saleState("s").firstLease.join();
      assertThat(coordinator.leasesCreated()).isEqualTo(1);
      // Orders sold, not settled (the sink cannot store); the coordinator still answers.
      coordinator.sinkDown(true);
      List<CompletableFuture<PurchaseResult>> buyers = new ArrayList<>();
      for (String user : List.of("a", "b", "c")) {
        buyers.add(e.submit(PurchaseRequest.of("s", user, 1)));
      }
      await("the writer sold the three orders", () -> e.outboxSize() == 3);
      // As if the node had been paused past its lease: the reaper revokes it; the node's next
      // renewal reaches the coordinator after that.
      coordinatorClock.advance(ttl.plus(cluster.reapGrace()).plusSeconds(1));
      assertThat(coordinator.reapNow(cluster.reapGrace())).isEqualTo(1);
      int renewals = coordinator.renewCalls();
      await("the node renews after the revocation", () -> coordinator.renewCalls() > renewals);
      await("the node stops selling",
          () -> e.saleState("s").emptyRefusal == Rejection.COORDINATOR_UNAVAILABLE
              && e.saleState("s").publishedRemaining() == 0);
      // No new lease while its orders are unsettled: they cannot settle against one.
      assertThat(coordinator.leasesCreated()).isEqualTo(1);
      assertThat(coordinator.activeLeases("s")).isZero();
      coordinator.sinkDown(false);
      for (CompletableFuture<PurchaseResult> f : buyers) {
        assertThat(f.join().rejection()).isEqualTo(Rejection.VOIDED);
      }
      assertThat(coordinator.stored()).isEmpty();
      assertThat(coordinator.voids().values()).extracting(VoidedOrder::reason)
          .containsOnly(VoidedOrder.Reason.LEASE_LOST);
      // Then, and only then, a new lease: the node sells again.
      await("a buys again", () -> e.submit(PurchaseRequest.of("s", "a", 1)).join().isConfirmed());
      assertThat(coordinator.leasesCreated()).isEqualTo(2);
    }
    assertThat(coordinator.sold("s")).isEqualTo(1);
    coordinator.checkConservation();
  }

  @Test
  void aBuyerAtTheLimitOnAnotherEngineIsRefusedAndTheUnitGoesBack() {
    Cluster cluster = Cluster.builder(coordinator).leaseTtl(Duration.ofSeconds(3))
        .initialChunk(4).build();
    try (SeckillEngine a = engine("a", cluster); SeckillEngine b = engine("b", cluster)) {
      a.registerSale(sale(10, 1));
      b.registerSale(sale(10, 1));
      a.saleState("s").firstLease.join();
      b.saleState("s").firstLease.join();
      assertThat(a.submit(PurchaseRequest.of("s", "u", 1)).join().isConfirmed()).isTrue();
      long before = b.saleState("s").publishedRemaining();
      // b does not know u bought on a: it sells, and the fenced sink voids the order.
      PurchaseResult second = b.submit(PurchaseRequest.of("s", "u", 1)).join();
      assertThat(second.isConfirmed()).isFalse();
      assertThat(second.rejection()).isEqualTo(Rejection.LIMIT_REACHED);
      assertThat(b.voidedOrders()).isEqualTo(1);
      assertThat(coordinator.units("s", "u")).isEqualTo(1);
      assertThat(coordinator.voids().values()).extracting(VoidedOrder::reason)
          .containsExactly(VoidedOrder.Reason.LIMIT_REACHED);
      // The voided unit goes back to b's local lease (it never counted as used).
      await("b's lease has the unit back", () -> b.saleState("s").publishedRemaining() == before);
      assertThat(b.submit(PurchaseRequest.of("s", "v", 1)).join().isConfirmed()).isTrue();
    }
    assertThat(coordinator.sold("s")).isEqualTo(2);
    assertThat(coordinator.activeLeases("s")).isZero();
    coordinator.checkConservation();
  }

  @Test
  void theWriterNeverSellsOnALeasePastItsLocalDeadline() {
    Cluster cluster = Cluster.builder(coordinator).leaseTtl(Duration.ofSeconds(30)).build();
    try (SeckillEngine e = engine("a", cluster)) {
      e.registerSale(sale(10, 1));
      SaleState s = e.saleState("s");
      s.firstLease.join();
      coordinator.coordinatorDown(true); // no renewal, no new lease
      // As if the JVM had been paused past the deadline: units remain locally, the deadline is
      // behind; the writer refuses on its own check, whatever the cluster thread has done yet.
      assertThat(s.publishedRemaining()).isPositive();
      s.leaseDeadlineNanos = System.nanoTime() - 1;
      PurchaseResult r = e.submit(PurchaseRequest.of("s", "u", 1)).join();
      assertThat(r.rejection()).isEqualTo(Rejection.COORDINATOR_UNAVAILABLE);
      assertThat(e.outboxSize()).isZero();
      coordinator.coordinatorDown(false);
    }
    coordinator.checkConservation();
  }
}
