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

import dev.seckill.OrderState;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A reservation's change of state (PAID, CANCELLED or EXPIRED), as the ledger recorded it, on its
 * way to {@link OrderSink#storeStateChanges}. Immutable.
 *
 * <p>{@link #version()} orders the changes of one order: its reservation is version 1 (delivered
 * through {@link OrderSink#store} as a {@link ConfirmedOrder}), each change one more. A sink
 * applies a change only if its version is above the one it holds, so a change offered again (a
 * retry, a replay after a crash) or late never moves an order backwards.
 */
public final class OrderStateChange {
  private final long orderId;
  private final String saleId;
  private final OrderState state;
  private final int version;
  private final int quantity;
  private final Instant changedAt;

  /**
   * A state change.
   *
   * @param orderId the order's id
   * @param saleId the order's sale
   * @param state the state after the change: PAID, CANCELLED or EXPIRED
   * @param version the order's version after the change, at least 2
   * @param quantity the order's units
   * @param changedAt when the ledger writer decided the change, by the engine's clock
   */
  public OrderStateChange(long orderId, String saleId, OrderState state, int version, int quantity,
      Instant changedAt) {
    this.orderId = orderId;
    this.saleId = Objects.requireNonNull(saleId, "saleId");
    this.state = Objects.requireNonNull(state, "state");
    this.version = version;
    this.quantity = quantity;
    this.changedAt = Objects.requireNonNull(changedAt, "changedAt");
  }

  /**
   * The order's id.
   *
   * @return the id of the order that changed
   */
  public long orderId() {
    return orderId;
  }

  /**
   * The order's sale.
   *
   * @return the sale id; never null
   */
  public String saleId() {
    return saleId;
  }

  /**
   * The state after the change.
   *
   * @return PAID, CANCELLED or EXPIRED; never null
   */
  public OrderState state() {
    return state;
  }

  /**
   * The order's version after the change: 2 for its first change.
   *
   * @return the version, at least 2
   */
  public int version() {
    return version;
  }

  /**
   * The order's units (given back unless the state is PAID).
   *
   * @return units, at least 1
   */
  public int quantity() {
    return quantity;
  }

  /**
   * When the change was decided.
   *
   * @return the engine clock's reading (millisecond precision); never null
   */
  public Instant changedAt() {
    return changedAt;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof OrderStateChange c && c.orderId == orderId && c.saleId.equals(saleId)
        && c.state == state && c.version == version && c.quantity == quantity
        && c.changedAt.equals(changedAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(orderId, saleId, state, version, quantity, changedAt);
  }

  @Override
  public String toString() {
    return "OrderStateChange{orderId=" + orderId + ", saleId=" + saleId + ", state=" + state
        + ", version=" + version + ", quantity=" + quantity + ", changedAt=" + changedAt + '}';
  }
}
