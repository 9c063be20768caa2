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
import org.jspecify.annotations.Nullable;

/**
 * One buyer's request to buy {@code quantity} units of a sale, with what admission needs: the
 * purchase token, the client's address and a solved challenge. Immutable and thread-safe.
 *
 * <pre>{@code
 * PurchaseRequest r = PurchaseRequest.of("phone-42", "user-7", 1)
 *     .withToken(tokenFromTheOrderForm)        // if the sale requires tokens
 *     .withClientAddress(http.getRemoteAddr()) // for the per-address throttle and blocks
 *     .withChallengeAnswer(solvedCaptcha)      // after a CHALLENGE_REQUIRED answer
 *     .withRequestId(clickId);                 // a retry with the same id: the same order
 * }</pre>
 *
 * <p>Construction never throws: a malformed request (blank ids, ids holding a character no order
 * store can keep, quantity below 1, an oversized address or challenge answer) is answered by the
 * engine with {@link Rejection#INVALID_REQUEST},
 * so a web layer can pass user input through unchanged and still get a reason back.
 * {@link #problem()} names the field at fault for the checks that need no sale;
 * {@link #problem(Sale)} (or {@link SeckillEngine#problem(PurchaseRequest)}) adds the checks
 * against the sale, such as a quantity above its {@link Sale#maxPerRequest()}.
 */
public final class PurchaseRequest {
  /**
   * The longest user id the ledger accepts, in UTF-16 chars. Besides its length, a user id (like
   * a sale id) must hold no ISO control character (U+0000..U+001F, U+007F..U+009F: NUL, tab,
   * newline, DEL, the C1 controls) and no unpaired surrogate: PostgreSQL refuses NUL, and the
   * JDBC drivers turn a lone surrogate into {@code ?}, so such an id could not be stored as the
   * ledger holds it. Surrogate pairs (an emoji, say) are fine.
   */
  public static final int MAX_USER_ID_LENGTH = 256;
  /** The longest client address accepted (a textual IPv6 address with a zone fits). */
  public static final int MAX_CLIENT_ADDRESS_LENGTH = 64;
  /** The longest challenge answer accepted. */
  public static final int MAX_CHALLENGE_ANSWER_LENGTH = 1024;
  /**
   * The longest request id accepted, in UTF-16 chars; like a user id it must not be blank and
   * must hold no control character or unpaired surrogate (see {@link #withRequestId}).
   */
  public static final int MAX_REQUEST_ID_LENGTH = 128;

  private final @Nullable String saleId;
  private final @Nullable String userId;
  private final int quantity;
  private final @Nullable String token;
  private final @Nullable String clientAddress;
  private final @Nullable String challengeAnswer;
  private final @Nullable String requestId;

  private PurchaseRequest(@Nullable String saleId, @Nullable String userId, int quantity,
      @Nullable String token, @Nullable String clientAddress, @Nullable String challengeAnswer,
      @Nullable String requestId) {
    this.saleId = saleId;
    this.userId = userId;
    this.quantity = quantity;
    this.token = token;
    this.clientAddress = clientAddress;
    this.challengeAnswer = challengeAnswer;
    this.requestId = requestId;
  }

  /**
   * Returns a request; validation happens when it is submitted.
   *
   * @param saleId the id of the sale to buy from; should be a registered sale's id
   * @param userId the buyer's id, against which the per-user limit is counted; should be 1 to
   *     {@link #MAX_USER_ID_LENGTH} chars, not blank, storable
   * @param quantity units to buy; should be from 1 to the sale's {@link Sale#maxPerRequest()}
   * @return a new request without token, client address or challenge answer; never null, even
   *     for bad arguments (see {@link #problem()})
   */
  public static PurchaseRequest of(@Nullable String saleId, @Nullable String userId,
      int quantity) {
    return new PurchaseRequest(saleId, userId, quantity, null, null, null, null);
  }

