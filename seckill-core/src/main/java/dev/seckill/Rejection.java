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
  /** The request is malformed: blank ids, or a quantity outside 1..maxPerRequest (caller thread). */
  INVALID_REQUEST("the request is malformed");

  private final String description;

  Rejection(String description) {
    this.description = description;
  }

  /** A short human-readable explanation, suitable for an API response. */
  public String description() {
    return description;
  }
}
