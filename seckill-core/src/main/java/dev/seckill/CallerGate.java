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

import dev.seckill.PurchaseRequest;
import dev.seckill.Rejection;
import dev.seckill.SalePhase;
import dev.seckill.TokenGrant;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What the engine decides on the caller's thread, cheapest check first, for both submit paths
 * and for {@link #issueToken}:
 *
 * <pre>
 *   malformed ─▶ unknown sale ─▶ quantity above maxPerRequest ─▶ sale window (not started,
 *   sold out, ended) ─▶ blocked? throttled? ─▶ token ─▶ application policy ─▶ admission cap ─▶ ring
 * </pre>
 *
 * <p>A purchase refused for a registered sale is counted on that sale (token refusals are not).
 * A request {@link #admit admitted} holds its units in the sale's {@link AdmissionCap} until the
 * responder delivers its decision; if it never reaches the ring, the submitter calls
 * {@link #release}, and {@link #overloaded} if the ring was full.
 *
 * <p>Threads: safe from any number of threads; lock-free, and allocation-free for keys the
 * admission checks already track.
 */
final class CallerGate {
  private final Admission admission;
  private final SaleRegistry sales;
  private final Clock clock;
  private final double capFactor;

  public CallerGate(Admission admission, SaleRegistry sales, Clock clock) {
    this.admission = admission;
    this.sales = sales;
    this.clock = clock;
    this.capFactor = admission.capFactor();
  }

  /**
   * Decides whether {@code request} may go to the ring. Counts a refusal on the sale.
   *
   * @param wellFormed whether the request passes its own checks ({@code PurchaseRequest}'s,
   *     which only its package can run): if not, the answer is INVALID_REQUEST
   * @param sale the request's sale, null if none is registered with its id
   * @return null if admitted, having counted the request's units in flight; else the refusal
   */
  public @Nullable Rejection admit(PurchaseRequest request, boolean wellFormed,
      @Nullable SaleState sale) {
    if (!wellFormed) {
      return Rejection.INVALID_REQUEST;
    } else if (sale == null) {
      return Rejection.UNKNOWN_SALE;
    }
    Rejection reason = request.quantity() > sale.sale().maxPerRequest()
        ? Rejection.INVALID_REQUEST : check(request, sale, clock.millis());
    if (reason != null) {
      sale.countRejection(reason);
    }
    return reason;
  }

  /** An admitted request that did not reach the ring: frees its units in flight. */
  public void release(PurchaseRequest request, SaleState sale) {
    sale.admissionCap().exit(request.quantity());
  }

  /** An admitted request refused because the ring was full: counts and returns OVERLOADED. */
  public Rejection overloaded(SaleState sale) {
    sale.countRejection(Rejection.OVERLOADED);
    return Rejection.OVERLOADED;
  }

  /**
   * A purchase token for {@code userId} in sale {@code saleId}, or the refusal: INVALID_REQUEST,
   * UNKNOWN_SALE, the sale window's NOT_STARTED, SOLD_OUT or ENDED, or BLOCKED. Does not count
   * against the user's throttle, nor as a refusal on the sale.
   *
   * @param validUserId whether {@code userId} passes {@code PurchaseRequest}'s checks
   */
  public TokenGrant issueToken(String saleId, String userId, boolean validUserId) {
    if (!validUserId || saleId == null || saleId.isBlank()) {
      return TokenGrant.refused(Rejection.INVALID_REQUEST);
    }
    SaleState sale = sales.get(saleId);
    if (sale == null) {
      return TokenGrant.refused(Rejection.UNKNOWN_SALE);
    }
    long now = clock.millis();
    Rejection window = windowRejection(sale, now);
    if (window != null) {
      return TokenGrant.refused(window);
    }
    if (admission.isUserBlocked(userId, now)) {
      return TokenGrant.refused(Rejection.BLOCKED);
    }
    long expiry = admission.tokenExpiry(now);
    return TokenGrant.granted(admission.issueToken(saleId, userId, expiry), Instant.ofEpochMilli(expiry));
  }

  /** The window, then admission in order; the cap last, counting the units if it admits. */
  private @Nullable Rejection check(PurchaseRequest request, SaleState sale, long now) {
    Rejection window = windowRejection(sale, now);
    if (window != null) {
      return window;
    }
    // Only well-formed requests get here (admit), and a well-formed request has a userId.
    String userId = Objects.requireNonNull(request.userId(), "userId");
    // Each check answers null to pass, else the refusal: the first refusal wins.
    Rejection refusal = admission.screen(userId, request.clientAddress(), now);
    if (refusal == null && sale.sale().tokenRequired()) {
      refusal = admission.checkToken(sale.sale().id(), userId, request.token(), now);
    }
    if (refusal == null) {
      refusal = admission.askPolicy(sale.sale(), request);
    }
    if (refusal != null) {
      return refusal;
    }
    long limit = AdmissionCap.limit(sale.publishedRemaining(), capFactor);
    return sale.admissionCap().tryEnter(request.quantity(), limit) ? null : Rejection.OVERSUBSCRIBED;
  }

  /** The sale window, judged once for purchases and tokens: null while the sale is on. */
  private static @Nullable Rejection windowRejection(SaleState sale, long now) {
    SalePhase phase = sale.phaseAt(now);
    switch (phase) {
      case UPCOMING:
        return Rejection.NOT_STARTED;
      case SOLD_OUT:
        if (sale.clustered) {
          // The node's local lease is empty: SOLD_OUT only if the coordinator said nothing is
          // left anywhere; LEASED_ELSEWHERE or COORDINATOR_UNAVAILABLE otherwise (cluster thread).
          return sale.emptyRefusal;
        }
        return sale.publishedHeld() > 0 ? Rejection.ALL_HELD : Rejection.SOLD_OUT; // held units may return
      case ENDED:
        return Rejection.ENDED;
      case ON_SALE:
      default:
        return sale.isPaused() ? Rejection.PAUSED : null;
    }
  }
}
