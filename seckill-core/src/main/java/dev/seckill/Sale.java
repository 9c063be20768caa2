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
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The specification of one flash sale: how many units, when, and how many per buyer. Immutable.
 *
 * <pre>{@code
 * Sale sale = Sale.builder("phone-42")
 *     .stock(1_000)
 *     .startsAt(Instant.parse("2026-11-11T00:00:00Z"))
 *     .endsAt(Instant.parse("2026-11-11T00:10:00Z"))
 *     .limitPerUser(1)
 *     .build();
 * }</pre>
 *
 * <p>The window is half-open: a request admitted at {@code startsAt} is on time, one admitted at
 * {@code endsAt} is too late. Time is read from the engine's {@link java.time.Clock} when the
 * request is admitted, on the caller's thread.
 */
public final class Sale {
  /** The longest sale id accepted. */
  public static final int MAX_ID_LENGTH = 128;

  private final String id;
  private final long stock;
  private final Instant startsAt;
  private final Instant endsAt;
  private final int limitPerUser;
  private final int maxPerRequest;
  private final boolean tokenRequired;
  private final @Nullable Duration payWithin;
  private final boolean releaseRestoresLimit;

  /** The longest {@link Builder#payWithin} accepted: 30 days. */
  public static final Duration MAX_PAY_WITHIN = Duration.ofDays(30);

  private Sale(Builder b, Instant startsAt, Instant endsAt) {
    this.id = b.id;
    this.stock = b.stock;
    this.startsAt = startsAt;
    this.endsAt = endsAt;
    this.limitPerUser = b.limitPerUser;
    this.maxPerRequest = b.maxPerRequest == UNSET ? b.limitPerUser : b.maxPerRequest;
    this.tokenRequired = Boolean.TRUE.equals(b.tokenRequired);
    this.payWithin = b.payWithin;
    this.releaseRestoresLimit = Boolean.TRUE.equals(b.releaseRestoresLimit);
  }

  /**
   * Starts a sale specification.
   *
   * @param id the sale's id, unique within an engine; at most {@link #MAX_ID_LENGTH} characters
   * @return a new builder for a sale with this id; set stock, window and limitPerUser, then
   *     {@link Builder#build()}
   * @throws IllegalArgumentException if {@code id} is null, blank, longer than
   *     {@link #MAX_ID_LENGTH}, or contains a control character or an unpaired surrogate (see
   *     {@link PurchaseRequest#MAX_USER_ID_LENGTH} for why)
   */
  public static Builder builder(String id) {
    return new Builder(id);
  }

  /**
   * The sale's id, unique within an engine.
   *
   * @return the id given to {@link #builder(String)}; never null or blank
   */
  public String id() {
    return id;
  }

  /**
   * The number of units for sale.
   *
   * @return the initial stock, at least 0
   */
  public long stock() {
    return stock;
  }

  /**
   * When the sale opens (inclusive).
   *
   * @return the first instant, by the engine's clock, at which purchases are accepted; never null
   */
  public Instant startsAt() {
    return startsAt;
  }

  /**
   * When the sale closes (exclusive).
   *
   * @return the first instant, by the engine's clock, at which purchases are refused with
   *     {@link Rejection#ENDED}; never null, after {@link #startsAt()}
   */
  public Instant endsAt() {
    return endsAt;
  }

  /**
   * The most units one user may buy across all their orders in this sale.
   *
   * @return the per-user limit in units, at least 1
   */
  public int limitPerUser() {
    return limitPerUser;
  }

  /**
   * The most units one request may ask for; defaults to {@link #limitPerUser()}.
   *
   * @return the per-request limit in units, from 1 to {@link #limitPerUser()}
   */
  public int maxPerRequest() {
    return maxPerRequest;
  }

  /**
   * True if a purchase needs a token from {@link SeckillEngine#issueToken}, which is issued only
   * once the sale has started: the order URL is useless before. Default false.
   *
   * @return true if requests without a valid token are refused with {@link Rejection#BAD_TOKEN}
   */
  public boolean tokenRequired() {
    return tokenRequired;
  }

  /**
   * How long a buyer has to pay for a confirmed purchase, if the sale takes reservations: each
   * confirmation is then a reservation that must be paid with {@link SeckillEngine#pay} before
   * {@code confirmedAt + payWithin} (by the engine's clock), or it expires and its units are
   * given back. Empty (the default): a confirmation is final (state
   * {@link OrderState#CONFIRMED}). See docs/reservations.md.
   *
   * @return the time to pay, positive and at most {@link #MAX_PAY_WITHIN}; or null if
   *     confirmations are final
   */
  public @Nullable Duration payWithin() {
    return payWithin;
  }

  /**
   * True if the buyer's units count against {@link #limitPerUser()} again when a reservation of
   * theirs is cancelled or expires; default false (a buyer who let a reservation lapse cannot
   * buy again, so they cannot hold a unit and hand it to an accomplice at a moment they choose).
   *
   * @return true if a released reservation gives the buyer's quota back
   */
  public boolean releaseRestoresLimit() {
    return releaseRestoresLimit;
  }

