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
package dev.seckill.jdbc;

import dev.seckill.spi.ConfirmedOrder;
import dev.seckill.spi.OrderSink;
import dev.seckill.spi.OrderStateChange;
import dev.seckill.spi.PermanentSinkException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * An {@link OrderSink} that spreads orders over several target sinks (typically
 * {@link JdbcOrderSink}s on different databases): each order goes to exactly one target, chosen
 * by a fixed routing rule. Created by one of the static factories:
 *
 * <ul>
 *   <li>{@link #byUserIdHash(List)}: target {@code floorMod(mix32(userId.hashCode()), n)}, so
 *       all orders of a user land together;
 *   <li>{@link #byOrderIdHash(List)}: target {@code floorMod(mix64(orderId), n)}, the most even
 *       spread;
 *   <li>{@link #byOrderIdRange(SortedMap)}: the target whose first order id is the greatest one
 *       not above the order's id;
 *   <li>{@link #bySaleId(Map, OrderSink)}: an explicit table from sale id to target, with a
 *       fallback for the others.
 * </ul>
 *
 * {@code mix32}/{@code mix64} are the MurmurHash3 finalizers; {@code String.hashCode} is specified
 * by the Java language, so routes are the same in every JVM and every run.
 *
 * <h2>Atomicity</h2>
 * {@link #store} splits a batch into one sub-batch per target and stores each with that target's
 * own {@code store} (for a JdbcOrderSink, its own transaction). There is <b>no atomicity across
 * targets</b>: if one target fails, the others may have committed. All targets are attempted;
 * then, if any failed, {@code store} throws. That is enough because the engine keeps the whole
 * batch and retries it, and every target is idempotent by order id: the retry re-routes each order
 * to the same target (routing is a pure function of the order), where the already-committed ones
 * change nothing. Two-phase commit would only buy a moment at which no target holds part of a
 * batch, which nobody needs: readers never get a promise about batches, only about orders.
 *
 * <p><b>Keep routing fixed while orders are pending.</b> Changing the targets or the rule between
 * a failed attempt and its retry could send an order to a second target and store it twice.
 *
 * <h2>Threads</h2>
 * Thread-safe if the targets are: routing is immutable and {@code store} keeps no state between
 * calls. Targets are called one after another on the calling thread. {@link #close} closes every
 * distinct target once.
 */
public final class ShardedOrderSink implements OrderSink {
  private interface Router {
    int route(ConfirmedOrder order);
  }

  /** Routes a state change to its order's target, or answers {@link #EVERY_TARGET}. */
  private interface ChangeRouter {
    int route(OrderStateChange change);
  }

  /** A state change that cannot be routed (user-id routing: a change names no user). */
  private static final int EVERY_TARGET = -1;

  private final List<OrderSink> targets;
  private final Router router;
  private final ChangeRouter changeRouter;
  private final String description;

  private ShardedOrderSink(List<OrderSink> targets, Router router, ChangeRouter changeRouter,
      String description) {
    this.targets = targets;
    this.router = router;
    this.changeRouter = changeRouter;
    this.description = description;
  }

  /**
   * Routes by user id: {@code targets.get(floorMod(mix32(userId.hashCode()), targets.size()))}.
   *
   * @param targets the target sinks, at least one, none null (copied; the same sink may appear
   *     more than once to weight it); the list's order is part of the routing, so keep it fixed
   * @return a new sink that routes every order of a user to the same target
   * @throws IllegalArgumentException if {@code targets} is null, empty or holds null
   */
  public static ShardedOrderSink byUserIdHash(List<? extends OrderSink> targets) {
    List<OrderSink> list = copy("targets", targets);
    int n = list.size();
    return new ShardedOrderSink(list, o -> Math.floorMod(mix32(o.userId().hashCode()), n),
        c -> EVERY_TARGET, "byUserIdHash(" + n + ")");
  }

  /**
   * Routes by order id: {@code targets.get(floorMod(mix64(orderId), targets.size()))}.
   *
   * @param targets the target sinks, at least one, none null (copied; the same sink may appear
   *     more than once to weight it); the list's order is part of the routing, so keep it fixed
   * @return a new sink that spreads orders evenly over the targets
   * @throws IllegalArgumentException if {@code targets} is null, empty or holds null
   */
  public static ShardedOrderSink byOrderIdHash(List<? extends OrderSink> targets) {
    List<OrderSink> list = copy("targets", targets);
    int n = list.size();
    return new ShardedOrderSink(list, o -> (int) Math.floorMod(mix64(o.orderId()), (long) n),
        c -> (int) Math.floorMod(mix64(c.orderId()), (long) n), "byOrderIdHash(" + n + ")");
  }

  /**
   * Routes by order-id range: each key is the first order id of its target's range, which runs
   * up to the next key. Order ids are positive, so the first key must be at most 1.
   *
   * @param targetsByFirstOrderId each target keyed by the first order id of its range
   *     (inclusive); not empty, no null target, first key at most 1; copied
   * @return a new sink that routes each order to the range holding its id
   * @throws IllegalArgumentException if the map is null, empty, holds null, or its first key is
   *     above 1 (some ids would have no target)
   */
  public static ShardedOrderSink byOrderIdRange(
      SortedMap<Long, ? extends OrderSink> targetsByFirstOrderId) {
    if (targetsByFirstOrderId == null || targetsByFirstOrderId.isEmpty()) {
      throw new IllegalArgumentException("targetsByFirstOrderId must not be null or empty, was "
          + targetsByFirstOrderId);
    }
    long first = targetsByFirstOrderId.firstKey();
    if (first > 1) {
      throw new IllegalArgumentException("targetsByFirstOrderId must start at 1 or below so every"
          + " order id has a target; first key was " + first);
    }
    TreeMap<Long, Integer> index = new TreeMap<>();
    List<OrderSink> list = new ArrayList<>();
    for (Map.Entry<Long, ? extends OrderSink> e : targetsByFirstOrderId.entrySet()) {
      list.add(notNull("targetsByFirstOrderId[" + e.getKey() + "]", e.getValue()));
      index.put(e.getKey(), list.size() - 1);
    }
    return new ShardedOrderSink(List.copyOf(list), o -> index.floorEntry(o.orderId()).getValue(),
        c -> index.floorEntry(c.orderId()).getValue(), "byOrderIdRange" + index.keySet());
  }

  /**
   * Routes by an explicit table: {@code targetsBySaleId.get(saleId)}, else {@code fallback}.
   *
   * @param targetsBySaleId the target of each listed sale, keyed by sale id; not null, no null
   *     target (copied; several sales may share one target)
   * @param fallback the target of sales not in the table; null to make such an order fail its
   *     batch with an {@link IllegalArgumentException} naming the sale (the engine then retries
   *     the batch until the route exists, so prefer a fallback in production)
   * @return a new sink that routes each order by its sale id
   * @throws IllegalArgumentException if the table is null, holds null, or is empty with no fallback
   */
  public static ShardedOrderSink bySaleId(Map<String, ? extends OrderSink> targetsBySaleId,
      @Nullable OrderSink fallback) {
    if (targetsBySaleId == null || (targetsBySaleId.isEmpty() && fallback == null)) {
      throw new IllegalArgumentException("targetsBySaleId must not be null, nor empty without a"
          + " fallback, was " + targetsBySaleId);
    }
    List<OrderSink> list = new ArrayList<>();
    IdentityHashMap<OrderSink, Integer> indexOfSink = new IdentityHashMap<>();
    Map<String, Integer> route = new LinkedHashMap<>();
    for (Map.Entry<String, ? extends OrderSink> e : targetsBySaleId.entrySet()) {
      if (e.getKey() == null) {
        throw new IllegalArgumentException("targetsBySaleId must not hold a null sale id");
      }
      OrderSink sink = notNull("targetsBySaleId[" + e.getKey() + "]", e.getValue());
      route.put(e.getKey(), indexOfSink.computeIfAbsent(sink, s -> {
        list.add(s);
        return list.size() - 1;
      }));
    }
    int fallbackIndex = fallback == null ? -1 : indexOfSink.computeIfAbsent(fallback, s -> {
      list.add(s);
      return list.size() - 1;
    });
    Map<String, Integer> table = Map.copyOf(route);
    return new ShardedOrderSink(List.copyOf(list), o -> {
      Integer i = table.get(o.saleId());
      if (i != null) {
        return i;
      }
      if (fallbackIndex < 0) {
        throw new IllegalArgumentException("order " + o.orderId() + ": no target for sale '"
            + o.saleId() + "' and no fallback; known sales: " + table.keySet());
      }
      return fallbackIndex;
    }, c -> {
      Integer i = table.get(c.saleId());
      return i != null ? i : fallbackIndex < 0 ? EVERY_TARGET : fallbackIndex;
    }, "bySaleId" + table.keySet() + (fallback == null ? "" : "+fallback"));
  }

  /**
   * The target sink {@code order} is routed to.
   *
   * @param order the order to route; not null
   * @return the one target {@link #store} would give this order, always the same for the same
   *     order; one of {@link #targets()}
   * @throws IllegalArgumentException if the order has no route (its sale is not in a
   *     {@code bySaleId} table that has no fallback)
   */
  public OrderSink targetOf(ConfirmedOrder order) {
    return targets.get(router.route(order));
  }

  /**
   * The targets, in routing-index order (a hash list may name one sink twice).
   *
   * @return an unmodifiable list of the targets; never empty
   */
  public List<OrderSink> targets() {
    return targets;
  }

  /**
   * Stores each order in its target: one sub-batch per target, in the batch's order. Every
   * target is attempted even if an earlier one failed.
   *
   * @throws IllegalArgumentException if an order has no route (bySaleId without fallback); then
   *     no target is called
   * @throws Exception if any target failed: when the batch went to one target, that target's
   *     exception; otherwise an exception naming the failed targets, with the first failure as
   *     its cause and later ones suppressed; targets that did not fail have stored their part.
   *     That exception is a {@link PermanentSinkException} when every failure was one (so the
   *     engine isolates the poison order); if any target failed transiently, it is a plain
   *     {@code Exception} and the whole batch is retried
   */
  @Override
  public void store(List<ConfirmedOrder> batch) throws Exception {
    if (batch.isEmpty()) {
      return;
    }
    int n = targets.size();
    // Route every order before calling any target, so an unroutable order stores nothing.
    List<List<ConfirmedOrder>> parts = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      parts.add(null);
    }
    int used = 0;
    for (ConfirmedOrder o : batch) {
      int i = router.route(o);
      List<ConfirmedOrder> part = parts.get(i);
      if (part == null) {
        part = new ArrayList<>();
        parts.set(i, part);
        used++;
      }
      part.add(o);
    }
    if (used == 1) { // all in one target: hand over the batch as it came, failure unwrapped
      for (int i = 0; i < n; i++) {
        if (parts.get(i) != null) {
          targets.get(i).store(batch);
          return;
        }
      }
    }
    List<String> failedTargets = new ArrayList<>();
    List<Exception> failures = new ArrayList<>();
    int attempted = 0;
    for (int i = 0; i < n; i++) {
      List<ConfirmedOrder> part = parts.get(i);
      if (part == null) {
        continue;
      }
      attempted++;
      try {
        targets.get(i).store(Collections.unmodifiableList(part));
      } catch (Exception e) {
        failedTargets.add("target " + i + " (" + targets.get(i) + ", " + part.size() + " orders)");
        failures.add(e);
      }
    }
    if (!failures.isEmpty()) {
      boolean permanent = true;
      for (Exception e : failures) {
        permanent &= e instanceof PermanentSinkException;
      }
      String message = "ShardedOrderSink " + description + ": "
          + failures.size() + " of " + attempted + " targets failed"
          + (permanent ? " for good" : "") + ": " + failedTargets
          + "; the others committed their part, and retrying the whole batch is safe";
      Exception failure = permanent ? new PermanentSinkException(message, failures.get(0))
          : new Exception(message, failures.get(0));
      for (int i = 1; i < failures.size(); i++) {
        failure.addSuppressed(failures.get(i));
      }
      throw failure;
    }
  }

  /** Closes every distinct target once; throws the first failure with later ones suppressed. */
  /**
   * Passes each reservation state change to the target its order was stored in: by order id or
   * sale id as {@link #store} routes orders; with {@link #byUserIdHash} (a change names no user)
   * and for a sale without a route, to every distinct target, where the targets that do not hold
   * the order change nothing (a state update of an absent order is a no-op by the SPI's
   * contract, as {@link JdbcOrderSink} does). Every target is attempted; if any failed, an
   * exception naming them is thrown and the engine retries the whole list (state changes are
   * idempotent by version), never dead-letters it.
   */
  @Override
  public void storeStateChanges(List<OrderStateChange> changes) throws Exception {
    if (changes.isEmpty()) {
      return;
    }
    int n = targets.size();
    List<List<OrderStateChange>> parts = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      parts.add(null);
    }
    for (OrderStateChange c : changes) {
      int route = changeRouter.route(c);
      for (int i = 0; i < n; i++) {
        if (route == i || (route == EVERY_TARGET && firstIndexOf(targets.get(i)) == i)) {
          List<OrderStateChange> part = parts.get(i);
          if (part == null) {
            part = new ArrayList<>();
            parts.set(i, part);
          }
          part.add(c);
        }
      }
    }
    List<String> failedTargets = new ArrayList<>();
    Exception failure = null;
    for (int i = 0; i < n; i++) {
      List<OrderStateChange> part = parts.get(i);
      if (part == null) {
        continue;
      }
      try {
        targets.get(i).storeStateChanges(Collections.unmodifiableList(part));
      } catch (Exception e) {
        failedTargets.add("target " + i + " (" + targets.get(i) + ", " + part.size() + " changes)");
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw new Exception("ShardedOrderSink " + description + ": storing state changes failed in "
          + failedTargets + "; retrying the whole list is safe", failure);
    }
  }

  private int firstIndexOf(OrderSink target) {
    for (int i = 0; i < targets.size(); i++) {
      if (targets.get(i) == target) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public void close() throws Exception {
    Exception failure = null;
    Set<OrderSink> done = Collections.newSetFromMap(new IdentityHashMap<>());
    for (OrderSink t : targets) {
      if (!done.add(t)) {
        continue;
      }
      try {
        t.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public String toString() {
    return "ShardedOrderSink{" + description + ", targets=" + targets + '}';
  }

  private static List<OrderSink> copy(String name, List<? extends OrderSink> targets) {
    if (targets == null || targets.isEmpty()) {
      throw new IllegalArgumentException(name + " must not be null or empty, was " + targets);
    }
    List<OrderSink> list = new ArrayList<>(targets.size());
    for (int i = 0; i < targets.size(); i++) {
      list.add(notNull(name + "[" + i + "]", targets.get(i)));
    }
    return List.copyOf(list);
  }

  private static OrderSink notNull(String name, OrderSink sink) {
    if (sink == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
    return sink;
  }

  /** MurmurHash3 fmix32. */
  static int mix32(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  /** MurmurHash3 fmix64. */
  static long mix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb93fe53ae63bL;
    k ^= k >>> 33;
    return k;
  }
}
