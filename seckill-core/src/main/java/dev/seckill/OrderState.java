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
 * The state of an order. A sale without {@link Sale#payWithin()} confirms final orders
 * ({@link #CONFIRMED}); a sale with it confirms reservations ({@link #RESERVED}) that end in
 * exactly one of {@link #PAID}, {@link #CANCELLED} or {@link #EXPIRED}, decided by the shard's
 * ledger writer. Terminal states are final. See docs/reservations.md.
 *
 * <pre>
 *   RESERVED ──pay──────────────▶ PAID
 *       │  ──cancel───────────▶ CANCELLED   (units given back)
 *       └──now ≥ deadline─────▶ EXPIRED     (units given back)
 * </pre>
 */
public enum OrderState {
  /** A final order of a sale without {@code payWithin}: nothing more happens to it. */
  CONFIRMED,
  /** A reservation: its units are held until it is paid, cancelled or expires. */
  RESERVED,
  /** A reservation paid before its deadline: final, the units are sold. */
  PAID,
  /** A reservation cancelled before it was paid: final, its units were given back. */
  CANCELLED,
  /** A reservation not paid by its deadline: final, its units were given back. */
  EXPIRED,
  /**
   * An order the sink refused at settlement ({@link dev.seckill.spi.OrderSink#storeOrVoid}): in
   * cluster mode, the selling node had lost its lease on the units, or the buyer already held
   * the per-user limit on another node. Final: the units were never counted as sold, and the
   * buyer was refused (durability PERSISTED), not confirmed. See docs/cluster.md.
   */
  VOIDED;

  /**
   * True for the states nothing can leave.
   *
   * @return true for CONFIRMED, PAID, CANCELLED and EXPIRED
   */
  public boolean isTerminal() {
    return this != RESERVED;
  }
}
