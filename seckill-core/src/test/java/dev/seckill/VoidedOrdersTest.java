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
import dev.seckill.spi.VoidedOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OrderSink#storeOrVoid} verdicts reach the engine (outside cluster mode): a voided order
 * passes the watermark like a stored one, is counted, its PERSISTED buyer is refused (VOIDED for
 * LEASE_LOST, LIMIT_REACHED for LIMIT_REACHED) rather than confirmed, and the buyer's units are
 * given back so they may buy again; with LEDGER the void is counted only.
 */
class VoidedOrdersTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");
  static final Instant END = START.plus(Duration.ofMinutes(10));

  @TempDir Path dir;
  final MutableClock clock = new MutableClock(START);

  /**
   * A real sink over a map that voids every order of chosen users, with a chosen reason, once
   * (a re-offer gets the same verdict), and stores the rest.
   */
  static final class VoidingSink implements OrderSink {
    final Map<Long, ConfirmedOrder> stored = new ConcurrentHashMap<>();
    final Map<Long, VoidedOrder> voids = new ConcurrentHashMap<>();
    final Map<String, VoidedOrder.Reason> voidUsers = new ConcurrentHashMap<>();

    @Override
    public void store(List<ConfirmedOrder> batch) {
      throw new AssertionError("the flusher must call storeOrVoid");
    }

    @Override
    public synchronized List<VoidedOrder> storeOrVoid(List<ConfirmedOrder> batch) {
      List<VoidedOrder> out = new ArrayList<>();
      for (ConfirmedOrder o : batch) {
        VoidedOrder done = voids.get(o.orderId());
        if (done != null) {
          out.add(done);
          continue;
        }
        VoidedOrder.Reason why = stored.containsKey(o.orderId()) ? null : voidUsers.get(o.userId());
        if (why != null) {
          VoidedOrder v = new VoidedOrder(o.orderId(), why);
          voids.put(o.orderId(), v);
          out.add(v);
        } else {
          stored.putIfAbsent(o.orderId(), o);
        }
      }
      return out;
    }
  }

  SeckillEngine engine(OrderSink sink, Durability durability) {
    return SeckillEngine.builder().developmentDefaults().dataDir(dir).clock(clock).orderSink(sink)
        .durability(durability).build();
  }

  static Sale sale(long stock) {
    return Sale.builder("s").stock(stock).startsAt(START).endsAt(END).limitPerUser(1).build();
  }

  @Test
  void persistedBuyersOfVoidedOrdersAreRefusedAndMayBuyAgain() {
    VoidingSink sink = new VoidingSink();
    sink.voidUsers.put("lost", VoidedOrder.Reason.LEASE_LOST);
    sink.voidUsers.put("limit", VoidedOrder.Reason.LIMIT_REACHED);
    try (SeckillEngine e = engine(sink, Durability.PERSISTED)) {
      e.registerSale(sale(10));
      PurchaseResult ok = e.submit(PurchaseRequest.of("s", "ok", 1)).join();
      PurchaseResult lost = e.submit(PurchaseRequest.of("s", "lost", 1)).join();
      PurchaseResult limit = e.submit(PurchaseRequest.of("s", "limit", 1)).join();
      assertThat(ok.isConfirmed()).isTrue();
      assertThat(lost.isConfirmed()).isFalse();
      assertThat(lost.rejection()).isEqualTo(Rejection.VOIDED);
      assertThat(limit.rejection()).isEqualTo(Rejection.LIMIT_REACHED);
      e.flush().join();
      assertThat(e.voidedOrders()).isEqualTo(2);
      assertThat(e.outboxSize()).isZero(); // voided orders passed the watermark
      assertThat(sink.stored).hasSize(1);
      assertThat(sink.voids).hasSize(2);

      // The voids reached the writer: the buyers' units were given back, so they may buy again.
      sink.voidUsers.clear();
      assertThat(e.submit(PurchaseRequest.of("s", "lost", 1)).join().isConfirmed()).isTrue();
      assertThat(e.submit(PurchaseRequest.of("s", "limit", 1)).join().isConfirmed()).isTrue();
      assertThat(e.submit(PurchaseRequest.of("s", "ok", 1)).join().rejection())
          .isEqualTo(Rejection.LIMIT_REACHED);
      assertThat(sink.stored).hasSize(3);
    }
  }

  @Test
  void ledgerDurabilityCountsVoidsOnly() {
    VoidingSink sink = new VoidingSink();
    sink.voidUsers.put("lost", VoidedOrder.Reason.LEASE_LOST);
    try (SeckillEngine e = engine(sink, Durability.LEDGER)) {
      e.registerSale(sale(10));
      PurchaseResult lost = e.submit(PurchaseRequest.of("s", "lost", 1)).join();
      assertThat(lost.isConfirmed()).isTrue(); // LEDGER: told before the sink was asked
      e.flush().join();
      assertThat(e.voidedOrders()).isEqualTo(1);
      assertThat(e.outboxSize()).isZero();
      assertThat(sink.stored).isEmpty();
    }
  }
}
