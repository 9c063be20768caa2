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
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The answer to {@code SeckillEngine.issueToken}: a purchase token with its expiry, or the
 * {@link Rejection} that says why none was issued (the sale has not started, has ended, is sold
 * out, is unknown, or the user is blocked). Immutable and thread-safe.
 *
 * <p>A refusal is a value, so a page scraped before the sale opens gets {@code NOT_STARTED}, not
 * a token. Refusals are shared constants.
 */
public final class TokenGrant {
  /** The shared refusals, by {@link Rejection#ordinal()}. */
  private static final TokenGrant[] REFUSED = new TokenGrant[Rejection.values().length];

  static {
    for (Rejection r : Rejection.values()) {
      REFUSED[r.ordinal()] = new TokenGrant(null, null, r);
    }
  }

  private final @Nullable String token;
  private final @Nullable Instant expiresAt;
  private final @Nullable Rejection rejection;

  private TokenGrant(@Nullable String token, @Nullable Instant expiresAt,
      @Nullable Rejection rejection) {
    this.token = token;
    this.expiresAt = expiresAt;
    this.rejection = rejection;
  }

  /**
   * A granted token valid until {@code expiresAt} (exclusive).
   *
   * @param token the opaque token string the buyer must send back; not null
   * @param expiresAt the first instant, by the engine's clock, at which the token is no longer
   *     accepted; not null
   * @return a new grant for which {@link #isGranted()} is true
   * @throws NullPointerException if {@code token} or {@code expiresAt} is null
   */
  public static TokenGrant granted(String token, Instant expiresAt) {
    return new TokenGrant(Objects.requireNonNull(token, "token"),
        Objects.requireNonNull(expiresAt, "expiresAt"), null);
  }

  /**
   * The shared refusal with the given reason.
   *
   * @param reason why no token is issued; not null
   * @return the shared, preallocated refusal for {@code reason} (the same instance on every call)
   * @throws NullPointerException if {@code reason} is null
   */
  public static TokenGrant refused(Rejection reason) {
    return REFUSED[Objects.requireNonNull(reason, "reason").ordinal()];
  }

  /**
   * True if a token was issued.
   *
   * @return true if {@link #token()} and {@link #expiresAt()} may be called, false if
   *     {@link #rejection()} says why no token was issued
   */
  public boolean isGranted() {
    return rejection == null;
  }

  /**
   * The token, to put in the order form and send back in {@code PurchaseRequest}.
   *
   * @return the opaque token string; never null. It is a credential: do not log it
   * @throws IllegalStateException if none was issued
   */
  public String token() {
    String token = this.token; // null exactly when rejection is not
    if (token == null) {
      throw new IllegalStateException("no token: refused with " + rejection);
    }
    return token;
  }

  /**
   * When the token stops being accepted (exclusive), by the engine's clock.
   *
   * @return the first instant at which the token is refused; never null
   * @throws IllegalStateException if none was issued
   */
  public Instant expiresAt() {
    Instant expiresAt = this.expiresAt; // null exactly when rejection is not
    if (expiresAt == null) {
      throw new IllegalStateException("no token: refused with " + rejection);
    }
    return expiresAt;
  }

  /**
   * Why no token was issued.
   *
   * @return the reason; never null
   * @throws IllegalStateException if a token was issued
   */
  public Rejection rejection() {
    if (rejection == null) {
      throw new IllegalStateException("no rejection: a token was issued");
    }
    return rejection;
  }

  @Override
  public String toString() {
    // The token itself is a credential: keep it out of logs.
    return rejection == null
        ? "TokenGrant{granted, expiresAt=" + expiresAt + '}'
        : "TokenGrant{refused, " + rejection + '}';
  }
}
