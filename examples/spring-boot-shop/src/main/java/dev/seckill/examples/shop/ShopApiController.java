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

import dev.seckill.OrderTransition;
import dev.seckill.PurchaseRequest;
import dev.seckill.PurchaseResult;
import dev.seckill.Rejection;
import dev.seckill.Sale;
import dev.seckill.SaleView;
import dev.seckill.SeckillEngine;
import dev.seckill.TokenGrant;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
  private final Reservations reservations;
  private final Map<String, Sale> sales = new LinkedHashMap<>();

  ShopApiController(SeckillEngine engine, Sale shopSale, OrderRepository orders,
      ConfirmedBuyers buyers, ShopProperties props, DecisionTimer decisionTimer,
      Reservations reservations) {
    this.engine = engine;
    this.reservations = reservations;
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
    ApiJson.ReservationJson reservation = reservations.latest(saleId, user)
        .map(e -> reservationJson(e))
        .orElse(null);
    return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(new ApiJson.BuyerJson(
        saleId, user, units, s.limitPerUser(), units >= s.limitPerUser(), reservation));
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
    // Read before submitting: a pay-by instant from it is never later than the engine's deadline.
    Instant before = engine.clock().instant();
    long submittedAt = System.nanoTime();
    try {
      decided = engine.submit(request);
    } catch (IllegalStateException closed) {
      return unavailable();
    }
    if (decided.isDone() && !decided.isCompletedExceptionally()) {
      decisionTimer.record(System.nanoTime() - submittedAt);
      return answer(request, decided.join(), before);
    }
    decided.whenComplete((r, failure) -> decisionTimer.record(System.nanoTime() - submittedAt));
    PurchaseRequest submitted = request;
    return decided.handle((r, failure) -> failure != null
        // Only with durability PERSISTED, when the engine closes before the database stored it.
        ? unavailable()
        : answer(submitted, r, before));
  }

  private ResponseEntity<?> answer(PurchaseRequest request, PurchaseResult r, Instant before) {
    String saleId = request.saleId();
    String user = request.userId();
    if (!r.isConfirmed()) {
      return refusal(r.rejection(), request);
    }
    buyers.confirmed(saleId, user, r.quantity());
    Sale sale = sales.get(saleId);
    Duration payWithin = sale == null ? null : sale.payWithin();
    ApiJson.ConfirmedJson body;
    if (payWithin == null) {
      body = ApiJson.ConfirmedJson.finalOrder(r.orderId(), saleId, user, r.quantity());
    } else {
      Instant payBy = before.plus(payWithin);
      reservations.reserved(r.orderId(), saleId, user, r.quantity(), payBy);
      body = ApiJson.ConfirmedJson.reservation(r.orderId(), saleId, user, r.quantity(), payBy);
    }
    return ResponseEntity.created(URI.create("/api/orders/" + r.orderId()))
        .cacheControl(CacheControl.noStore())
        .body(body);
  }

  /**
   * Pays a reservation with the shop's fake payment provider: the payment reference is derived
   * from the order id, so a second click (or a retried request) is the same payment and answers
   * {@code ALREADY_IN_STATE}, never a second charge. The engine decides: 200 when the order is
   * paid ({@code APPLIED} or {@code ALREADY_IN_STATE}); 409 with {@code refunded=true} when the
   * reservation had expired ({@code TOO_LATE}) or the order was cancelled ({@code CONFLICT}) —
   * a real shop refunds the payment here; 404 for an order this user does not hold here;
   * 429 when the engine could not record it now ({@code OVERLOADED}, retry).
   */
  @PostMapping("/orders/{orderId}/pay")
  public Object pay(@PathVariable long orderId,
      @RequestHeader(name = USER_HEADER, required = false) String user) {
    return transition(orderId, user, true);
  }

  /**
   * Cancels a reservation: its unit goes back on sale at once. 200 when it is cancelled
   * ({@code APPLIED} or {@code ALREADY_IN_STATE}); 409 when it was paid or had expired.
   */
  @PostMapping("/orders/{orderId}/cancel")
  public Object cancel(@PathVariable long orderId,
      @RequestHeader(name = USER_HEADER, required = false) String user) {
    return transition(orderId, user, false);
  }

  private Object transition(long orderId, String user, boolean pay) {
    if (user == null || user.isBlank()) {
      return missingUser();
    }
    Optional<Reservations.Entry> held = reservations.find(orderId)
        .filter(e -> e.userId().equals(user));
    if (held.isEmpty()) {
      return error(HttpStatus.NOT_FOUND, "NOT_FOUND",
          "no reservation " + orderId + " for this user in this shop");
    }
    CompletableFuture<OrderTransition> done;
    try {
      done = pay ? engine.pay(orderId, "fake-pay-" + orderId) : engine.cancel(orderId);
    } catch (IllegalStateException closed) {
      return unavailable();
    }
    return done.handle((t, failure) -> {
      if (failure != null) {
        return unavailable();
      }
      reservations.follow(t);
      return transitionAnswer(t, pay);
    });
  }

  private static ResponseEntity<?> transitionAnswer(OrderTransition t, boolean pay) {
    String state = t.state() == null ? null : t.state().name();
    HttpStatus status;
    boolean refunded = false;
    String message;
    switch (t.outcome()) {
      case APPLIED, ALREADY_IN_STATE -> {
        status = HttpStatus.OK;
        message = pay ? "paid" : "cancelled; the unit is back on sale";
      }
      case TOO_LATE -> {
        status = HttpStatus.CONFLICT;
        refunded = pay;
        message = "the reservation expired before " + (pay ? "the payment" : "the cancel")
            + " arrived; its unit went back on sale" + (pay ? "; the payment was refunded" : "");
      }
      case CONFLICT -> {
        status = HttpStatus.CONFLICT;
        refunded = pay;
        message = "the order is already " + state + (pay ? "; the payment was refunded" : "");
      }
      case UNKNOWN_ORDER -> {
        status = HttpStatus.NOT_FOUND;
        refunded = pay;
        message = "the engine holds no reservation with this id"
            + (pay ? "; the payment was refunded" : "");
      }
      case OVERLOADED -> {
        status = HttpStatus.TOO_MANY_REQUESTS;
        message = "the engine could not record this now; retry in a moment";
      }
      default -> throw new IllegalStateException("unexpected outcome " + t.outcome());
    }
    ResponseEntity.BodyBuilder b = ResponseEntity.status(status).cacheControl(CacheControl.noStore());
    if (status == HttpStatus.TOO_MANY_REQUESTS) {
      b.header(HttpHeaders.RETRY_AFTER, "1");
    }
    return b.body(new ApiJson.TransitionJson(t.orderId(), t.outcome().name(), state, refunded,
        message));
  }

  private ApiJson.ReservationJson reservationJson(Reservations.Entry e) {
    return new ApiJson.ReservationJson(e.orderId(), e.quantity(),
        e.stateAt(engine.clock().instant()).name(), e.payBy(), e.payBy().toEpochMilli());
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
        v.remaining(), v.held(), v.paid(), s.stock(), s.limitPerUser(), v.tokenRequired(),
        props.nodeName());
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
