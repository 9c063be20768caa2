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

import java.util.EnumMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The decision on one {@link PurchaseRequest}: confirmed with an order id, or rejected with a
 * {@link Rejection}. Immutable and thread-safe.
 *
 * <p>Rejected results are shared constants, so refusing a request allocates nothing.
 */
public final class PurchaseResult {
  private static final Map<Rejection, PurchaseResult> REJECTED = new EnumMap<>(Rejection.class);

  static {
    for (Rejection r : Rejection.values()) {
      REJECTED.put(r, new PurchaseResult(r, 0L, 0));
    }
  }

  private final @Nullable Rejection rejection;
  private final long orderId;
  private final int quantity;

  private PurchaseResult(@Nullable Rejection rejection, long orderId, int quantity) {
    this.rejection = rejection;
    this.orderId = orderId;
    this.quantity = quantity;
  }

  /**
   * A confirmed result for an order the ledger has recorded.
   *
   * @param orderId the order's id as decided by the ledger; must be positive
   * @param quantity the number of units bought; at least 1
   * @return a new confirmed result
   * @throws IllegalArgumentException if {@code orderId} or {@code quantity} is not positive
   */
  public static PurchaseResult confirmed(long orderId, int quantity) {
    if (orderId <= 0) {
      throw new IllegalArgumentException("orderId must be positive, was " + orderId);
    }
    if (quantity < 1) {
      throw new IllegalArgumentException("quantity must be at least 1, was " + quantity);
    }
    return new PurchaseResult(null, orderId, quantity);
  }

  /**
   * The shared result for a refusal with the given reason.
   *
   * @param reason why the request was refused; not null
   * @return the shared, preallocated result for {@code reason} (the same instance on every call,
   *     so refusing allocates nothing)
   * @throws NullPointerException if {@code reason} is null
   */
  public static PurchaseResult rejected(Rejection reason) {
    PurchaseResult result = REJECTED.get(reason);
    if (result == null) {
      throw new NullPointerException("reason");
    }
    return result;
  }

  /**
   * True if the ledger recorded an order for this request.
   *
   * @return true if {@link #orderId()} and {@link #quantity()} may be called, false if
   *     {@link #rejection()} says why the request was refused
   */
  public boolean isConfirmed() {
    return rejection == null;
  }

  /**
   * The order id, unique within the data directory and never reused.
   *
   * @return the order's id, always positive
   * @throws IllegalStateException if the request was rejected
   */
  public long orderId() {
    if (rejection != null) {
      throw new IllegalStateException("no order id: the request was rejected with " + rejection);
    }
    return orderId;
  }

  /**
   * The number of units bought.
   *
   * @return the units in the order, at least 1 (the request's quantity)
   * @throws IllegalStateException if the request was rejected
   */
  public int quantity() {
    if (rejection != null) {
      throw new IllegalStateException("no quantity: the request was rejected with " + rejection);
    }
    return quantity;
  }

  /**
   * Why the request was refused.
   *
   * @return the reason; never null
   * @throws IllegalStateException if the request was confirmed
   */
  public Rejection rejection() {
    if (rejection == null) {
      throw new IllegalStateException("no rejection: the request was confirmed as order " + orderId);
    }
    return rejection;
  }

  @Override
  public String toString() {
    return rejection == null
        ? "PurchaseResult{confirmed, orderId=" + orderId + ", quantity=" + quantity + '}'
        : "PurchaseResult{rejected, " + rejection + '}';
  }
}
