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

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An order a sink refused at settlement for a reason the order itself carries, not a failure of
 * the sink: the verdict of {@link OrderSink#storeOrVoid} for one order. A voided order ends in
 * state {@code OrderState.VOIDED}: its buyer is told it was not bought (with durability PERSISTED
 * its future completes with a refusal, never a confirmation), and the sink has durably recorded
 * the verdict, so offering the same order again voids it again with the same reason.
 *
 * <p>Immutable and thread-safe.
 */
public final class VoidedOrder {

  /** Why a sink voided an order. */
  public enum Reason {
    /**
     * The node that sold the order no longer held a lease on the units (the coordinator revoked
     * it, typically because the node stopped renewing it for longer than the lease's time to live
     * plus grace), or the lease had no unit left for it. The units were never counted as sold.
     */
    LEASE_LOST,
    /**
     * The buyer already held the sale's per-user limit across the cluster: another node sold to
     * the same user first. The order's units go back to the selling node's lease.
     */
    LIMIT_REACHED
  }

  private final long orderId;
  private final Reason reason;

  /**
   * Creates the verdict for one order.
   *
   * @param orderId the voided order's id, as in the {@link ConfirmedOrder} offered; positive
   * @param reason why it was voided; not null
   * @throws IllegalArgumentException if {@code orderId} is not positive
   * @throws NullPointerException if {@code reason} is null
   */
  public VoidedOrder(long orderId, Reason reason) {
    if (orderId <= 0) {
      throw new IllegalArgumentException("orderId must be positive, was " + orderId);
    }
    this.orderId = orderId;
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /**
   * The voided order.
   *
   * @return the order's id, positive
   */
  public long orderId() {
    return orderId;
  }

  /**
   * Why it was voided.
   *
   * @return the reason; never null
   */
  public Reason reason() {
    return reason;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof VoidedOrder v && v.orderId == orderId && v.reason == reason;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(orderId) * 31 + reason.hashCode();
  }

  @Override
  public String toString() {
    return "VoidedOrder{orderId=" + orderId + ", reason=" + reason + '}';
  }
}
