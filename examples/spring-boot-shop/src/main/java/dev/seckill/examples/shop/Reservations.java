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
package dev.seckill.examples.shop;

import dev.seckill.OrderState;
import dev.seckill.OrderTransition;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The reservations this process handed out, for the page's "pay within" countdown and its Pay
 * and Cancel buttons: order id to buyer, units, pay-by instant and the last state the engine
 * reported. The engine decides every transition (pay, cancel, expiry); this record only follows
 * its answers, so it can be stale (an expiry the shop has not asked about yet reads RESERVED with
 * a pay-by in the past: the page shows "expired", and a late Pay gets the engine's
 * {@code TOO_LATE}).
 *
 * <p>The pay-by instant is the engine clock read <em>before</em> the purchase was submitted, plus
 * {@code payWithin}: never later than the engine's own deadline (taken when the ledger writer
 * confirmed), so the page never promises more time than the buyer has. Orders placed before a
 * restart are not here: their buyers see "already bought" but no Pay button (a real shop would
 * read the state from its orders table).
 *
 * <p>One entry per reservation since boot: at most the stock plus the units that came back, on
 * the sale's scale. Thread-safe: written on request and responder threads.
 */
@Component
class Reservations {

  /** One reservation as the shop last saw it. */
  record Entry(long orderId, String saleId, String userId, int quantity, Instant payBy,
      OrderState state) {
    Entry withState(OrderState next) {
      return new Entry(orderId, saleId, userId, quantity, payBy, next);
    }

    /** RESERVED, or EXPIRED once the pay-by instant has passed at {@code now}. */
    OrderState stateAt(Instant now) {
      return state == OrderState.RESERVED && !now.isBefore(payBy) ? OrderState.EXPIRED : state;
    }
  }

  private final ConcurrentHashMap<Long, Entry> byOrder = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Long> lastByBuyer = new ConcurrentHashMap<>();

  /** Records a new reservation. */
  void reserved(long orderId, String saleId, String userId, int quantity, Instant payBy) {
    byOrder.put(orderId, new Entry(orderId, saleId, userId, quantity, payBy, OrderState.RESERVED));
    lastByBuyer.put(saleId + '\u0000' + userId, orderId);
  }

  /** The reservation, if this process handed it out. */
  Optional<Entry> find(long orderId) {
    return Optional.ofNullable(byOrder.get(orderId));
  }

  /** The buyer's latest reservation in the sale, if this process handed one out. */
  Optional<Entry> latest(String saleId, String userId) {
    Long id = lastByBuyer.get(saleId + '\u0000' + userId);
    return id == null ? Optional.empty() : find(id);
  }

  /** Follows the engine's answer to a pay or cancel. */
  void follow(OrderTransition t) {
    OrderState state = t.state();
    if (state != null) {
      byOrder.computeIfPresent(t.orderId(), (id, e) -> e.withState(state));
    }
  }
}
