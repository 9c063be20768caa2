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

import dev.seckill.spi.InMemoryOrderSink;
import dev.seckill.spi.InMemoryStockCoordinator;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Cluster}'s settings, the builder's refusals in cluster mode, and the stored node id. */
class ClusterSettingsTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");
  static final Instant END = START.plus(Duration.ofHours(1));

  @TempDir Path dir;
  final MutableClock clock = new MutableClock(START);
  final InMemoryStockCoordinator coordinator = new InMemoryStockCoordinator(clock);

  SeckillEngine.Builder builder(Path dataDir) {
    return SeckillEngine.builder().developmentDefaults().dataDir(dataDir).clock(clock);
  }

  static Sale sale() {
    return Sale.builder("s").stock(10).startsAt(START).endsAt(END).limitPerUser(1).build();
  }

  @Test
  void defaultsAndBounds() {
    Cluster c = Cluster.builder(coordinator).build();
    assertThat(c.leaseTtl()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.reapGrace()).isEqualTo(c.leaseTtl());
    assertThat(c.maxClockDrift()).isEqualTo(0.01);
    assertThat(c.safetyMargin()).isEqualTo(Duration.ofMillis(100));
    assertThat(c.chunkTarget()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.initialChunk()).isEqualTo(100);
    assertThatThrownBy(() -> Cluster.builder(coordinator).leaseTtl(Duration.ofMillis(99)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leaseTtl")
        .hasMessageContaining("PT0.099S");
    assertThatThrownBy(() -> Cluster.builder(coordinator).maxClockDrift(0.6))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxClockDrift")
        .hasMessageContaining("0.6");
    assertThatThrownBy(() -> Cluster.builder(coordinator).leaseTtl(Duration.ofMillis(100))
        .safetyMargin(Duration.ofMillis(99)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("safetyMargin")
        .hasMessageContaining("PT0.099S");
    assertThatThrownBy(() -> Cluster.builder(coordinator).initialChunk(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initialChunk");
  }

  @Test
  void buildRefusesLedgerDurabilityAndAUserSink() {
    Cluster c = Cluster.builder(coordinator).build();
    assertThatThrownBy(() -> builder(dir).cluster(c).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PERSISTED")
        .hasMessageContaining("LEDGER");
    assertThatThrownBy(() -> builder(dir).cluster(c).durability(Durability.PERSISTED)
        .orderSink(new InMemoryOrderSink()).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("orderSink");
  }

  @Test
  void openSaleFailureReachesTheCaller() {
    try (SeckillEngine e = builder(dir).durability(Durability.PERSISTED)
        .cluster(Cluster.builder(coordinator).build()).build()) {
      coordinator.coordinatorDown(true);
      assertThatThrownBy(() -> e.registerSale(sale()))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("'s'")
          .hasMessageContaining("coordinator");
      assertThat(e.sales()).isEmpty();
    }
  }

  @Test
  void theNodeIdIsStoredWithTheDataDirectoryAndCarriedInOrderIds() throws Exception {
    Cluster first = Cluster.builder(coordinator).leaseTtl(Duration.ofSeconds(3)).build();
    long firstOrder;
    try (SeckillEngine e = builder(dir).durability(Durability.PERSISTED).cluster(first).build()) {
      assertThat(e.nodeId()).isEqualTo(1);
      e.registerSale(sale());
      e.saleState("s").firstLease.join();
      PurchaseResult r = e.submit(PurchaseRequest.of("s", "u1", 1)).join();
      assertThat(r.isConfirmed()).isTrue();
      firstOrder = r.orderId();
      assertThat(firstOrder).isEqualTo((1L << 48) | 1);
    }
    // Another coordinator would hand out 7: the stored id wins on reopen.
    InMemoryStockCoordinator other = new InMemoryStockCoordinator(clock, 7);
    other.openSale("s", 10, 1);
    Cluster second = Cluster.builder(other).leaseTtl(Duration.ofSeconds(3)).build();
    try (SeckillEngine e = builder(dir).durability(Durability.PERSISTED).cluster(second).build()) {
      assertThat(e.nodeId()).isEqualTo(1);
      e.saleState("s").firstLease.join(); // the restored sale, leased again
      PurchaseResult r = e.submit(PurchaseRequest.of("s", "u2", 1)).join();
      assertThat(r.isConfirmed()).isTrue();
      assertThat(r.orderId() >>> 48).isEqualTo(1);
      assertThat(r.orderId()).isGreaterThan(firstOrder); // the local sequence went on
    }
    try (SeckillEngine e = builder(dir.resolve("new")).durability(Durability.PERSISTED)
        .cluster(second).build()) {
      assertThat(e.nodeId()).isEqualTo(7);
    }
  }

  @Test
  void aDirectoryCannotSwitchClusterModeEitherWay() {
    Cluster c = Cluster.builder(coordinator).build();
    Path clustered = dir.resolve("clustered");
    builder(clustered).durability(Durability.PERSISTED).cluster(c).build().close();
    assertThatThrownBy(() -> builder(clustered).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("cluster mode")
        .hasMessageContaining("nodeId=1").hasMessageContaining("without a cluster");
    Path plain = dir.resolve("plain");
    builder(plain).build().close();
    assertThatThrownBy(() -> builder(plain).durability(Durability.PERSISTED).cluster(c).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("without cluster mode")
        .hasMessageContaining("configured with a cluster");
  }

  @Test
  void notClusteredEnginesHaveNodeIdZeroAndUnchangedOrderIds() {
    try (SeckillEngine e = builder(dir).build()) {
      assertThat(e.nodeId()).isZero();
      e.registerSale(sale());
      assertThat(e.submit(PurchaseRequest.of("s", "u", 1)).join().orderId()).isEqualTo(1);
    }
  }
}
