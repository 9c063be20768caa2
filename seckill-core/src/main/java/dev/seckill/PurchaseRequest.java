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

import java.util.Objects;

/**
 * One buyer's request to buy {@code quantity} units of a sale. Immutable and thread-safe.
 *
 * <p>Construction never throws: a malformed request (blank ids, quantity below 1) is answered by
 * the engine with {@link Rejection#INVALID_REQUEST}, so a web layer can pass user input through
 * unchanged and still get a reason back. {@link #problem()} names the field at fault.
 */
public final class PurchaseRequest {
  private final String saleId;
  private final String userId;
  private final int quantity;

  private PurchaseRequest(String saleId, String userId, int quantity) {
    this.saleId = saleId;
    this.userId = userId;
    this.quantity = quantity;
  }

  /** Returns a request; validation happens when it is submitted. */
  public static PurchaseRequest of(String saleId, String userId, int quantity) {
    return new PurchaseRequest(saleId, userId, quantity);
  }

  /** The sale to buy from; may be null or blank in a malformed request. */
  public String saleId() {
    return saleId;
  }

  /** The buyer; the per-user limit is counted against this id. */
  public String userId() {
    return userId;
  }

  /** The number of units requested. */
  public int quantity() {
    return quantity;
  }

  /**
   * Describes what is wrong with this request on its own (without looking at any sale), or
   * returns null if nothing is.
   */
  public String problem() {
    if (saleId == null || saleId.isBlank()) {
      return "saleId must not be blank, was " + quote(saleId);
    }
    if (userId == null || userId.isBlank()) {
      return "userId must not be blank, was " + quote(userId);
    }
    if (userId.length() > MAX_USER_ID_LENGTH) {
      return "userId must be at most " + MAX_USER_ID_LENGTH + " characters, was " + userId.length();
    }
    if (quantity < 1) {
      return "quantity must be at least 1, was " + quantity;
    }
    return null;
  }

  /** The longest user id the ledger accepts. */
  public static final int MAX_USER_ID_LENGTH = 256;

  boolean isWellFormed() {
    return saleId != null
        && userId != null
        && quantity >= 1
        && !saleId.isBlank()
        && !userId.isBlank()
        && userId.length() <= MAX_USER_ID_LENGTH;
  }

  private static String quote(String s) {
    return s == null ? "null" : '"' + s + '"';
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof PurchaseRequest)) {
      return false;
    }
    PurchaseRequest that = (PurchaseRequest) o;
    return quantity == that.quantity
        && Objects.equals(saleId, that.saleId)
        && Objects.equals(userId, that.userId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(saleId, userId, quantity);
  }

  @Override
  public String toString() {
    return "PurchaseRequest{saleId=" + saleId + ", userId=" + userId + ", quantity=" + quantity + '}';
  }
}