  /**
   * This request carrying {@code token}, the purchase token from
   * {@link SeckillEngine#issueToken}; null for none.
   *
   * @param token the token string as issued (see {@link TokenGrant#token()}), or null
   * @return a new request equal to this one except for the token
   */
  public PurchaseRequest withToken(@Nullable String token) {
    return new PurchaseRequest(saleId, userId, quantity, token, clientAddress, challengeAnswer,
        requestId);
  }

  /**
   * This request carrying the client's network address (as the web layer sees it, e.g.
   * {@code "203.0.113.7"}), counted by the per-address throttle and checked against address
   * blocks; null for none (those checks are skipped).
   *
   * @param clientAddress the address as text, 1 to {@link #MAX_CLIENT_ADDRESS_LENGTH} chars and
   *     not blank, or null
   * @return a new request equal to this one except for the client address
   */
  public PurchaseRequest withClientAddress(@Nullable String clientAddress) {
    return new PurchaseRequest(saleId, userId, quantity, token, clientAddress, challengeAnswer,
        requestId);
  }

  /**
   * This request carrying the buyer's answer to a challenge (a captcha), for the application's
   * {@link dev.seckill.spi.AdmissionPolicy} to verify; null for none.
   *
   * @param challengeAnswer the answer as the buyer gave it, at most
   *     {@link #MAX_CHALLENGE_ANSWER_LENGTH} chars, or null
   * @return a new request equal to this one except for the challenge answer
   */
  public PurchaseRequest withChallengeAnswer(@Nullable String challengeAnswer) {
    return new PurchaseRequest(saleId, userId, quantity, token, clientAddress, challengeAnswer,
        requestId);
  }

  /**
   * This request carrying an idempotency key chosen by the client (a UUID made when the buyer
   * clicked, say); null for none. A request submitted again with the same request id for the same
   * sale (after a timeout, a double click, a load balancer's retry, from any thread or after a
   * restart) is answered with the decision of the first one that was <em>confirmed</em>: the same
   * order id, never a second order and never {@link Rejection#LIMIT_REACHED} for the buyer's own
   * order. The same request id with another user or quantity is refused with
   * {@link Rejection#INVALID_REQUEST}. A refused request is not remembered: resubmitting it is
   * decided afresh. Confirmations are remembered for at least
   * {@link SeckillEngine.Builder#requestIdRetention} and at most
   * {@link SeckillEngine.Builder#maxRequestIdsPerShard} per window; see docs/retries.md.
   *
   * @param requestId 1 to {@link #MAX_REQUEST_ID_LENGTH} chars, not blank, no control character
   *     or unpaired surrogate; or null. A bad one is answered {@link Rejection#INVALID_REQUEST}
   *     when the request is submitted, as for the other fields ({@link #problem()} names it)
   * @return a new request equal to this one except for the request id
   */
  public PurchaseRequest withRequestId(@Nullable String requestId) {
    return new PurchaseRequest(saleId, userId, quantity, token, clientAddress, challengeAnswer,
        requestId);
  }

  /**
   * The client's idempotency key, or null.
   *
   * @return the id given to {@link #withRequestId}, or null if none was
   */
  public @Nullable String requestId() {
    return requestId;
  }

  /**
   * The sale to buy from; may be null or blank in a malformed request.
   *
   * @return the sale id as given to {@link #of}; possibly null
   */
  public @Nullable String saleId() {
    return saleId;
  }

  /**
   * The buyer; the per-user limit is counted against this id.
   *
   * @return the user id as given to {@link #of}; possibly null or blank in a malformed request
   */
  public @Nullable String userId() {
    return userId;
  }

  /**
   * The number of units requested.
   *
   * @return the quantity as given to {@link #of}; below 1 only in a malformed request
   */
  public int quantity() {
    return quantity;
  }

  /**
   * The purchase token, or null.
   *
   * @return the token given to {@link #withToken}, or null if none was
   */
  public @Nullable String token() {
    return token;
  }

  /**
   * The client's address, or null.
   *
   * @return the address given to {@link #withClientAddress}, or null if none was
   */
  public @Nullable String clientAddress() {
    return clientAddress;
  }

