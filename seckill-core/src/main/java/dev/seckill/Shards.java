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

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * An engine's shards as one group: which shard owns a sale, and what the engine asks of all of
 * them (flush, counts, close).
 *
 * <p>Threads: lookups, {@link #flush()} and the counts are safe from any thread; {@link #close}
 * once; producers still publishing are answered by each shard's close handshake
 * ({@link Shard#tryPublish}).
 */
final class Shards {
  private final Shard[] shards;

  Shards(Shard[] shards) {
    this.shards = shards;
  }

  /** Sales map to shards by their id's String hash, which Java specifies and so never changes. */
  public static int index(String saleId, int shardCount) {
    int h = saleId.hashCode();
    return Math.floorMod(h ^ (h >>> 16), shardCount);
  }

  /** The shard at {@code index}, as in {@code SaleState.shard()}. */
  public Shard get(int index) {
    return shards[index];
  }

  /** The shard that owns, or will own, the sale with this id. */
  public Shard forSale(String saleId) {
    return shards[index(saleId, shards.length)];
  }

  /** How many shards. */
  public int count() {
    return shards.length;
  }

  /** Completes once every shard stored the orders confirmed before the call in the sink. */
  public CompletableFuture<Void> flush() {
    CompletableFuture<?>[] all = new CompletableFuture<?>[shards.length];
    for (int i = 0; i < shards.length; i++) {
      all[i] = shards[i].flush();
    }
    return CompletableFuture.allOf(all);
  }

  /** Confirmed orders not yet stored in the sink, over all shards. */
  public long outboxSize() {
    long total = 0;
    for (Shard shard : shards) {
      total += shard.ledger().outboxSize();
    }
    return total;
  }

  /** Orders the sink voided, over all shards, since start. */
  public long voidedOrders() {
    long total = 0;
    for (Shard shard : shards) {
      total += shard.voidedOrders();
    }
    return total;
  }

  /** Orders the sink refused for good and parked in the dead-letter files, over all shards. */
  public long deadLetteredOrders() {
    long total = 0;
    for (Shard shard : shards) {
      total += shard.deadLetteredOrders();
    }
    return total;
  }

  /**
   * Closes every shard (draining its ring, then its flusher within what is left of
   * {@code timeoutNanos}, then its ledger), going on past failures.
   *
   * @throws IOException the first failure, the others suppressed in it
   */
  void close(long timeoutNanos) throws IOException {
    IOException failure = null;
    long deadline = System.nanoTime() + timeoutNanos;
    for (Shard shard : shards) {
      try {
        shard.close(Math.max(0, deadline - System.nanoTime()));
      } catch (IOException e) {
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
}
