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
 * Why a purchase was refused. Every refusal the engine gives carries exactly one of these.
 *
 * <p>Refusals are normal outcomes of a flash sale, not errors: they are returned inside a
 * {@link PurchaseResult}, never thrown. Values marked <em>caller thread</em> are decided before
 * the request reaches the ring, so they cost no ledger work.
 */
public enum Rejection {
  /** No units remain (caller thread once the sold-out flag is set, ledger writer before that). */
  SOLD_OUT("no units remain"),
  /** Some units remain, but fewer than the request asked for (ledger writer). */
  INSUFFICIENT_STOCK("fewer units remain than requested"),
  /** The sale's window has not opened yet (caller thread). */
  NOT_STARTED("the sale has not started"),
  /** The sale's window has closed (caller thread). */
  ENDED("the sale has ended"),
  /** The user would exceed the sale's per-user limit (ledger writer). */
  LIMIT_REACHED("the per-user limit would be exceeded"),
  /** No sale with the requested id is registered (caller thread). */
  UNKNOWN_SALE("no such sale"),
  /**
   * The engine cannot take the request now: the ring is full (caller thread), or the ledger's
   * bounded stores (users, outbox) are at capacity (ledger writer). Retrying later may succeed.
   */
  OVERLOADED("the engine is at capacity"),
  /**
   * The request is malformed: blank ids, an id holding a control character or an unpaired
   * surrogate, a quantity outside 1..maxPerRequest, or an oversized client address or challenge
   * answer (caller thread). {@link PurchaseRequest#problem()} says which.
   */
  INVALID_REQUEST("the request is malformed"),
  /**
   * The sale requires a purchase token and the request's is missing, malformed, expired, forged,
   * or issued for another user or sale (caller thread). Get a fresh one from
   * {@code SeckillEngine.issueToken}.
   */
  BAD_TOKEN("the purchase token is missing, invalid or expired"),
  /**
   * The user or the client address made more attempts than its throttle window allows (caller
   * thread). Retrying after the window may succeed.
   */
  THROTTLED("too many attempts; slow down"),
  /**
   * The user or the client address is blocked, by an operator or automatically after repeated
   * throttling, until its cool-down ends (caller thread).
   */
  BLOCKED("the user or address is blocked"),
  /**
   * The application's admission policy wants a solved challenge (a captcha): resubmit with
   * {@link PurchaseRequest#withChallengeAnswer(String)} (caller thread).
   */
  CHALLENGE_REQUIRED("solve the challenge and resubmit"),
  /** The application's admission policy refused the request (caller thread). */
  DENIED("refused by the admission policy"),
  /**
   * The application's admission policy threw or returned null; the request was refused and the
   * engine carried on (caller thread). Retrying later may succeed.
   */
  POLICY_FAILED("the admission check failed; retry later"),
  /**
   * Enough units are already in flight to buy the remaining stock several times over (the
   * admission cap: remaining stock times {@code admissionCapFactor}), so the request is refused
   * before the ring (caller thread). Retrying shortly may succeed: the cap follows the stock and
   * the requests still undecided, and admits again as their answers arrive.
   */
  OVERSUBSCRIBED("enough requests are already in flight for the remaining stock; retry shortly"),
  /**
   * No unit is free, but some are reserved and unpaid ({@link Sale#payWithin()}): they come back
   * if their reservations expire or are cancelled, so retrying shortly may succeed (caller thread
   * after the last free unit went, writer before).
   */
  ALL_HELD("every remaining unit is reserved and unpaid; retry shortly"),
  /**
   * The operator paused the sale ({@link SeckillEngine#pauseSale}); decided on the caller's
   * thread, or by the writer for requests already in the ring when the pause took effect.
   * Retrying after the sale is resumed may succeed.
   */
  PAUSED("the sale is paused; retry later"),
  /**
   * Cluster mode: this node has sold every unit it leased, and the sale's remaining units are
   * in the shared pool (the node is taking its next chunk, usually a few milliseconds), leased
   * to other nodes (and not yet sold), or being moved between nodes; retrying shortly,
   * here or on another node, may succeed (caller thread once the node's lease is empty, writer
   * before). {@link #SOLD_OUT} comes only once no node holds an unsold unit. docs/cluster.md.
   */
  LEASED_ELSEWHERE("this node holds none of the remaining units right now (they are in the shared"
      + " pool or leased to other nodes); retry shortly"),
  /**
   * Cluster mode: this node holds no unit to sell because it cannot reach the stock coordinator
   * (its lease lapsed, or it could not get one); retrying shortly, or on another node, may
   * succeed (caller thread once the node's lease is empty, writer before). docs/cluster.md.
   */
  COORDINATOR_UNAVAILABLE("this node cannot reach the stock coordinator; retry shortly"),
  /**
   * Cluster mode, durability PERSISTED: the order was decided by this node's ledger but the
   * coordinator voided it at settlement because the node's lease had been revoked
   * ({@link OrderState#VOIDED}); nothing was bought. Retrying may succeed (decided by the
   * coordinator, delivered by the responder). docs/cluster.md.
   */
  VOIDED("the order was voided: this node lost its lease on the stock; retry");

  private final String description;

  Rejection(String description) {
    this.description = description;
  }

  /**
   * A short human-readable explanation, suitable for an API response.
   *
   * @return a short lower-case English phrase without a final full stop, never null; fixed per
   *     constant, so do not parse it: switch on the constant instead
   */
  public String description() {
    return description;
  }
}
