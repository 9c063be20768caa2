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
import org.jspecify.annotations.Nullable;

/**
 * The answer to {@link SeckillEngine#pay} or {@link SeckillEngine#cancel}: the order, what the
 * call did ({@link #outcome()}) and the order's state after it ({@link #state()}). Immutable.
 *
 * <p>What the application must do, by outcome:
 * <ul>
 *   <li>{@link Outcome#APPLIED}: this call moved the order (RESERVED to PAID or CANCELLED).
 *   <li>{@link Outcome#ALREADY_IN_STATE}: the order was already where the call would move it
 *       (paid with the same payment reference, or already cancelled): a retry, nothing to do.
 *   <li>{@link Outcome#CONFLICT}: the order is in another terminal state than asked (paid with
 *       another reference, or cancelled/paid when cancelling/paying): for a payment, <b>refund
 *       it</b>.
 *   <li>{@link Outcome#TOO_LATE}: the deadline had passed; the order is {@link OrderState#EXPIRED}
 *       and its units were given back: for a payment, <b>refund it</b>.
 *   <li>{@link Outcome#UNKNOWN_ORDER}: no reservation with this id on the ledger (never issued, a
 *       final order of a sale without {@code payWithin}, or a terminal reservation reclaimed after
 *       its retention): {@link #state()} is null; for a payment, refund it.
 *   <li>{@link Outcome#OVERLOADED}: the ledger could not record the change now (its journal is
 *       full of unflushed records, or a write failed): nothing changed; retry later. A reservation
 *       still falls due at its deadline.
 * </ul>
 */
public final class OrderTransition {
  /** What a {@code pay} or {@code cancel} call did. */
  public enum Outcome {
    /** This call changed the order's state. */
    APPLIED,
    /** The order already was in the state asked for (a retried call): nothing changed. */
    ALREADY_IN_STATE,
    /** The order is in another terminal state (e.g. paid with another reference): refund. */
    CONFLICT,
    /** The deadline had passed: the order expired (if not before) and a payment must be refunded. */
    TOO_LATE,
    /** No reservation with this id is on the ledger. */
    UNKNOWN_ORDER,
    /** Nothing could be recorded now (a bound or a failed write); retry later. */
    OVERLOADED
  }

  private final long orderId;
  private final Outcome outcome;
  private final @Nullable OrderState state;

  OrderTransition(long orderId, Outcome outcome, @Nullable OrderState state) {
    this.orderId = orderId;
    this.outcome = Objects.requireNonNull(outcome, "outcome");
    this.state = state;
  }

  /**
   * The order the call was about.
   *
   * @return the order id passed to {@code pay} or {@code cancel}
   */
  public long orderId() {
    return orderId;
  }

  /**
   * What the call did.
   *
   * @return the outcome; never null
   */
  public Outcome outcome() {
    return outcome;
  }

  /**
   * The order's state after the call.
   *
   * @return the state; null only for {@link Outcome#UNKNOWN_ORDER}, and for
   *     {@link Outcome#OVERLOADED} when the order was not read
   */
  public @Nullable OrderState state() {
    return state;
  }

  /**
   * True if this call changed the order.
   *
   * @return true if and only if {@link #outcome()} is {@link Outcome#APPLIED}
   */
  public boolean applied() {
    return outcome == Outcome.APPLIED;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof OrderTransition t && t.orderId == orderId && t.outcome == outcome
        && t.state == state;
  }

  @Override
  public int hashCode() {
    return Objects.hash(orderId, outcome, state);
  }

  @Override
  public String toString() {
    return "OrderTransition{orderId=" + orderId + ", outcome=" + outcome + ", state=" + state + '}';
  }
}
