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
import dev.seckill.spi.OrderStateChange;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reservation state changes reach the {@code OrderSink} after their orders, with a version per
 * order; offering them again, or in another order, leaves the same table; a sink outage delays
 * them and loses none.
 */
class ReservationSinkTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");

  @TempDir Path dir;

  @Test
  void stateChangesFollowTheirOrdersAndApplyingThemTwiceChangesNothing() throws Exception {
    MutableClock clock = new MutableClock(START);
    InMemoryOrderSink sink = new InMemoryOrderSink();
    Sale sale = Sale.builder("s").stock(10).startsAt(START).endsAt(START.plus(Duration.ofHours(1)))
        .limitPerUser(1).payWithin(Duration.ofMinutes(1)).build();
    try (SeckillEngine e = SeckillEngine.builder().dataDir(dir).clock(clock).developmentDefaults()
        .prefaultFiles(false).orderSink(sink).flushMaxDelay(Duration.ofMillis(1)).build()) {
      e.registerSale(sale);
      long paid = e.submit(PurchaseRequest.of("s", "a", 1)).join().orderId();
      long cancelled = e.submit(PurchaseRequest.of("s", "b", 1)).join().orderId();
      long expired = e.submit(PurchaseRequest.of("s", "c", 1)).join().orderId();
      long open = e.submit(PurchaseRequest.of("s", "d", 1)).join().orderId();
      sink.failing(true); // the changes wait in the journal while the sink is down
      assertThat(e.pay(paid, "psp").join().applied()).isTrue();
      assertThat(e.cancel(cancelled).join().applied()).isTrue();
      clock.advance(Duration.ofMinutes(1));
      assertThat(e.pay(expired, "psp").join().outcome()).isEqualTo(OrderTransition.Outcome.TOO_LATE);
      sink.failing(false);
      e.flush().join();
      assertThat(sink.orders()).containsKeys(paid, cancelled, expired, open);
      Map<Long, OrderState> states = new HashMap<>();
      sink.states().forEach((id, c) -> states.put(id, c.state()));
      assertThat(states).hasSize(3).containsEntry(paid, OrderState.PAID)
          .containsEntry(cancelled, OrderState.CANCELLED).containsEntry(expired, OrderState.EXPIRED);
      assertThat(sink.states().values()).allSatisfy(c -> assertThat(c.version()).isEqualTo(2));
      assertThat(sink.states().get(expired).changedAt()).isEqualTo(START.plus(Duration.ofMinutes(1)));

      // Offered again, and in reverse: the same table.
      Map<Long, OrderStateChange> before = new HashMap<>(sink.states());
      List<OrderStateChange> again = new ArrayList<>(before.values());
      Collections.reverse(again);
      sink.storeStateChanges(again);
      sink.storeStateChanges(again);
      assertThat(sink.states()).isEqualTo(before);
    }
  }
}