  /**
   * The buyer's answer to a challenge, or null.
   *
   * @return the answer given to {@link #withChallengeAnswer}, or null if none was
   */
  public @Nullable String challengeAnswer() {
    return challengeAnswer;
  }

  /**
   * Describes what is wrong with this request on its own (without looking at any sale), or
   * returns null if nothing is. The token is not checked here: a bad one is
   * {@link Rejection#BAD_TOKEN}.
   *
   * @return null if the request is well-formed; otherwise one English sentence naming the first
   *     field at fault and its value (e.g. {@code quantity must be at least 1, was 0}), with
   *     unstorable characters escaped and oversized values given by length only
   */
  public @Nullable String problem() {
    if (saleId == null || saleId.isBlank()) {
      return "saleId must not be blank, was " + quote(saleId);
    }
    int bad = firstUnstorable(saleId);
    if (bad >= 0) {
      return unstorable("saleId", saleId, bad);
    }
    if (userId == null || userId.isBlank()) {
      return "userId must not be blank, was " + quote(userId);
    }
    if (userId.length() > MAX_USER_ID_LENGTH) {
      return "userId must be at most " + MAX_USER_ID_LENGTH + " characters, was " + userId.length();
    }
    bad = firstUnstorable(userId);
    if (bad >= 0) {
      return unstorable("userId", userId, bad);
    }
    if (quantity < 1) {
      return "quantity must be at least 1, was " + quantity;
    }
    if (clientAddress != null && (clientAddress.isBlank()
        || clientAddress.length() > MAX_CLIENT_ADDRESS_LENGTH)) {
      return "clientAddress must be null or 1 to " + MAX_CLIENT_ADDRESS_LENGTH
          + " characters, not blank, was " + (clientAddress.length() > MAX_CLIENT_ADDRESS_LENGTH
              ? clientAddress.length() + " characters" : quote(clientAddress));
    }
    if (challengeAnswer != null && challengeAnswer.length() > MAX_CHALLENGE_ANSWER_LENGTH) {
      return "challengeAnswer must be at most " + MAX_CHALLENGE_ANSWER_LENGTH + " characters, was "
          + challengeAnswer.length();
    }
    if (requestId != null) {
      if (requestId.isBlank()) {
        return "requestId must be null or not blank, was " + quote(requestId);
      }
      if (requestId.length() > MAX_REQUEST_ID_LENGTH) {
        return "requestId must be at most " + MAX_REQUEST_ID_LENGTH + " characters, was "
            + requestId.length();
      }
      bad = firstUnstorable(requestId);
      if (bad >= 0) {
        return unstorable("requestId", requestId, bad);
      }
    }
    return null;
  }

  /**
   * Describes what is wrong with this request for {@code sale}, or returns null if nothing is:
   * every check of {@link #problem()}, then the quantity against the sale's
   * {@link Sale#maxPerRequest()}. Null exactly when the engine would not answer
   * {@link Rejection#INVALID_REQUEST} for this request to this sale.
   *
   * @param sale the sale the request would be submitted to; not null (its id is not compared
   *     with {@link #saleId()})
   * @return null if the request is valid for {@code sale}; otherwise a sentence naming the field
   *     at fault and its value, as {@link #problem()}
   * @throws NullPointerException if {@code sale} is null
   */
  public @Nullable String problem(Sale sale) {
    Objects.requireNonNull(sale, "sale");
    String problem = problem();
    if (problem == null && quantity > sale.maxPerRequest()) {
      return "quantity must be at most the maxPerRequest of sale '" + sale.id() + "' ("
          + sale.maxPerRequest() + "), was " + quantity;
    }
    return problem;
  }

