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

import dev.seckill.Sale;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The sales an engine knows, by id: restored from the ledgers when it opens, added as they are
 * registered. Caller threads look a request's sale up here before the ring.
 *
 * <p>Threads: safe from any thread; lookups are lock-free and allocation-free.
 */
final class SaleRegistry {
  private final ConcurrentHashMap<String, SaleState> sales = new ConcurrentHashMap<>();
  private final CopyOnWriteArrayList<Consumer<SaleState>> watchers = new CopyOnWriteArrayList<>();

  /** The sale with this id, or null (a null id included). */
  public @Nullable SaleState get(@Nullable String saleId) {
    return saleId == null ? null : sales.get(saleId);
  }

  /**
   * The sale with this id.
   *
   * @throws IllegalArgumentException if no sale with this id is registered
   */
  public SaleState require(@Nullable String saleId) {
    SaleState sale = get(saleId);
    if (sale == null) {
      throw new IllegalArgumentException("no sale registered with id "
          + (saleId == null ? "null" : "'" + saleId + "'"));
    }
    return sale;
  }

  /**
   * The state of {@code sale} if a sale with its id is registered; null if none is.
   *
   * @throws IllegalArgumentException if it is registered with a different spec
   */
  public @Nullable SaleState existing(Sale sale) {
    SaleState state = sales.get(sale.id());
    return state == null ? null : state.requireSameSpec(sale);
  }

  /** Adds a sale restored from a ledger or just registered; returns {@code state}. */
  public SaleState add(SaleState state) {
    if (sales.putIfAbsent(state.sale().id(), state) == null) {
      for (Consumer<SaleState> watcher : watchers) {
        watcher.accept(state);
      }
    }
    return state;
  }

  /**
   * Calls {@code watcher} with every sale known now and every sale added later, on the adding
   * thread (a registering caller). A sale added while this runs may be seen twice: the watcher
   * must be idempotent.
   */
  /** Forgets {@code state} (archived), unless its id now names another sale. */
  public void remove(SaleState state) {
    sales.remove(state.sale().id(), state);
  }

  public void watch(Consumer<SaleState> watcher) {
    watchers.add(watcher);
    for (SaleState state : sales.values()) {
      watcher.accept(state);
    }
  }

  /**
   * Waits for a shard writer's registration and adds its sale.
   *
   * @throws RuntimeException what the writer threw (a different spec, a full shard)
   */
  public SaleState add(CompletableFuture<SaleState> registration) {
    try {
      return add(registration.join());
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException) {
        throw (RuntimeException) e.getCause();
      }
      throw e;
    }
  }

  /** The specs of every sale, in no particular order. */
  public List<Sale> specs() {
    List<Sale> list = new ArrayList<>();
    for (SaleState s : sales.values()) {
      list.add(s.sale());
    }
    return list;
  }
}