  /**
   * Lists the fields in which {@code other} differs from this sale, as {@code field: this vs
   * other} phrases; empty if they are the same specification.
   *
   * @param other the specification to compare with, for example the one a restarted application
   *     registers again; not null
   * @return one phrase per differing field, in declaration order (id, stock, startsAt, endsAt,
   *     limitPerUser, maxPerRequest, tokenRequired, payWithin, releaseRestoresLimit); a new
   *     mutable list, empty if equal
   */
  public List<String> differences(Sale other) {
    List<String> diffs = new ArrayList<>();
    diff(diffs, "id", id, other.id);
    diff(diffs, "stock", stock, other.stock);
    diff(diffs, "startsAt", startsAt, other.startsAt);
    diff(diffs, "endsAt", endsAt, other.endsAt);
    diff(diffs, "limitPerUser", limitPerUser, other.limitPerUser);
    diff(diffs, "maxPerRequest", maxPerRequest, other.maxPerRequest);
    diff(diffs, "tokenRequired", tokenRequired, other.tokenRequired);
    diff(diffs, "payWithin", payWithin, other.payWithin);
    diff(diffs, "releaseRestoresLimit", releaseRestoresLimit, other.releaseRestoresLimit);
    return diffs;
  }

  private static void diff(List<String> out, String field, @Nullable Object mine,
      @Nullable Object theirs) {
    if (!Objects.equals(mine, theirs)) {
      out.add(field + " " + mine + " vs " + theirs);
    }
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Sale that && differences(that).isEmpty();
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, stock, startsAt, endsAt, limitPerUser, maxPerRequest, tokenRequired,
        payWithin, releaseRestoresLimit);
  }

  @Override
  public String toString() {
    return "Sale{id=" + id + ", stock=" + stock + ", startsAt=" + startsAt + ", endsAt=" + endsAt
        + ", limitPerUser=" + limitPerUser + ", maxPerRequest=" + maxPerRequest
        + (tokenRequired ? ", tokenRequired=true" : "")
        + (payWithin != null ? ", payWithin=" + payWithin : "")
        + (releaseRestoresLimit ? ", releaseRestoresLimit=true" : "") + '}';
  }

  private static final int UNSET = -1;

  /**
   * Builds a {@link Sale}. Each setter rejects a bad value at once with an
   * {@link IllegalArgumentException} naming the field and the value, and rejects being called
   * twice with an {@link IllegalStateException}; {@link #build()} checks the fields that depend on
   * each other. Not thread-safe.
   */
  public static final class Builder {
    private final String id;
    private long stock = UNSET;
    private @Nullable Instant startsAt;
    private @Nullable Instant endsAt;
    private int limitPerUser = UNSET;
    private int maxPerRequest = UNSET;
    private @Nullable Boolean tokenRequired;
    private @Nullable Duration payWithin;
    private @Nullable Boolean releaseRestoresLimit;

    private Builder(String id) {
      if (id == null || id.isBlank()) {
        throw new IllegalArgumentException("id must not be blank, was " + (id == null ? "null" : '"' + id + '"'));
      }
      if (id.length() > MAX_ID_LENGTH) {
        throw new IllegalArgumentException(
            "id must be at most " + MAX_ID_LENGTH + " characters, was " + id.length());
      }
      int bad = PurchaseRequest.firstUnstorable(id);
      if (bad >= 0) {
        throw new IllegalArgumentException(PurchaseRequest.unstorable("id", id, bad));
      }
      this.id = id;
    }

    /**
     * The number of units for sale; required, at least 0.
     *
     * @param stock the initial stock in units; at least 0
     * @return this builder
     * @throws IllegalArgumentException if {@code stock} is negative
     * @throws IllegalStateException if the stock was already set
     */
    public Builder stock(long stock) {
      Require.setOnce(this.stock == UNSET, "stock", this.stock);
      if (stock < 0) {
        throw new IllegalArgumentException("stock must be at least 0, was " + stock);
      }
      this.stock = stock;
      return this;
    }

    /**
     * When the sale opens (inclusive); required.
     *
     * @param startsAt the first instant, by the engine's clock, at which purchases are accepted;
     *     not null
     * @return this builder
     * @throws NullPointerException if {@code startsAt} is null
     * @throws IllegalStateException if the start was already set
     */
    public Builder startsAt(Instant startsAt) {
      Require.setOnce(this.startsAt == null, "startsAt", this.startsAt);
      this.startsAt = Objects.requireNonNull(startsAt, "startsAt");
      return this;
    }

    /**
     * When the sale closes (exclusive); required, after {@code startsAt}.
     *
     * @param endsAt the first instant, by the engine's clock, at which purchases are refused;
     *     not null, after {@code startsAt} (checked by {@link #build()})
     * @return this builder
     * @throws NullPointerException if {@code endsAt} is null
     * @throws IllegalStateException if the end was already set
     */
    public Builder endsAt(Instant endsAt) {
      Require.setOnce(this.endsAt == null, "endsAt", this.endsAt);
      this.endsAt = Objects.requireNonNull(endsAt, "endsAt");
      return this;
    }

    /**
     * The most units one user may buy in this sale; required, at least 1.
     *
     * @param limitPerUser the per-user limit in units, across all the user's orders; at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code limitPerUser} is less than 1
     * @throws IllegalStateException if the limit was already set
     */
    public Builder limitPerUser(int limitPerUser) {
      Require.setOnce(this.limitPerUser == UNSET, "limitPerUser", this.limitPerUser);
      if (limitPerUser < 1) {
        throw new IllegalArgumentException("limitPerUser must be at least 1, was " + limitPerUser);
      }
      this.limitPerUser = limitPerUser;
      return this;
    }

    /**
     * The most units one request may ask for; optional, defaults to {@code limitPerUser}, at
     * least 1 and at most {@code limitPerUser}.
     *
     * @param maxPerRequest the per-request limit in units; from 1 to {@code limitPerUser} (the
     *     upper bound is checked by {@link #build()})
     * @return this builder
     * @throws IllegalArgumentException if {@code maxPerRequest} is less than 1
     * @throws IllegalStateException if the limit was already set
     */
    public Builder maxPerRequest(int maxPerRequest) {
      Require.setOnce(this.maxPerRequest == UNSET, "maxPerRequest", this.maxPerRequest);
      if (maxPerRequest < 1) {
        throw new IllegalArgumentException("maxPerRequest must be at least 1, was " + maxPerRequest);
      }
      this.maxPerRequest = maxPerRequest;
      return this;
    }

    /**
     * Whether a purchase needs a token from {@link SeckillEngine#issueToken}; optional, default
     * false. A request without a valid token for this sale and user is refused with
     * {@link Rejection#BAD_TOKEN}.
     *
     * @param required true to require a token, false (the default) to accept requests without
     * @return this builder
     * @throws IllegalStateException if this was already set
     */
    public Builder requireToken(boolean required) {
      Require.setOnce(this.tokenRequired == null, "requireToken", this.tokenRequired);
      this.tokenRequired = required;
      return this;
    }

    /**
     * Makes every confirmation a reservation that must be paid within {@code payWithin}
     * ({@link SeckillEngine#pay}); optional, by default a confirmation is final. An unpaid
     * reservation expires at {@code confirmedAt + payWithin} (by the engine's clock) and its units
     * are sold again. See docs/reservations.md.
     *
     * @param payWithin the time to pay; positive, whole milliseconds, at most
     *     {@link Sale#MAX_PAY_WITHIN}
     * @return this builder
     * @throws IllegalArgumentException if {@code payWithin} is zero, negative, finer than a
     *     millisecond or longer than {@link Sale#MAX_PAY_WITHIN}
     * @throws NullPointerException if {@code payWithin} is null
     * @throws IllegalStateException if this was already set
     */
    public Builder payWithin(Duration payWithin) {
      Require.setOnce(this.payWithin == null, "payWithin", this.payWithin);
      Objects.requireNonNull(payWithin, "payWithin");
      if (payWithin.isNegative() || payWithin.isZero() || payWithin.compareTo(MAX_PAY_WITHIN) > 0
          || !payWithin.equals(Duration.ofMillis(payWithin.toMillis()))) {
        throw new IllegalArgumentException("payWithin must be positive, whole milliseconds and at"
            + " most " + MAX_PAY_WITHIN + ", was " + payWithin);
      }
      this.payWithin = payWithin;
      return this;
    }

    /**
     * Whether a cancelled or expired reservation gives the buyer's units back to their
     * {@code limitPerUser} quota; optional, default false (see
     * {@link Sale#releaseRestoresLimit()}). Meaningful only with {@link #payWithin}.
     *
     * @param restores true to give the quota back on release
     * @return this builder
     * @throws IllegalStateException if this was already set
     */
    public Builder releaseRestoresLimit(boolean restores) {
      Require.setOnce(this.releaseRestoresLimit == null, "releaseRestoresLimit",
          this.releaseRestoresLimit);
      this.releaseRestoresLimit = restores;
      return this;
    }

    /**
     * Returns the sale.
     *
     * @return a new immutable {@link Sale} with the fields set on this builder
     * @throws IllegalArgumentException if a required field is missing or fields contradict
     *     each other; the message names them
     */
    public Sale build() {
      if (stock == UNSET) {
        throw new IllegalArgumentException("stock is required for sale \"" + id + '"');
      }
      if (startsAt == null) {
        throw new IllegalArgumentException("startsAt is required for sale \"" + id + '"');
      }
      if (endsAt == null) {
        throw new IllegalArgumentException("endsAt is required for sale \"" + id + '"');
      }
      if (!endsAt.isAfter(startsAt)) {
        throw new IllegalArgumentException(
            "endsAt must be after startsAt, was endsAt=" + endsAt + " startsAt=" + startsAt);
      }
      if (limitPerUser == UNSET) {
        throw new IllegalArgumentException("limitPerUser is required for sale \"" + id + '"');
      }
      if (maxPerRequest != UNSET && maxPerRequest > limitPerUser) {
        throw new IllegalArgumentException("maxPerRequest must be at most limitPerUser ("
            + limitPerUser + "), was " + maxPerRequest);
      }
      return new Sale(this, startsAt, endsAt);
    }
  }
}
