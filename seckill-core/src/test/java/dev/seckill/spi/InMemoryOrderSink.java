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
package dev.seckill.spi;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A thread-safe, idempotent sink over a map, for tests: counts how often each order was offered
 * and can be told to fail, to simulate a database outage.
 */
public final class InMemoryOrderSink implements OrderSink {
  private final ConcurrentHashMap<Long, ConfirmedOrder> orders = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, AtomicInteger> offers = new ConcurrentHashMap<>();
  private final AtomicLong batches = new AtomicLong();
  /** The latest state change per order (highest version wins; older or equal ones change nothing). */
  private final ConcurrentHashMap<Long, OrderStateChange> states = new ConcurrentHashMap<>();
  /** Changes offered in successful calls, counting repeats. */
  private final AtomicLong changesOffered = new AtomicLong();
  private volatile boolean failing;

  @Override
  public void store(List<ConfirmedOrder> batch) throws Exception {
    if (failing) {
      throw new java.io.IOException("simulated outage");
    }
    batches.incrementAndGet();
    for (ConfirmedOrder o : batch) {
      offers.computeIfAbsent(o.orderId(), k -> new AtomicInteger()).incrementAndGet();
      ConfirmedOrder previous = orders.putIfAbsent(o.orderId(), o);
      if (previous != null && !previous.equals(o)) {
        throw new IllegalStateException("order " + o.orderId() + " offered with different content: "
            + previous + " vs " + o);
      }
    }
  }

  @Override
  public void storeStateChanges(List<OrderStateChange> changes) throws Exception {
    if (failing) {
      throw new java.io.IOException("simulated outage");
    }
    for (OrderStateChange c : changes) {
      if (!orders.containsKey(c.orderId())) {
        throw new IllegalStateException("state change before its order: " + c);
      }
      changesOffered.incrementAndGet();
      states.merge(c.orderId(), c, (old, now) -> now.version() > old.version() ? now : old);
    }
  }

  /** The latest state change stored per order id. */
  public Map<Long, OrderStateChange> states() {
    return states;
  }

  /** State changes offered in successful calls, repeats included. */
  public long changesOffered() {
    return changesOffered.get();
  }

  /** Starts or ends a simulated outage: while failing, every store throws. */
  public void failing(boolean failing) {
    this.failing = failing;
  }

  /** What is stored, by order id. */
  public Map<Long, ConfirmedOrder> orders() {
    return orders;
  }

  /** Batches stored successfully. */
  public long batches() {
    return batches.get();
  }

  /** How many times {@code orderId} was offered in a successful store. */
  public int offers(long orderId) {
    AtomicInteger n = offers.get(orderId);
    return n == null ? 0 : n.get();
  }
}
