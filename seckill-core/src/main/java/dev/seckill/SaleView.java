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

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A sale as its web page needs it, returned by {@link SeckillEngine#saleView(String)}: the phase
 * (to grey out the buy button), the window, the server's time (to run a countdown synced to the
 * server, not the browser) and the approximate remaining stock. Immutable and thread-safe.
 *
 * <p>Cheaper than {@link SaleSnapshot}: no per-reason counters, so a page may poll it.
 */
public final class SaleView {
  private final String saleId;
  private final SalePhase phase;
  private final Instant startsAt;
  private final Instant endsAt;
  private final Instant serverTime;
  private final long remaining;
  private final boolean tokenRequired;
  private final long held;
  private final long paid;
  private final boolean paused;

  SaleView(String saleId, SalePhase phase, Instant startsAt, Instant endsAt, Instant serverTime,
      long remaining, long held, long paid, boolean tokenRequired, boolean paused) {
    this.held = held;
    this.paid = paid;
    this.paused = paused;
    this.saleId = Objects.requireNonNull(saleId, "saleId");
    this.phase = Objects.requireNonNull(phase, "phase");
    this.startsAt = Objects.requireNonNull(startsAt, "startsAt");
    this.endsAt = Objects.requireNonNull(endsAt, "endsAt");
    this.serverTime = Objects.requireNonNull(serverTime, "serverTime");
    this.remaining = remaining;
    this.tokenRequired = tokenRequired;
  }

  /**
   * The sale's id.
   *
   * @return the id the sale was registered under; never null
   */
  public String saleId() {
    return saleId;
  }

  /**
   * The phase at {@link #serverTime()}: only {@link SalePhase#ON_SALE} should enable buying.
   *
   * @return the phase by the engine's clock when the view was taken; never null
   */
  public SalePhase phase() {
    return phase;
  }

  /**
   * True if the sale is on sale now: the buy button may be enabled.
   *
   * @return true if and only if {@link #phase()} is {@link SalePhase#ON_SALE}
   */
  public boolean isOpen() {
    return phase == SalePhase.ON_SALE;
  }

  /**
   * When the sale opens (inclusive).
   *
   * @return the first instant at which purchases are accepted; never null
   */
  public Instant startsAt() {
    return startsAt;
  }

  /**
   * When the sale closes (exclusive), as it stands: the registered end, or where the operator
   * moved it ({@link SeckillEngine#endSale}, {@link SeckillEngine#extendSale}).
   *
   * @return the first instant at which purchases are refused again; never null, after
   *     {@link #startsAt()} (equal to it for a sale ended before it started)
   */
  public Instant endsAt() {
    return endsAt;
  }

  /**
   * The engine's clock when the view was taken: the time a page's countdown should sync to.
   *
   * @return the engine clock's reading (millisecond precision); never null
   */
  public Instant serverTime() {
    return serverTime;
  }

  /**
   * Time left until the sale opens by the server's clock; zero once it has.
   *
   * @return {@code startsAt() - serverTime()} if positive, else {@link Duration#ZERO}; never
   *     negative, never null
   */
  public Duration untilStart() {
    return serverTime.isBefore(startsAt) ? Duration.between(serverTime, startsAt) : Duration.ZERO;
  }

  /**
   * Units not yet sold, as last published by the ledger writer: approximate under load (it may
   * trail decisions in flight), exact when the sale is quiet. Meant for "only a few left" hints.
   *
   * @return units left, from 0 to the sale's initial stock
   */
  public long remaining() {
    return remaining;
  }

  /**
   * Units reserved and not yet paid (a sale with {@code payWithin}); approximate like
   * {@link #remaining()}. While {@code remaining() == 0 && held() > 0} a page may say "all
   * reserved, check back shortly": expired reservations are sold again.
   *
   * @return held units, at least 0; 0 for a sale without {@code payWithin}
   */
  public long held() {
    return held;
  }

  /**
   * Units in paid reservations (a sale with {@code payWithin}); approximate like
   * {@link #remaining()}.
   *
   * @return paid units, at least 0; 0 for a sale without {@code payWithin}
   */
  public long paid() {
    return paid;
  }

  /**
   * True if purchases need a token from {@code SeckillEngine.issueToken}.
   *
   * @return the sale's {@link Sale#tokenRequired()} setting
   */
  public boolean tokenRequired() {
    return tokenRequired;
  }

  /**
   * True while the operator has the sale paused ({@link SeckillEngine#pauseSale}): purchases
   * are refused with {@link Rejection#PAUSED} whatever the phase says.
   *
   * @return whether the sale is paused
   */
  public boolean paused() {
    return paused;
  }

  @Override
  public String toString() {
    return "SaleView{saleId=" + saleId + ", phase=" + phase + ", startsAt=" + startsAt
        + ", endsAt=" + endsAt + ", serverTime=" + serverTime + ", remaining=" + remaining
        + ", held=" + held + ", paid=" + paid + ", tokenRequired=" + tokenRequired
        + (paused ? ", paused" : "") + '}';
  }
}
