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
 * One confirmed order: the ledger's record of truth, appended to the {@link OrderJournal} (whose
 * class comment draws the journal's record layout).
 *
 * <p>The record carries the values <em>after</em> it was applied (the sale's remaining stock and
 * order count, the user's units bought), so replaying it is idempotent: recovery sets, never adds.
 * In a 0.1.x outbox map ({@code outbox.cm3}, read only to migrate it) the layout is the one
 * {@link OrderRecordMarshaller} reads, little-endian:
 *
 * <pre>
 *  0                   8                   16                  24
 *  +-------------------+-------------------+-------------------+
 *  |      orderId      | confirmedAtMillis |    stockAfter     |
 *  +-------------------+---------+---------+---------+---------+
 *  |  saleOrdersAfter  |saleIndex| quantity|unitsAfter| userId (stop-bit length + UTF-8) ...
 *  +-------------------+---------+---------+---------+---------
 *  24                  32        36        40        44
 * </pre>
 *
 * <p>Mutable and reused: the writer fills one instance per shard and the journal copies its bytes.
 * Not thread-safe.
 */
final class OrderRecord {
  long orderId;
  long confirmedAtMillis;
  long stockAfter;
  long saleOrdersAfter;
  int saleIndex;
  int quantity;
  int userUnitsAfter;
  final StringBuilder userId = new StringBuilder(32);
  /**
   * Whether the order's request carried a request id: then {@link #requestHi} and
   * {@link #requestLo} are its 128-bit key ({@link RequestTable}), journaled with the order
   * (bit 15 of the record's {@code idLen}).
   */
  boolean hasRequestKey;
  long requestHi;
  long requestLo;

  // Reservations (record types 1 to 4, see OrderJournal): the trailer, absent from type 0.
  /** Record type: 0 order, 1 reservation, 2 PAID, 3 CANCELLED, 4 EXPIRED. */
  int type;
  /** The reservation's pay-by deadline, epoch ms. */
  long deadlineMillis;
  /** The sale's held (reserved, unpaid) units right after this record. */
  long heldAfter;
  /** The sale's paid units right after this record. */
  long paidAfter;
  /** The payment reference's hash (PAID), else 0. */
  long refHash;
  /** The order's state after this record ({@link OrderState} ordinal). */
  int state;
  /** The order's version after this record: 1 when reserved, +1 per change. */
  int version;
  /** The buyer's key (state changes carry no user id). */
  long userHi;
  long userLo;

  /** The order's id. */
  public long orderId() {
    return orderId;
  }

  /** When the writer confirmed the order, epoch milliseconds by the engine's clock. */
  public long confirmedAtMillis() {
    return confirmedAtMillis;
  }

  /** Units bought. */
  public int quantity() {
    return quantity;
  }

  /** The sale's index in its shard's catalog. */
  public int saleIndex() {
    return saleIndex;
  }

  /** The buyer's id; the builder is reused by the next read. */
  public CharSequence userId() {
    return userId;
  }

  /** The sale's remaining stock right after this order. */
  public long stockAfter() {
    return stockAfter;
  }

  /** The user's units bought in this sale right after this order. */
  public int userUnitsAfter() {
    return userUnitsAfter;
  }

  /** The sale's confirmed order count right after this order. */
  public long saleOrdersAfter() {
    return saleOrdersAfter;
  }
}
