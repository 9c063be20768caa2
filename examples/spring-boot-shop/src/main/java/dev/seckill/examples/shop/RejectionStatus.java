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
package dev.seckill.examples.shop;

import dev.seckill.Rejection;
import org.springframework.http.HttpStatus;

/**
 * The HTTP status the shop answers for each engine {@link Rejection}; the table in the example's
 * README lists the same pairs, and {@code RejectionStatusTest} checks that they agree.
 *
 * <p>The switch has no {@code default}: a {@code Rejection} added to the engine fails this class's
 * compilation until someone decides its status, instead of slipping through as a 500 or a
 * guess. Stateless and thread-safe.
 */
public final class RejectionStatus {
  private RejectionStatus() {}

  /** The status for {@code rejection}. */
  public static HttpStatus of(Rejection rejection) {
    return switch (rejection) {
      // Nothing left to buy for this user: the request was fine, the state says no.
      case SOLD_OUT, INSUFFICIENT_STOCK, LIMIT_REACHED -> HttpStatus.CONFLICT;
      // Every unit left is reserved and unpaid: some may come back when reservations expire.
      case ALL_HELD -> HttpStatus.CONFLICT;
      // The sale opens later: "too early", retry once the countdown ends.
      case NOT_STARTED -> HttpStatus.TOO_EARLY;
      // The window closed for good.
      case ENDED -> HttpStatus.GONE;
      case UNKNOWN_SALE -> HttpStatus.NOT_FOUND;
      // Slow down: too many attempts, a block, or the engine/admission cap is full right now.
      case THROTTLED, BLOCKED, OVERLOADED, OVERSUBSCRIBED -> HttpStatus.TOO_MANY_REQUESTS;
      // The request itself is wrong: fix it, fetch a fresh token.
      case INVALID_REQUEST, BAD_TOKEN -> HttpStatus.BAD_REQUEST;
      // The application's admission policy: wants a challenge solved, or said no.
      case CHALLENGE_REQUIRED, DENIED -> HttpStatus.FORBIDDEN;
      // The admission policy itself failed, or the operator paused the sale: retry later.
      case POLICY_FAILED, PAUSED -> HttpStatus.SERVICE_UNAVAILABLE;
      // Cluster mode: units sit on other nodes or this node lost its coordinator: retry shortly,
      // here or on another node; a voided order bought nothing and may be retried.
      case LEASED_ELSEWHERE, COORDINATOR_UNAVAILABLE, VOIDED -> HttpStatus.SERVICE_UNAVAILABLE;
    };
  }

  /**
   * Seconds a client should wait before retrying, for the {@code Retry-After} header, or 0 when
   * retrying will not help. {@code NOT_STARTED} is 0 here because the wait depends on the sale:
   * {@link ShopApiController} answers it with the seconds to the sale's start.
   */
  public static int retryAfterSeconds(Rejection rejection) {
    return switch (rejection) {
      case THROTTLED, OVERLOADED, OVERSUBSCRIBED, POLICY_FAILED, LEASED_ELSEWHERE,
          COORDINATOR_UNAVAILABLE, VOIDED -> 1;
      case BLOCKED, PAUSED -> 60;
      // ALL_HELD: when a unit comes back depends on other buyers; the page polls the sale.
      case SOLD_OUT, ALL_HELD, INSUFFICIENT_STOCK, LIMIT_REACHED, NOT_STARTED, ENDED, UNKNOWN_SALE,
          INVALID_REQUEST, BAD_TOKEN, CHALLENGE_REQUIRED, DENIED -> 0;
    };
  }
}
