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

import dev.seckill.spi.InMemoryOrderSink;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SeckillMetrics}: after a scripted sale the registry says what the engine says. */
class MetricsTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");

  @TempDir Path dir;
  final MutableClock clock = new MutableClock(START.minusSeconds(1));
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  static Sale sale(String id, long stock) {
    return Sale.builder(id).stock(stock).startsAt(START).endsAt(START.plus(Duration.ofHours(1)))
        .limitPerUser(1).build();
  }

  double decisions(String sale, String outcome) {
    FunctionCounter c = registry.find("seckill.decisions").tags("sale", sale, "outcome", outcome)
        .functionCounter();
    assertThat(c).as("seckill.decisions{sale=%s,outcome=%s}", sale, outcome).isNotNull();
    return c.count();
  }

  double gauge(String name, String... tags) {
    Gauge g = registry.find(name).tags(tags).gauge();
    assertThat(g).as("%s %s", name, List.of(tags)).isNotNull();
    return g.value();
  }

  @Test
  void heldAndPaidGaugesFollowReservations() {
    clock.set(START);
    try (SeckillEngine e = SeckillEngine.builder().dataDir(dir).clock(clock).developmentDefaults()
        .build()) {
      new SeckillMetrics(e, Tags.of("engine", "test")).bindTo(registry);
      e.registerSale(Sale.builder("resv").stock(5).startsAt(START)
          .endsAt(START.plus(Duration.ofHours(1))).limitPerUser(1)
          .payWithin(Duration.ofMinutes(5)).build());
      long[] ids = new long[3];
      for (int i = 0; i < 3; i++) {
        ids[i] = e.submit(PurchaseRequest.of("resv", "u" + i, 1)).join().orderId();
      }
      e.pay(ids[0], "ref-0").join();
      e.cancel(ids[1]).join();
      SaleSnapshot snap = e.snapshot("resv");
      assertThat(gauge("seckill.stock.held", "sale", "resv")).isEqualTo(1.0).isEqualTo(snap.held());
      assertThat(gauge("seckill.stock.paid", "sale", "resv")).isEqualTo(1.0).isEqualTo(snap.paid());
      assertThat(gauge("seckill.stock.remaining", "sale", "resv")).isEqualTo(3.0);
    }
  }

  @Test
  void countersEqualTheSnapshotPerOutcomeAfterAScriptedSale() throws Exception {
    InMemoryOrderSink sink = new InMemoryOrderSink();
    try (SeckillEngine e = SeckillEngine.builder().dataDir(dir).clock(clock).developmentDefaults()
        .shards(2).orderSink(sink).build()) {
      e.registerSale(sale("early", 3));
      new SeckillMetrics(e, Tags.of("engine", "test")).bindTo(registry);
      e.registerSale(sale("late", 10)); // registered after binding: meters appear too

      List<CompletableFuture<PurchaseResult>> fs = new ArrayList<>();
      fs.add(e.submit(PurchaseRequest.of("late", "u0", 1))); // NOT_STARTED
      clock.set(START);
      for (int i = 0; i < 15; i++) {
        fs.add(e.submit(PurchaseRequest.of("late", "u" + i, 1))); // 10 confirmed, 5 SOLD_OUT
      }
      fs.forEach(CompletableFuture::join);
      fs.clear();
      fs.add(e.submit(PurchaseRequest.of("late", "u0", 1))); // SOLD_OUT (flag) or LIMIT_REACHED
      fs.add(e.submit(PurchaseRequest.of("early", "u0", 1)));
      fs.add(e.submit(PurchaseRequest.of("early", "u0", 1))); // LIMIT_REACHED
      fs.add(e.submit(PurchaseRequest.of("early", "u1", 2))); // INVALID_REQUEST (over limit)
      fs.forEach(CompletableFuture::join);
      e.flush().get(30, TimeUnit.SECONDS);

      for (String id : List.of("early", "late")) {
        SaleSnapshot snap = e.snapshot(id);
        assertThat(decisions(id, "confirmed")).isEqualTo(snap.ordersConfirmed());
        for (Rejection r : Rejection.values()) {
          assertThat(decisions(id, r.name().toLowerCase(Locale.ROOT)))
              .as("%s %s", id, r).isEqualTo(snap.rejected(r));
        }
        assertThat(gauge("seckill.stock.remaining", "sale", id)).isEqualTo(snap.remaining());
        assertThat(gauge("seckill.stock.sold", "sale", id)).isEqualTo(snap.unitsSold());
        assertThat(gauge("seckill.stock.held", "sale", id)).isEqualTo(snap.held());
        assertThat(gauge("seckill.stock.paid", "sale", id)).isEqualTo(snap.paid());
      }
      assertThat(decisions("late", "confirmed")).isEqualTo(10);
      assertThat(decisions("late", "not_started")).isEqualTo(1);
      assertThat(decisions("late", "sold_out") + decisions("late", "limit_reached")).isEqualTo(6);
      assertThat(decisions("early", "limit_reached")).isEqualTo(1);

      double stored = 0;
      for (EngineHealth.ShardHealth s : e.health().shards()) {
        String shard = Integer.toString(s.shard());
        assertThat(gauge("seckill.ring.remaining", "shard", shard)).isEqualTo(s.ringSize());
        assertThat(gauge("seckill.ring.capacity", "shard", shard)).isEqualTo(s.ringSize());
        assertThat(gauge("seckill.outbox.size", "shard", shard)).isZero();
        assertThat(gauge("seckill.outbox.capacity", "shard", shard)).isEqualTo(s.outboxCapacity());
        assertThat(gauge("seckill.dead.letters", "shard", shard)).isZero();
        assertThat(gauge("seckill.flush.last.failure", "shard", shard)).isNaN();
        assertThat(gauge("seckill.outbox.oldest.age", "shard", shard)).isZero(); // all stored
        assertThat(s.oldestUnflushedAt()).isEmpty();
        FunctionCounter orders = registry.find("seckill.flush.stored").tags("shard", shard)
            .functionCounter();
        assertThat(orders.count()).isEqualTo(s.storedOrders());
        stored += orders.count();
      }
      assertThat(stored).isEqualTo(sink.orders().size()).isEqualTo(11);
      assertThat(registry.find("seckill.decisions").tag("engine", "test").functionCounters())
          .hasSize(2 * (1 + Rejection.values().length));
      assertThat(gauge("seckill.health")).isEqualTo(1.0);
      assertThat(gauge("seckill.admission.tracked", "key", "user")).isZero(); // no throttle set
      e.operations().blockUser("mallory", Duration.ofMinutes(5));
      assertThat(gauge("seckill.blocks", "key", "user", "kind", "manual")).isEqualTo(1.0);
      assertThat(gauge("seckill.blocks", "key", "address", "kind", "manual")).isZero();
      e.close();
      assertThat(gauge("seckill.health")).isEqualTo(0.0);
    }
  }
}
