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
package dev.seckill.bench;

import java.util.HashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * In-heap baselines with the ledger's semantics: check stock &ge; q, check and record the user's
 * count &le; limit, append an order record to a bounded log (a full log refuses with OVERLOADED,
 * like the engine's outbox). Nothing is persisted: these show the cost of the decision alone.
 */
public interface InHeapStore {
  /** Decides a purchase; returns an order id or a refusal code from {@link Decisions}. */
  long decide(String userId, int quantity);

  /** A store for the given implementation name: {@code synchronized} or {@code cas}. */
  static InHeapStore create(String impl, long stock, int limitPerUser, int capacity) {
    switch (impl) {
      case "synchronized":
        return new Synchronized(stock, limitPerUser, capacity);
      case "cas":
        return new Cas(stock, limitPerUser, capacity);
      default:
        throw new IllegalArgumentException("unknown in-heap baseline: " + impl);
    }
  }

  /** An order record, as both baselines append it. */
  final class Order {
    final long id;
    final String userId;
    final int quantity;
    final long atMillis;

    Order(long id, String userId, int quantity, long atMillis) {
      this.id = id;
      this.userId = userId;
      this.quantity = quantity;
      this.atMillis = atMillis;
    }
  }

  /** One lock around a HashMap, a counter and an array log. */
  final class Synchronized implements InHeapStore {
    private final HashMap<String, Integer> bought;
    private final Order[] orders;
    private final int limit;
    private long remaining;
    private int size;

    Synchronized(long stock, int limit, int capacity) {
      this.remaining = stock;
      this.limit = limit;
      this.orders = new Order[capacity];
      this.bought = new HashMap<>(Math.max(16, capacity / 2));
    }

    @Override
    public synchronized long decide(String userId, int quantity) {
      if (remaining < quantity) {
        return Decisions.noStock(remaining);
      }
      Integer had = bought.get(userId);
      int after = (had == null ? 0 : had) + quantity;
      if (after > limit) {
        return Decisions.LIMIT_REACHED;
      }
      if (size == orders.length) {
        return Decisions.OVERLOADED;
      }
      bought.put(userId, after);
      remaining -= quantity;
      long id = size + 1L;
      orders[size++] = new Order(id, userId, quantity, System.currentTimeMillis());
      return id;
    }
  }

  /**
   * Lock-free: a CAS loop on the stock, {@code ConcurrentHashMap.compute} for the user's count
   * (units are given back if the user is over the limit) and a CAS-claimed slot in the log.
   */
  final class Cas implements InHeapStore {
    private final ConcurrentHashMap<String, Integer> bought;
    private final AtomicLong remaining;
    private final AtomicLong size = new AtomicLong();
    private final Order[] orders;
    private final int limit;

    Cas(long stock, int limit, int capacity) {
      this.remaining = new AtomicLong(stock);
      this.limit = limit;
      this.orders = new Order[capacity];
      this.bought = new ConcurrentHashMap<>(Math.max(16, capacity / 2));
    }

    @Override
    public long decide(String userId, int quantity) {
      long r;
      do {
        r = remaining.get();
        if (r < quantity) {
          return Decisions.noStock(r);
        }
      } while (!remaining.compareAndSet(r, r - quantity));
      boolean[] over = new boolean[1];
      bought.compute(userId, (u, had) -> {
        int after = (had == null ? 0 : had) + quantity;
        if (after > limit) {
          over[0] = true;
          return had;
        }
        return after;
      });
      if (over[0]) {
        remaining.addAndGet(quantity);
        return Decisions.LIMIT_REACHED;
      }
      long slot = size.getAndIncrement();
      if (slot >= orders.length) {
        size.decrementAndGet();
        bought.computeIfPresent(userId, (u, had) -> had - quantity);
        remaining.addAndGet(quantity);
        return Decisions.OVERLOADED;
      }
      orders[(int) slot] = new Order(slot + 1, userId, quantity, System.currentTimeMillis());
      return slot + 1;
    }
  }
}
