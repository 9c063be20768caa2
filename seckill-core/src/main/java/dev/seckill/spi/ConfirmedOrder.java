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

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A confirmed order as it leaves the ledger's outbox: the unit of work handed to persistence.
 * Immutable and thread-safe.
 *
 * <p>{@link #orderId()} is decided once by the ledger writer and never reused, even across
 * crashes, so it is the key under which a store must make writes idempotent.
 */
public final class ConfirmedOrder {
  private final long orderId;
  private final String saleId;
  private final String userId;
  private final int quantity;
  private final Instant confirmedAt;

  /**
   * Creates the view of one order.
   *
   * @param orderId the order's id as decided by the ledger; must be positive
   * @param saleId the id of the sale the units were bought from; not null
   * @param userId the buyer's id as given in the purchase request; not null
   * @param quantity units bought; at least 1
   * @param confirmedAt when the ledger confirmed the order; not null
   * @throws NullPointerException if {@code saleId}, {@code userId} or {@code confirmedAt} is null
   * @throws IllegalArgumentException if {@code orderId} or {@code quantity} is not positive
   */
  public ConfirmedOrder(long orderId, String saleId, String userId, int quantity, Instant confirmedAt) {
    if (orderId <= 0) {
      throw new IllegalArgumentException("orderId must be positive, was " + orderId);
    }
    if (quantity < 1) {
      throw new IllegalArgumentException("quantity must be at least 1, was " + quantity);
    }
    this.orderId = orderId;
    this.saleId = Objects.requireNonNull(saleId, "saleId");
    this.userId = Objects.requireNonNull(userId, "userId");
    this.quantity = quantity;
    this.confirmedAt = Objects.requireNonNull(confirmedAt, "confirmedAt");
  }

  /**
   * The order's id: unique within the engine's data directory, never reused.
   *
   * @return the order's id, always positive; the idempotency key for a store
   */
  public long orderId() {
    return orderId;
  }

  /**
   * The sale the units were bought from.
   *
   * @return the sale's id, as registered with the engine; never null
   */
  public String saleId() {
    return saleId;
  }

  /**
   * The buyer.
   *
   * @return the buyer's user id, as given in the purchase request; never null
   */
  public String userId() {
    return userId;
  }

  /**
   * Units bought.
   *
   * @return the number of units in this order, at least 1
   */
  public int quantity() {
    return quantity;
  }

  /**
   * When the ledger confirmed the order, by the engine's clock (millisecond precision).
   *
   * @return the confirmation instant, truncated to milliseconds; never null
   */
  public Instant confirmedAt() {
    return confirmedAt;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ConfirmedOrder that)) {
      return false;
    }
    return orderId == that.orderId
        && quantity == that.quantity
        && saleId.equals(that.saleId)
        && userId.equals(that.userId)
        && confirmedAt.equals(that.confirmedAt);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(orderId);
  }

  @Override
  public String toString() {
    return "ConfirmedOrder{orderId=" + orderId + ", saleId=" + saleId + ", userId=" + userId
        + ", quantity=" + quantity + ", confirmedAt=" + confirmedAt + '}';
  }
}
