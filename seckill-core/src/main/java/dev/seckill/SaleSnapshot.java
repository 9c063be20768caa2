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

import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A point-in-time view of one sale, returned by {@link SeckillEngine#snapshot(String)}.
 *
 * <p>Counters are read without stopping the sale, so under load they are each exact but not
 * taken at one instant: {@code unitsSold + remaining == initialStock} always holds (and, for a
 * sale with {@code payWithin}, {@code remaining + held + paid == initialStock}), while the
 * rejection counts may trail by the requests in flight.
 */
public final class SaleSnapshot {
  private final Sale sale;
  private final SalePhase phase;
  private final long remaining;
  private final long ordersConfirmed;
  private final long held;
  private final long paid;
  private final Map<Rejection, Long> rejections;
  private final Instant takenAt;
  private final long totalStock;
  private final boolean paused;

  SaleSnapshot(Sale sale, SalePhase phase, long remaining, long ordersConfirmed, long held,
      long paid, EnumMap<Rejection, Long> rejections, Instant takenAt, long totalStock,
      boolean paused) {
    this.held = held;
    this.paid = paid;
    this.totalStock = totalStock;
    this.paused = paused;
    this.sale = sale;
    this.phase = phase;
    this.remaining = remaining;
    this.ordersConfirmed = ordersConfirmed;
    this.rejections = Collections.unmodifiableMap(rejections);
    this.takenAt = takenAt;
  }

  /**
   * The sale's id.
   *
   * @return the id the sale was registered under; never null
   */
  public String saleId() {
    return sale.id();
  }

  /**
   * The sale's registered specification.
   *
   * @return the {@link Sale} as registered (stock, window, limits); never null
   */
  public Sale sale() {
    return sale;
  }

  /**
   * The sale's phase at {@link #takenAt()} by the engine's clock.
   *
   * @return the phase (upcoming, on sale, sold out or ended); never null
   */
  public SalePhase phase() {
    return phase;
  }

  /**
   * The stock the sale was registered with.
   *
   * @return units for sale in total, as in {@link Sale#stock()}; at least 0
   */
  public long initialStock() {
    return sale.stock();
  }

  /**
   * The stock the sale was registered with plus every unit the operator added since
   * ({@link SeckillEngine#addStock}).
   *
   * @return units for sale in total; at least {@link #initialStock()}
   */
  public long totalStock() {
    return totalStock;
  }

  /**
   * True if the operator had the sale paused ({@link SeckillEngine#pauseSale}).
   *
   * @return whether the sale was paused
   */
  public boolean paused() {
    return paused;
  }

  /**
   * Units not yet sold.
   *
   * @return units left, from 0 to {@link #totalStock()}; paired consistently with
   *     {@link #ordersConfirmed()}
   */
  public long remaining() {
    return remaining;
  }

  /**
   * Units sold so far: {@code totalStock() - remaining()}.
   *
   * @return units sold, from 0 to {@link #totalStock()}
   */
  public long unitsSold() {
    return totalStock - remaining;
  }

  /**
   * Orders confirmed so far (an order may hold several units).
   *
   * @return the number of confirmed orders, at least 0 and at most {@link #unitsSold()}
   */
  public long ordersConfirmed() {
    return ordersConfirmed;
  }

  /**
   * Units in reservations not yet paid ({@link Sale#payWithin()}): sold, but given back if the
   * reservation expires or is cancelled. 0 for a sale without {@code payWithin}.
   *
   * @return held units; {@code remaining() + held() + paid() == initialStock()} for a sale with
   *     {@code payWithin}
   */
  public long held() {
    return held;
  }

  /**
   * Units in paid reservations. 0 for a sale without {@code payWithin} (its orders are final
   * when confirmed: {@link #unitsSold()}).
   *
   * @return paid units, at least 0
   */
  public long paid() {
    return paid;
  }

  /**
   * Refusals per reason since the engine started (not persisted across restarts).
   *
   * @return an unmodifiable map with every {@link Rejection} as a key (0 if never given); never
   *     null
   */
  public Map<Rejection, Long> rejections() {
    return rejections;
  }

  /**
   * Refusals with the given reason since the engine started.
   *
   * @param reason the reason to count
   * @return how many requests for this sale were refused with {@code reason}; 0 if none
   */
  public long rejected(Rejection reason) {
    return rejections.getOrDefault(reason, 0L);
  }

  /**
   * When the snapshot was taken, by the engine's clock.
   *
   * @return the engine clock's reading (millisecond precision); never null
   */
  public Instant takenAt() {
    return takenAt;
  }

  @Override
  public String toString() {
    return "SaleSnapshot{saleId=" + saleId() + ", phase=" + phase + ", initialStock=" + initialStock()
        + (totalStock != sale.stock() ? ", totalStock=" + totalStock : "")
        + (paused ? ", paused" : "")
        + ", remaining=" + remaining + ", unitsSold=" + unitsSold() + ", ordersConfirmed="
        + ordersConfirmed + ", held=" + held + ", paid=" + paid + ", rejections=" + rejections + ", takenAt=" + takenAt + '}';
  }
}