  boolean isWellFormed() {
    return saleId != null
        && userId != null
        && quantity >= 1
        && !saleId.isBlank()
        && !userId.isBlank()
        && userId.length() <= MAX_USER_ID_LENGTH
        && (clientAddress == null
            || (clientAddress.length() <= MAX_CLIENT_ADDRESS_LENGTH && !clientAddress.isBlank()))
        && (challengeAnswer == null || challengeAnswer.length() <= MAX_CHALLENGE_ANSWER_LENGTH)
        && (requestId == null || (requestId.length() <= MAX_REQUEST_ID_LENGTH
            && !requestId.isBlank() && firstUnstorable(requestId) < 0))
        && firstUnstorable(userId) < 0
        && firstUnstorable(saleId) < 0;
  }

  /** True if {@code userId} would pass this class's checks: not blank, not too long, storable. */
  static boolean isValidUserId(@Nullable String userId) {
    return userId != null && !userId.isBlank() && userId.length() <= MAX_USER_ID_LENGTH
        && firstUnstorable(userId) < 0;
  }

  /**
   * The index of the first char of {@code s} that no order store can keep as it is, or -1: an
   * ISO control character (U+0000..U+001F, U+007F..U+009F) or a surrogate that is not half of a
   * high-low pair. One pass over the chars, no allocation.
   */
  static int firstUnstorable(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x7f) {
        continue; // printable ASCII: the common case
      }
      if (c < 0x20 || c <= 0x9f) {
        return i; // C0 control, DEL, C1 control
      }
      if (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE) {
        if (c <= Character.MAX_HIGH_SURROGATE && i + 1 < n
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++; // a valid pair: one supplementary code point
          continue;
        }
        return i;
      }
    }
    return -1;
  }

  /**
   * Names what is wrong at {@code index} of {@code value} (found by {@link #firstUnstorable}),
   * e.g. <code>userId contains a control character U+0000 at index 3 (...), was "abc&#92;u0000"</code>; the
   * value is shown with such chars escaped.
   */
  static String unstorable(String field, String value, int index) {
    char c = value.charAt(index);
    String what = !Character.isSurrogate(c) ? "a control character"
        : Character.isHighSurrogate(c) ? "an unpaired high surrogate"
        : "an unpaired low surrogate";
    return field + " contains " + what + " " + codePoint(c) + " at index " + index
        + " (control characters and unpaired surrogates cannot be stored), was \""
        + escaped(value) + '"';
  }

  private static String codePoint(char c) {
    return String.format("U+%04X", (int) c);
  }

  /** {@code value} with every char {@link #firstUnstorable} would refuse written as <code>&#92;uXXXX</code>. */
  private static String escaped(String value) {
    StringBuilder sb = new StringBuilder(value.length() + 16);
    int from = 0;
    int bad;
    while ((bad = firstUnstorable(value.substring(from))) >= 0) {
      int at = from + bad;
      sb.append(value, from, at).append(String.format("\\u%04X", (int) value.charAt(at)));
      from = at + 1;
    }
    return sb.append(value, from, value.length()).toString();
  }

  private static String quote(@Nullable String s) {
    return s == null ? "null" : '"' + s + '"';
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof PurchaseRequest that)) {
      return false;
    }
    return quantity == that.quantity
        && Objects.equals(saleId, that.saleId)
        && Objects.equals(userId, that.userId)
        && Objects.equals(token, that.token)
        && Objects.equals(clientAddress, that.clientAddress)
        && Objects.equals(challengeAnswer, that.challengeAnswer)
        && Objects.equals(requestId, that.requestId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(saleId, userId, quantity, token, clientAddress, challengeAnswer, requestId);
  }

  /** Names the fields; the token and the challenge answer are credentials, shown only as present. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("PurchaseRequest{saleId=").append(saleId)
        .append(", userId=").append(userId).append(", quantity=").append(quantity);
    if (token != null) {
      sb.append(", token=<present>");
    }
    if (clientAddress != null) {
      sb.append(", clientAddress=").append(clientAddress);
    }
    if (challengeAnswer != null) {
      sb.append(", challengeAnswer=<present>");
    }
    if (requestId != null) {
      sb.append(", requestId=").append(requestId);
    }
    return sb.append('}').toString();
  }
}
