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

import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * How many units a buyer has bought in a sale, for a page that should say "already bought" when
 * she comes back. The engine keeps this count in its ledger but does not expose it, so the shop
 * answers from two sources and takes the larger:
 * <ul>
 *   <li>the orders confirmed since this process started, recorded from the purchase outcomes:
 *       exact at once, even while the database lags behind (the sink writes within
 *       {@code flush-max-delay}, longer if the database is down);
 *   <li>the orders table, for orders confirmed before a restart.
 * </ul>
 * An order can be in neither only right after a restart, until the engine has written the
 * ledger's outbox to the database. The in-memory record holds one entry per buyer with a
 * confirmed order since boot, at most the units on sale. Thread-safe: recorded on request and
 * responder threads, read on request threads.
 */
@Component
class ConfirmedBuyers {
  private static final Logger log = LoggerFactory.getLogger(ConfirmedBuyers.class);

  private record Key(String saleId, String userId) {}

  private final ConcurrentHashMap<Key, Integer> sinceBoot = new ConcurrentHashMap<>();
  private final OrderRepository orders;

  ConfirmedBuyers(OrderRepository orders) {
    this.orders = orders;
  }

  /** Records a confirmed order. */
  void confirmed(String saleId, String userId, int quantity) {
    sinceBoot.merge(new Key(saleId, userId), quantity, Integer::sum);
  }

  /**
   * Units {@code userId} has bought in {@code saleId}. Asks the database only if this process
   * has not already seen her reach {@code limitPerUser}; if the database fails, answers what
   * this process has seen.
   */
  int unitsBought(String saleId, String userId, int limitPerUser) {
    int seen = sinceBoot.getOrDefault(new Key(saleId, userId), 0);
    if (seen >= limitPerUser) {
      return seen;
    }
    try {
      return (int) Math.max(seen, orders.unitsBought(saleId, userId));
    } catch (DataAccessException e) {
      log.debug("orders table unavailable; answering from this process's record", e);
      return seen;
    }
  }
}
