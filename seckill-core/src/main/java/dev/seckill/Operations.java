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

import java.time.Duration;

/**
 * What an operator does to a running engine, apart from selling: block and unblock buyers and
 * client addresses, and watch the application's admission policy. Reached through
 * {@link SeckillEngine#operations()}, in the style of Caffeine's {@code cache.policy()}, so the
 * engine's own surface stays about sales.
 *
 * <pre>{@code
 * engine.operations().blockUser("mallory", Duration.ofHours(1));
 * }</pre>
 *
 * <p>Blocks are refused with {@link Rejection#BLOCKED} and get no purchase token; they live in
 * memory only (a restart forgets them). Durations are measured by the engine's clock. See
 * docs/admission.md.
 *
 * <p>Threads: every method is safe from any number of threads. Changes to the manual blocklists
 * serialise among themselves; checks never wait for them.
 */
public interface Operations {
  /**
   * Blocks {@code userId} until {@link #unblockUser} ({@link Rejection#BLOCKED}, and no tokens).
   *
   * @param userId the buyer's id, exactly as sent in {@link PurchaseRequest}; not null or blank
   * @throws IllegalArgumentException if {@code userId} is null or blank
   * @throws IllegalStateException if the manual blocklist is full
   *     ({@link AdmissionSettings#maxManualBlocks()})
   */
  void blockUser(String userId);

  /**
   * Blocks {@code userId} for {@code duration} from now by the engine's clock, or until
   * {@link #unblockUser}. Replaces an earlier manual block of the same user.
   *
   * @param userId the buyer's id, exactly as sent in {@link PurchaseRequest}; not null or blank
   * @param duration how long the block lasts; positive
   * @throws IllegalArgumentException if {@code userId} is blank or {@code duration} is not positive
   * @throws IllegalStateException if the manual blocklist is full
   */
  void blockUser(String userId, Duration duration);

  /**
   * Lifts every block of {@code userId}, manual and automatic, and forgets their attempts.
   *
   * @param userId the buyer's id, exactly as sent in {@link PurchaseRequest}
   * @return true if the user was blocked; false if there was nothing to lift
   */
  boolean unblockUser(String userId);

  /**
   * True if {@code userId} is blocked now, manually or automatically.
   *
   * @param userId the buyer's id, exactly as sent in {@link PurchaseRequest}
   * @return true if a manual or automatic block of this user is in force now, by the engine's
   *     clock (the user's requests to an open sale are then refused with
   *     {@link Rejection#BLOCKED})
   */
  boolean isUserBlocked(String userId);

  /**
   * Blocks a client address (as passed in {@link PurchaseRequest#withClientAddress}) until
   * {@link #unblockAddress}.
   *
   * @param address the client address, as passed to {@link PurchaseRequest#withClientAddress};
   *     not null or blank
   * @throws IllegalArgumentException if {@code address} is null or blank
   * @throws IllegalStateException if the manual blocklist is full
   */
  void blockAddress(String address);

  /**
   * Blocks a client address for {@code duration} from now by the engine's clock, or until
   * {@link #unblockAddress}.
   *
   * @param address the client address, as passed to {@link PurchaseRequest#withClientAddress};
   *     not null or blank
   * @param duration how long the block lasts; positive
   * @throws IllegalArgumentException if {@code address} is blank or {@code duration} is not positive
   * @throws IllegalStateException if the manual blocklist is full
   */
  void blockAddress(String address, Duration duration);

  /**
   * Lifts every block of a client address and forgets its attempts.
   *
   * @param address the client address, as passed to {@link PurchaseRequest#withClientAddress}
   * @return true if the address was blocked; false if there was nothing to lift
   */
  boolean unblockAddress(String address);

  /**
   * True if a client address is blocked now, manually or automatically.
   *
   * @param address the client address, as passed to {@link PurchaseRequest#withClientAddress}
   * @return true if a manual or automatic block of this address is in force now, by the
   *     engine's clock (requests from it to an open sale are then refused with
   *     {@link Rejection#BLOCKED})
   */
  boolean isAddressBlocked(String address);

  /**
   * Times the application's {@link dev.seckill.spi.AdmissionPolicy} threw or returned null.
   *
   * @return the count since the engine started (not persisted), at least 0; each such failure
   *     refused its request with {@link Rejection#POLICY_FAILED}
   */
  long admissionPolicyFailures();
}
