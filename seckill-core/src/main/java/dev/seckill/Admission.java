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

import dev.seckill.AdmissionSettings;
import dev.seckill.PurchaseRequest;
import dev.seckill.Rejection;
import dev.seckill.Sale;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * The admission checks of one engine, made on the caller's thread before the ring: blocklists,
 * throttles, purchase tokens and the application's policy, in that order (cheapest and most
 * abusive first, so a flood is turned away before it costs an HMAC or a policy call).
 *
 * <pre>
 *   submit ─▶ window / sold out ─▶ {@link #screen} (blocked? throttled?) ─▶ {@link #checkToken}
 *          ─▶ {@link #askPolicy} ─▶ admission cap ({@link AdmissionCap}) ─▶ ring
 * </pre>
 *
 * <p>Threads: every method is safe from any number of threads; the checks are lock-free and,
 * for keys already tracked, allocation-free. Manual block changes serialise on the blocklist.
 */
final class Admission {
  private final TokenCodec tokens;
  private final long tokenTtlMillis;
  private final Blocklist userBlocks;
  private final Blocklist addressBlocks;
  /** {@link Throttle#off} when throttling is off. */
  private final Throttle users;
  /** {@link Throttle#off} when throttling is off. */
  private final Throttle addresses;
  private final GuardedPolicy policy;
  private final double capFactor;

  /**
   * Builds the checks from {@code settings}.
   *
   * @param tokenSecret the HMAC key (the settings keep it package-private)
   * @param clock the engine's clock: throttle windows, cool-downs and token expiry read it
   * @param maintenance runs Caffeine's cleanup; {@code Runnable::run} makes it synchronous
   */
  public Admission(AdmissionSettings settings, byte[] tokenSecret, Clock clock, Executor maintenance) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(clock, "clock");
    this.tokens = new TokenCodec(tokenSecret);
    this.tokenTtlMillis = settings.tokenTtl().toMillis();
    boolean throttling = settings.isThrottling();
    this.userBlocks = new Blocklist("user", clock, settings.userCoolDown(),
        settings.maxTrackedUsers(), settings.maxManualBlocks(), maintenance, throttling);
    this.addressBlocks = new Blocklist("address", clock, settings.addressCoolDown(),
        settings.maxTrackedAddresses(), settings.maxManualBlocks(), maintenance, throttling);
    if (throttling) {
      this.users = new Throttle(settings.userAttempts(), settings.userWindow(),
          settings.userStrikes(), settings.userCoolDown(), settings.maxTrackedUsers(), maintenance,
          userBlocks);
      this.addresses = new Throttle(settings.addressAttempts(), settings.addressWindow(),
          settings.addressStrikes(), settings.addressCoolDown(), settings.maxTrackedAddresses(),
          maintenance, addressBlocks);
    } else {
      this.users = Throttle.off(userBlocks);
      this.addresses = Throttle.off(addressBlocks);
    }
    this.policy = new GuardedPolicy(settings.policy());
    this.capFactor = settings.admissionCapFactor();
  }

  /**
   * Blocklists, then throttles, for {@code userId} and (if not null) {@code address}: null if
   * both pass, else BLOCKED or THROTTLED. A blocked key's attempt is not counted; an admitted
   * attempt counts against both the user and the address.
   */
  public @Nullable Rejection screen(String userId, @Nullable String address, long nowMillis) {
    if (userBlocks.isBlocked(userId, nowMillis)
        || (address != null && addressBlocks.isBlocked(address, nowMillis))) {
      return Rejection.BLOCKED;
    }
    Throttle.Verdict user = users.hit(userId, nowMillis);
    Throttle.Verdict addr = address == null ? Throttle.Verdict.ALLOW : addresses.hit(address, nowMillis);
    if (user == Throttle.Verdict.BLOCKED || addr == Throttle.Verdict.BLOCKED) {
      return Rejection.BLOCKED;
    }
    if (user == Throttle.Verdict.THROTTLED || addr == Throttle.Verdict.THROTTLED) {
      return Rejection.THROTTLED;
    }
    return null;
  }

  /** Null if {@code token} is valid for this sale and user at {@code nowMillis}, else BAD_TOKEN. */
  public @Nullable Rejection checkToken(String saleId, String userId, @Nullable String token,
      long nowMillis) {
    return tokens.verify(token, saleId, userId, nowMillis) == TokenCodec.Check.VALID
        ? null : Rejection.BAD_TOKEN;
  }

  /**
   * The guarded application policy: null if it admits, else CHALLENGE_REQUIRED, DENIED or
   * POLICY_FAILED.
   */
  public @Nullable Rejection askPolicy(Sale sale, PurchaseRequest request) {
    return policy.admit(sale, request);
  }

  /** When a token issued at {@code nowMillis} expires (exclusive), saturated. */
  public long tokenExpiry(long nowMillis) {
    long expiry = nowMillis + tokenTtlMillis;
    return expiry < nowMillis ? Long.MAX_VALUE : expiry;
  }

  /** Issues a token for the sale and user, expiring at {@code expiresAtMillis}. */
  public String issueToken(String saleId, String userId, long expiresAtMillis) {
    return tokens.issue(saleId, userId, expiresAtMillis);
  }

  /** The cap factor: units in flight per remaining unit; 0 if the cap is off. */
  public double capFactor() {
    return capFactor;
  }

  /** True if {@code userId} is blocked (manually or automatically) at {@code nowMillis}. */
  public boolean isUserBlocked(String userId, long nowMillis) {
    return userBlocks.isBlocked(userId, nowMillis);
  }

  /** True if {@code address} is blocked (manually or automatically) at {@code nowMillis}. */
  public boolean isAddressBlocked(String address, long nowMillis) {
    return addressBlocks.isBlocked(address, nowMillis);
  }

  /** Blocks a user until {@code untilMillis} ({@link Blocklist#FOREVER}: until unblocked). */
  public void blockUser(String userId, long untilMillis) {
    userBlocks.block(userId, untilMillis);
  }

  /** Blocks an address until {@code untilMillis} ({@link Blocklist#FOREVER}: until unblocked). */
  public void blockAddress(String address, long untilMillis) {
    addressBlocks.block(address, untilMillis);
  }

  /** Lifts every block of a user and forgets their attempts; true if they were blocked. */
  public boolean unblockUser(String userId) {
    users.forget(userId);
    return userBlocks.unblock(userId);
  }

  /** Lifts every block of an address and forgets its attempts; true if it was blocked. */
  public boolean unblockAddress(String address) {
    addresses.forget(address);
    return addressBlocks.unblock(address);
  }

  /** Times the application's policy threw or returned null. */
  public long policyFailures() {
    return policy.failures();
  }

  /** Blocks by user id (metrics). */
  Blocklist userBlocks() {
    return userBlocks;
  }

  /** Blocks by client address (metrics). */
  Blocklist addressBlocks() {
    return addressBlocks;
  }

  /** The per-user throttle (tests, metrics); {@link Throttle#off} when throttling is off. */
  public Throttle userThrottle() {
    return users;
  }

  /** The per-address throttle (tests, metrics); {@link Throttle#off} when throttling is off. */
  public Throttle addressThrottle() {
    return addresses;
  }
}
