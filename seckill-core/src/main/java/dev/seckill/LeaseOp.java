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

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Cluster mode: one change of a sale's local lease, made by the shard's ledger writer on behalf
 * of the cluster thread ({@link ClusterMember}), carried in a ring slot
 * ({@link PurchaseEvent.Kind#LEASE_OP}) and answered by the writer itself through {@link #answer}
 * (the cluster thread waits on it and chains nothing, so no caller code runs on the writer).
 * The cluster thread never writes a sale's remaining units itself: the writer is their only
 * writer (see {@link StockLedger#leaseOp}).
 */
final class LeaseOp {
  /** What to do to the sale's local remaining units. */
  enum Kind {
    /**
     * Stop selling: remaining := 0, the local lease is over. Answers the journal sequence of the
     * sale's last order: once the flusher's watermark passes it, every order sold under the old
     * lease is settled.
     */
    STOP,
    /**
     * A new local lease: remaining := {@link #units} (granted − used of a lease obtained after
     * every earlier order was settled). Answers the remaining units.
     */
    SET,
    /** Units added to the live local lease (a chunk, or units put back). Answers remaining. */
    ADD,
    /** Takes up to {@link #units} out of the live local lease (to give back). Answers how many. */
    TAKE
  }

  final Kind kind;
  final SaleState sale;
  final long units;
  final CompletableFuture<Long> answer = new CompletableFuture<>();
  /** The writer's answer, written before {@link #answer} completes. */
  long result;

  LeaseOp(Kind kind, SaleState sale, long units) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.sale = Objects.requireNonNull(sale, "sale");
    this.units = units;
  }
}
