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
 * Receives the decision for a request passed to
 * {@link SeckillEngine#submit(PurchaseRequest, PurchaseListener)}: the allocation-free path.
 *
 * <p>Exactly one method is called, exactly once, per submitted request. Refusals decided before
 * the ring (unknown sale, not started, ended, sold out, invalid, ring full) are delivered on the
 * submitting thread before {@code submit} returns; every other decision is delivered on the
 * shard's <em>responder</em> thread, never on the ledger writer. Implementations must be quick and
 * must not block: a slow listener holds ring slots and turns into {@link Rejection#OVERLOADED} for
 * later buyers. Exceptions thrown by a listener are caught and logged, and do not affect the sale.
 */
public interface PurchaseListener {

  /**
   * The ledger recorded the purchase as order {@code orderId}.
   *
   * @param request the request as submitted (the same instance)
   * @param orderId the order's id: positive, unique within the engine's data directory, never
   *     reused; the key the order is stored under by the {@link dev.seckill.spi.OrderSink}
   */
  void onConfirmed(PurchaseRequest request, long orderId);

  /**
   * The purchase was refused for {@code reason}.
   *
   * @param request the request as submitted (the same instance)
   * @param reason why it was refused; never null
   */
  void onRejected(PurchaseRequest request, Rejection reason);

  /**
   * The ledger failed to decide (an I/O error in the ledger files): whether the order was
   * recorded is unknown until the engine is reopened. With {@link Durability#PERSISTED}, also
   * called (like every other method, on the responder thread) for a confirmed order that was not
   * stored: an
   * {@link IllegalStateException} if the engine closed first, a
   * {@link dev.seckill.spi.PermanentSinkException} if the sink refused it for good and it was
   * dead-lettered. The default does nothing.
   *
   * @param request the request as submitted (the same instance)
   * @param cause the failure: the ledger's I/O error, an {@link IllegalStateException} (engine
   *     closed before the order was stored) or a {@link dev.seckill.spi.PermanentSinkException}
   *     (order dead-lettered); never null
   */
  default void onFailed(PurchaseRequest request, Throwable cause) {}
}
