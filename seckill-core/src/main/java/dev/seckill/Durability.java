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

/**
 * When a confirmed purchase's future completes (or its listener is called), relative to where
 * the order is stored. Chosen on the {@link SeckillEngine.Builder}.
 */
public enum Durability {
  /**
   * Complete once the order is in the ledger's memory-mapped files (the default). Survives a
   * process crash; the order reaches the {@link dev.seckill.spi.OrderSink} shortly after, in a
   * batch. Fastest: the sink's latency is off the buyer's path.
   */
  LEDGER,
  /**
   * Complete only once the batch holding the order has been committed by the
   * {@link dev.seckill.spi.OrderSink}. Requires a sink. Results are still delivered on the
   * shard's responder thread, which waits for the flusher to store each confirmed order before
   * delivering it; results are delivered in ring order, so a refusal decided after such an order
   * waits for that commit too. The flusher group-commits: it stores as soon as an order is
   * waiting, and orders that arrive during one commit form the next batch, so a buyer waits
   * about one or two commits, not {@code flushMaxDelay}. While orders wait, their ring slots stay
   * taken: a sink slower than the buyers fills the ring, and new requests get
   * {@link Rejection#OVERLOADED}. If the
   * engine closes before the sink stores the order, the future completes exceptionally with an
   * {@link IllegalStateException} naming the order id: the order is confirmed in the ledger and
   * is stored in the sink after the next start. If the sink refuses the order for good (a
   * {@link dev.seckill.spi.PermanentSinkException}), the order is written to the shard's
   * dead-letter file instead and the future completes exceptionally with a
   * {@code PermanentSinkException} naming the order and the file, the sink's exception as its
   * cause (a listener gets it in {@code onFailed}): the units stay taken in the ledger, and an
   * operator replays or cancels the order (docs/persistence.md).
   */
  PERSISTED
}
