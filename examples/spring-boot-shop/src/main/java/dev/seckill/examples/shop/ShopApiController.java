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

import dev.seckill.PurchaseRequest;
import dev.seckill.PurchaseResult;
import dev.seckill.Rejection;
import dev.seckill.Sale;
import dev.seckill.SaleView;
import dev.seckill.SeckillEngine;
import dev.seckill.TokenGrant;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The shop's JSON API over the engine. Every engine refusal becomes the status chosen by
 * {@link RejectionStatus} with a {@link ApiJson.RefusalJson} body naming the reason; nothing is
 * cached ({@code Cache-Control: no-store}). Errors Spring MVC raises before or around these
 * handlers (unreadable body, unknown path, wrong method, ...) get the same body from
 * {@link ApiErrors}.
 *
 * <p>Identity: the buyer is whoever the {@code X-User} header says. There is no login; a real
 * shop takes the user id from its authenticated session instead. Called on Tomcat's request
 * threads; order results complete on the engine's responder thread (Spring MVC async).
 */
@RestController
@RequestMapping(path = "/api", produces = "application/json")
public class ShopApiController {
  static final String USER_HEADER = "X-User";

  private final SeckillEngine engine;
  private final OrderRepository orders;
  private final ConfirmedBuyers buyers;
  private final ShopProperties props;
  private final DecisionTimer decisionTimer;
  private final Map<String, Sale> sales = new LinkedHashMap<>();

  ShopApiController(SeckillEngine engine, Sale shopSale, OrderRepository orders,
      ConfirmedBuyers buyers, ShopProperties props, DecisionTimer decisionTimer) {
    this.engine = engine;
    this.decisionTimer = decisionTimer;
    this.orders = orders;
    this.buyers = buyers;
    this.props = props;
    // The configured sale (registered by EngineConfiguration.shopSale) first, then any other
    // sale the ledger restored.
    sales.put(shopSale.id(), shopSale);
    for (Sale s : engine.sales()) {
      sales.putIfAbsent(s.id(), s);
    }
  }

  /** Every sale, the configured one first. */
  @GetMapping("/sales")
  public ResponseEntity<List<ApiJson.SaleJson>> sales() {
    List<ApiJson.SaleJson> list = new ArrayList<>();
    for (Sale s : sales.values()) {
      list.add(json(s, engine.saleView(s.id())));
    }
    return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(list);
  }

  /** Phase, window, server time and approximate stock of one sale. */
  @GetMapping("/sales/{saleId}")
  public ResponseEntity<?> sale(@PathVariable String saleId) {
    Sale s = sales.get(saleId);
    if (s == null) {
      return refusal(Rejection.UNKNOWN_SALE, null);
    }
    return ResponseEntity.ok().cacheControl(CacheControl.noStore())
        .body(json(s, engine.saleView(saleId)));
  }

  /**
   * What the user has bought in the sale: the page asks once on load, so a returning buyer sees
   * "already bought" instead of a button that would only answer {@code LIMIT_REACHED}.
   */
  @GetMapping("/sales/{saleId}/me")
  public ResponseEntity<?> buyer(@PathVariable String saleId,
      @RequestHeader(name = USER_HEADER, required = false) String user) {
    if (user == null || user.isBlank()) {
      return missingUser();
    }
    Sale s = sales.get(saleId);
    if (s == null) {
      return refusal(Rejection.UNKNOWN_SALE, null);
    }
    int units = buyers.unitsBought(saleId, user, s.limitPerUser());
    return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(new ApiJson.BuyerJson(
        saleId, user, units, s.limitPerUser(), units >= s.limitPerUser()));
  }

  /** A purchase token for the user; refused with 425 before the sale starts. */
  @PostMapping("/sales/{saleId}/token")
  public ResponseEntity<?> token(@PathVariable String saleId,
      @RequestHeader(name = USER_HEADER, required = false) String user) {
    if (user == null || user.isBlank()) {
      return missingUser();
    }
    TokenGrant grant;
    try {
      grant = engine.issueToken(saleId, user);
    } catch (IllegalStateException closed) {
      return unavailable();
    }
    if (!grant.isGranted()) {
      return refusal(grant.rejection(), PurchaseRequest.of(saleId, user, 1));
    }
    return ResponseEntity.ok().cacheControl(CacheControl.noStore())
        .body(new ApiJson.TokenJson(grant.token(), grant.expiresAt(), engine.serverTime()));
  }

