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

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.seckill.Rejection;
import dev.seckill.SalePhase;
import java.time.Instant;

/**
 * The JSON bodies of the shop's API, as records that Jackson writes. Immutable.
 */
final class ApiJson {
  private ApiJson() {}

  /**
   * {@code GET /api/sales/{id}}: what the page needs to count down and show stock. The
   * {@code *Millis} fields repeat the instants as epoch milliseconds for the page's arithmetic.
   * {@code node}: the instance that answered ({@code shop.node-name}); left out when unset.
   */
  record SaleJson(
      String saleId,
      String title,
      String price,
      SalePhase phase,
      Instant startsAt,
      Instant endsAt,
      Instant serverTime,
      long startsAtMillis,
      long endsAtMillis,
      long serverTimeMillis,
      long remaining,
      long held,
      long paid,
      long stock,
      int limitPerUser,
      boolean tokenRequired,
      @JsonInclude(JsonInclude.Include.NON_NULL) String node) {}

  /**
   * {@code GET /api/sales/{id}/me}: what the user has bought in the sale, so a returning buyer's
   * page can say so before she clicks. {@code limitReached}: she cannot buy more.
   */
  record BuyerJson(String saleId, String userId, int unitsBought, int limitPerUser,
      boolean limitReached, ReservationJson reservation) {}

  /**
   * A reservation this shop handed out: {@code state} RESERVED (pay by {@code payBy}), PAID,
   * CANCELLED or EXPIRED. Part of {@link BuyerJson} (null when there is none) and of
   * {@link ConfirmedJson} for a sale with {@code pay-within}.
   */
  record ReservationJson(long orderId, int quantity, String state, Instant payBy,
      long payByMillis) {}

  /** {@code POST /api/sales/{id}/token}, granted. */
  record TokenJson(String token, Instant expiresAt, Instant serverTime) {}

  /** The body of {@code POST /api/sales/{id}/orders}; {@code quantity} defaults to 1. */
  record OrderForm(String token, Integer quantity) {}

  /**
   * {@code POST /api/sales/{id}/orders}, confirmed (201). {@code state} is CONFIRMED (final) or,
   * for a sale with {@code pay-within}, RESERVED: pay by {@code payBy} or the unit goes back on
   * sale ({@code payBy} and {@code payByMillis} are null for a final order).
   */
  record ConfirmedJson(String status, long orderId, String saleId, String userId, int quantity,
      String state, Instant payBy, Long payByMillis) {
    static ConfirmedJson finalOrder(long orderId, String saleId, String userId, int quantity) {
      return new ConfirmedJson("CONFIRMED", orderId, saleId, userId, quantity, "CONFIRMED", null,
          null);
    }

    static ConfirmedJson reservation(long orderId, String saleId, String userId, int quantity,
        Instant payBy) {
      return new ConfirmedJson("CONFIRMED", orderId, saleId, userId, quantity, "RESERVED", payBy,
          payBy.toEpochMilli());
    }
  }

  /**
   * {@code POST /api/orders/{id}/pay} and {@code .../cancel}: what the call did ({@code outcome},
   * an {@code OrderTransition.Outcome} name), the order's state after it, and whether the shop
   * refunded the payment ({@code TOO_LATE}: the reservation had expired; {@code CONFLICT}: the
   * order was already paid otherwise or cancelled).
   */
  record TransitionJson(long orderId, String outcome, String state, boolean refunded,
      String message) {}

  /** {@code GET /api/orders/{id}}: the row in the database. */
  record OrderJson(long orderId, String saleId, String userId, int quantity, Instant confirmedAt) {}

  /**
   * Any refusal or error: {@code reason} is a {@link Rejection} name, or one of the shop's own
   * ({@code MISSING_USER}, {@code UNAVAILABLE}, {@code NOT_FOUND}, and those of
   * {@link ApiErrors}: {@code MALFORMED_BODY}, {@code BAD_PARAMETER}, {@code BAD_REQUEST},
   * {@code METHOD_NOT_ALLOWED}, {@code NOT_ACCEPTABLE}, {@code NOT_JSON}, {@code INTERNAL_ERROR}).
   */
  record RefusalJson(String status, String reason, String message, int retryAfterSeconds) {
    /**
     * An engine refusal. {@code message} is the reason's description, or more where the shop
     * knows more (for {@code INVALID_REQUEST}, the field at fault and its value).
     */
    static RefusalJson of(Rejection r, String message, int retryAfterSeconds) {
      return new RefusalJson("REJECTED", r.name(), message, retryAfterSeconds);
    }

    static RefusalJson error(String reason, String message) {
      return new RefusalJson("ERROR", reason, message, 0);
    }
  }
}