  /**
   * Submits a purchase and answers the engine's decision: 201 with the order, or the refusal.
   * Most refusals in a flash sale (sold out, not started, bad token, throttled) are decided on
   * this thread, so an already completed decision is answered at once; only a request that went
   * to the ledger writer is answered asynchronously (Spring MVC completes the
   * {@code CompletableFuture} on the engine's responder thread).
   *
   * @return a {@code ResponseEntity}, or a {@code CompletableFuture} of one
   */
  @PostMapping("/sales/{saleId}/orders")
  public Object order(@PathVariable String saleId,
      @RequestHeader(name = USER_HEADER, required = false) String user,
      @RequestBody ApiJson.OrderForm form, HttpServletRequest http) {
    if (user == null || user.isBlank()) {
      return missingUser();
    }
    int quantity = form.quantity() == null ? 1 : form.quantity();
    PurchaseRequest request = PurchaseRequest.of(saleId, user, quantity).withToken(form.token());
    if (props.admission().clientAddress()) {
      request = request.withClientAddress(http.getRemoteAddr());
    }
    CompletableFuture<PurchaseResult> decided;
    long submittedAt = System.nanoTime();
    try {
      decided = engine.submit(request);
    } catch (IllegalStateException closed) {
      return unavailable();
    }
    if (decided.isDone() && !decided.isCompletedExceptionally()) {
      decisionTimer.record(System.nanoTime() - submittedAt);
      return answer(request, decided.join());
    }
    decided.whenComplete((r, failure) -> decisionTimer.record(System.nanoTime() - submittedAt));
    PurchaseRequest submitted = request;
    return decided.handle((r, failure) -> failure != null
        // Only with durability PERSISTED, when the engine closes before the database stored it.
        ? unavailable()
        : answer(submitted, r));
  }

  private ResponseEntity<?> answer(PurchaseRequest request, PurchaseResult r) {
    String saleId = request.saleId();
    String user = request.userId();
    if (!r.isConfirmed()) {
      return refusal(r.rejection(), request);
    }
    buyers.confirmed(saleId, user, r.quantity());
    return ResponseEntity.created(URI.create("/api/orders/" + r.orderId()))
        .cacheControl(CacheControl.noStore())
        .body(new ApiJson.ConfirmedJson(r.orderId(), saleId, user, r.quantity()));
  }

  /**
   * The order as stored in the database, only for the user who placed it. 404 for anyone else,
   * and for an order the engine confirmed a moment ago but has not written yet.
   */
  @GetMapping("/orders/{orderId}")
  public ResponseEntity<?> order(@PathVariable long orderId,
      @RequestHeader(name = USER_HEADER, required = false) String user) {
    if (user == null || user.isBlank()) {
      return missingUser();
    }
    return orders.find(orderId)
        .filter(o -> o.userId().equals(user))
        .<ResponseEntity<?>>map(o -> ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(o))
        .orElseGet(() -> error(HttpStatus.NOT_FOUND, "NOT_FOUND",
            "no order " + orderId + " for this user in the database (a just-confirmed order is"
                + " written within a moment)"));
  }

  private ApiJson.SaleJson json(Sale s, SaleView v) {
    boolean configured = s.id().equals(props.sale().id());
    return new ApiJson.SaleJson(s.id(),
        configured ? props.sale().title() : s.id(),
        configured ? props.sale().price() : null,
        v.phase(), v.startsAt(), v.endsAt(), v.serverTime(),
        v.startsAt().toEpochMilli(), v.endsAt().toEpochMilli(), v.serverTime().toEpochMilli(),
        v.remaining(), s.stock(), s.limitPerUser(), v.tokenRequired());
  }

  /**
   * The answer to a refusal of {@code request} (null if there is none). {@code INVALID_REQUEST}
   * says which field is wrong and its value ({@link SeckillEngine#problem}); {@code NOT_STARTED}
   * carries {@code Retry-After}: the seconds until the sale starts, rounded up.
   */
  ResponseEntity<?> refusal(Rejection r, PurchaseRequest request) {
    String message = r.description();
    if (r == Rejection.INVALID_REQUEST && request != null) {
      String problem = engine.problem(request);
      if (problem != null) {
        message = problem;
      }
    }
    int retryAfter = r == Rejection.NOT_STARTED && request != null
        ? secondsUntilStart(request.saleId())
        : RejectionStatus.retryAfterSeconds(r);
    ResponseEntity.BodyBuilder b = ResponseEntity.status(RejectionStatus.of(r))
        .cacheControl(CacheControl.noStore());
    if (retryAfter > 0) {
      b.header(HttpHeaders.RETRY_AFTER, Integer.toString(retryAfter));
    }
    return b.body(ApiJson.RefusalJson.of(r, message, retryAfter));
  }

  /** Whole seconds from the engine's now to the sale's start, rounded up; at least 1. */
  private int secondsUntilStart(String saleId) {
    Sale s = sales.get(saleId);
    if (s == null) {
      return 1;
    }
    long millis = s.startsAt().toEpochMilli() - engine.serverTime().toEpochMilli();
    long seconds = Math.floorDiv(millis + 999, 1000);
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, seconds));
  }

  private static ResponseEntity<ApiJson.RefusalJson> error(HttpStatus status, String reason,
      String message) {
    return ResponseEntity.status(status).cacheControl(CacheControl.noStore())
        .body(ApiJson.RefusalJson.error(reason, message));
  }

  private static ResponseEntity<?> missingUser() {
    return error(HttpStatus.BAD_REQUEST, "MISSING_USER",
        "say who you are in the " + USER_HEADER + " header (this example has no login)");
  }

  private static ResponseEntity<?> unavailable() {
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, "1")
        .cacheControl(CacheControl.noStore())
        .body(ApiJson.RefusalJson.error("UNAVAILABLE", "the shop is shutting down; retry shortly"));
  }
}
