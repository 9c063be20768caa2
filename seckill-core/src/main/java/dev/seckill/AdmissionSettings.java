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

import dev.seckill.spi.AdmissionPolicy;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The admission and anti-abuse settings of an engine: purchase tokens, per-user and per-address
 * throttles, automatic and manual blocks, the admission cap and the application's
 * {@link AdmissionPolicy}. Immutable once built; see docs/admission.md.
 *
 * <pre>{@code
 * AdmissionSettings admission = AdmissionSettings.builder()
 *     .tokenSecret(sharedSecretBytes)          // the same on every node
 *     .userThrottle(5, Duration.ofSeconds(1))
 *     .addressThrottle(50, Duration.ofSeconds(1))
 *     .addressBlocking(5, Duration.ofMinutes(5))
 *     .policy(myRiskChecks)
 *     .build();
 * }</pre>
 *
 * <p>Threads: an instance is immutable and may be shared; its {@link Builder} is not
 * thread-safe.
 */
public final class AdmissionSettings {
  /** Default {@link Builder#tokenTtl}: 5 minutes. */
  public static final Duration DEFAULT_TOKEN_TTL = Duration.ofMinutes(5);
  /** Default {@link Builder#userThrottle} attempts per window. */
  public static final int DEFAULT_USER_ATTEMPTS = 5;
  /** Default {@link Builder#addressThrottle} attempts per window. */
  public static final int DEFAULT_ADDRESS_ATTEMPTS = 50;
  /** Default window of both throttles: 1 second. */
  public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(1);
  /** Default {@link Builder#userBlocking} strikes. */
  public static final int DEFAULT_USER_STRIKES = 10;
  /** Default {@link Builder#userBlocking} cool-down: 1 minute. */
  public static final Duration DEFAULT_USER_COOL_DOWN = Duration.ofMinutes(1);
  /** Default {@link Builder#addressBlocking} strikes. */
  public static final int DEFAULT_ADDRESS_STRIKES = 5;
  /** Default {@link Builder#addressBlocking} cool-down: 5 minutes. */
  public static final Duration DEFAULT_ADDRESS_COOL_DOWN = Duration.ofMinutes(5);
  /** Default {@link Builder#maxTrackedUsers} and {@link Builder#maxTrackedAddresses}. */
  public static final long DEFAULT_MAX_TRACKED = 200_000;
  /** Default {@link Builder#maxManualBlocks}. */
  public static final int DEFAULT_MAX_MANUAL_BLOCKS = 100_000;
  /** Default {@link Builder#admissionCapFactor}. */
  public static final double DEFAULT_CAP_FACTOR = 2.0;

  private static final Duration MAX_TTL = Duration.ofDays(1);
  private static final Duration MAX_WINDOW = Duration.ofHours(1);
  private static final Duration MAX_COOL_DOWN = Duration.ofDays(30);

  private final byte[] tokenSecret;
  private final boolean randomSecret;
  private final boolean throttling;
  private final Duration tokenTtl;
  private final int userAttempts;
  private final Duration userWindow;
  private final int userStrikes;
  private final Duration userCoolDown;
  private final int addressAttempts;
  private final Duration addressWindow;
  private final int addressStrikes;
  private final Duration addressCoolDown;
  private final long maxTrackedUsers;
  private final long maxTrackedAddresses;
  private final int maxManualBlocks;
  private final double admissionCapFactor;
  private final AdmissionPolicy policy;

  private AdmissionSettings(Builder b, byte[] secret) {
    this.tokenSecret = secret;
    this.randomSecret = b.tokenSecret == null;
    this.throttling = !b.noThrottling;
    this.tokenTtl = or(b.tokenTtl, DEFAULT_TOKEN_TTL);
    this.userAttempts = b.userAttempts == UNSET ? DEFAULT_USER_ATTEMPTS : b.userAttempts;
    this.userWindow = or(b.userWindow, DEFAULT_WINDOW);
    this.userStrikes = b.userStrikes == UNSET ? DEFAULT_USER_STRIKES : b.userStrikes;
    this.userCoolDown = or(b.userCoolDown, DEFAULT_USER_COOL_DOWN);
    this.addressAttempts = b.addressAttempts == UNSET ? DEFAULT_ADDRESS_ATTEMPTS : b.addressAttempts;
    this.addressWindow = or(b.addressWindow, DEFAULT_WINDOW);
    this.addressStrikes = b.addressStrikes == UNSET ? DEFAULT_ADDRESS_STRIKES : b.addressStrikes;
    this.addressCoolDown = or(b.addressCoolDown, DEFAULT_ADDRESS_COOL_DOWN);
    this.maxTrackedUsers = b.maxTrackedUsers == UNSET ? DEFAULT_MAX_TRACKED : b.maxTrackedUsers;
    this.maxTrackedAddresses =
        b.maxTrackedAddresses == UNSET ? DEFAULT_MAX_TRACKED : b.maxTrackedAddresses;
    this.maxManualBlocks = b.maxManualBlocks == UNSET ? DEFAULT_MAX_MANUAL_BLOCKS : b.maxManualBlocks;
    this.admissionCapFactor = Double.isNaN(b.admissionCapFactor) ? DEFAULT_CAP_FACTOR : b.admissionCapFactor;
    this.policy = b.policy == null ? AdmissionPolicy.allowAll() : b.policy;
  }

  /**
   * Starts configuring admission settings; every setting has a default.
   *
   * @return a new builder with nothing set; {@code build()} on it gives {@link #defaults()}
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The recommended protections with every default: both throttles, automatic blocking and an
   * admission cap of 2.0, a random token secret (generated now) and no policy.
   *
   * @return new settings with every default (a fresh random secret on each call)
   */
  public static AdmissionSettings defaults() {
    return builder().build();
  }

  /**
   * No throttles, no automatic blocking and no admission cap; purchase tokens (random secret)
   * and manual blocks still work. What an engine uses when it is given no admission settings,
   * so an engine behaves as before until protections are asked for.
   *
   * @return new permissive settings (a fresh random secret on each call)
   */
  public static AdmissionSettings permissive() {
    return builder().noThrottling().admissionCapFactor(0).build();
  }

  /** The HMAC key for purchase tokens; a copy. Package-private: the secret stays in the engine. */
  byte[] tokenSecret() {
    return tokenSecret.clone();
  }

  /**
   * True if the token secret was generated at random (tokens work on this engine only).
   *
   * @return true if no {@link Builder#tokenSecret} was set, false if one was
   */
  public boolean hasRandomTokenSecret() {
    return randomSecret;
  }

  /**
   * True if the per-user and per-address throttles (and so automatic blocking) are on; false
   * after {@link Builder#noThrottling()}.
   *
   * @return false if {@link Builder#noThrottling()} was called, true otherwise
   */
  public boolean isThrottling() {
    return throttling;
  }

  /**
   * How long an issued purchase token stays valid.
   *
   * @return the token lifetime, from 1 second to 1 day; {@link #DEFAULT_TOKEN_TTL} unless set
   */
  public Duration tokenTtl() {
    return tokenTtl;
  }

  /**
   * Attempts one user may make per {@link #userWindow()}.
   *
   * @return the per-user attempt limit, 1 to 1,000,000; {@link #DEFAULT_USER_ATTEMPTS} unless
   *     set (not enforced if {@link #isThrottling()} is false)
   */
  public int userAttempts() {
    return userAttempts;
  }

  /**
   * The per-user throttle window.
   *
   * @return the window, 1 ms to 1 hour; {@link #DEFAULT_WINDOW} unless set
   */
  public Duration userWindow() {
    return userWindow;
  }

  /**
   * Overrun windows after which a user is blocked automatically; 0 if never.
   *
   * @return strikes, 0 to 1,000,000; {@link #DEFAULT_USER_STRIKES} unless set
   */
  public int userStrikes() {
    return userStrikes;
  }

  /**
   * How long an automatic user block lasts.
   *
   * @return the cool-down, 1 second to 30 days; {@link #DEFAULT_USER_COOL_DOWN} unless set
   */
  public Duration userCoolDown() {
    return userCoolDown;
  }

  /**
   * Attempts one client address may make per {@link #addressWindow()}.
   *
   * @return the per-address attempt limit, 1 to 1,000,000; {@link #DEFAULT_ADDRESS_ATTEMPTS}
   *     unless set (not enforced if {@link #isThrottling()} is false)
   */
  public int addressAttempts() {
    return addressAttempts;
  }

  /**
   * The per-address throttle window.
   *
   * @return the window, 1 ms to 1 hour; {@link #DEFAULT_WINDOW} unless set
   */
  public Duration addressWindow() {
    return addressWindow;
  }

  /**
   * Overrun windows after which an address is blocked automatically; 0 if never.
   *
   * @return strikes, 0 to 1,000,000; {@link #DEFAULT_ADDRESS_STRIKES} unless set
   */
  public int addressStrikes() {
    return addressStrikes;
  }

  /**
   * How long an automatic address block lasts.
   *
   * @return the cool-down, 1 second to 30 days; {@link #DEFAULT_ADDRESS_COOL_DOWN} unless set
   */
  public Duration addressCoolDown() {
    return addressCoolDown;
  }

  /**
   * The most users whose attempts are tracked at once (and the most automatic user blocks).
   *
   * @return the bound, 16 to 100,000,000; {@link #DEFAULT_MAX_TRACKED} unless set
   */
  public long maxTrackedUsers() {
    return maxTrackedUsers;
  }

  /**
   * The most addresses whose attempts are tracked at once (and the most automatic blocks).
   *
   * @return the bound, 16 to 100,000,000; {@link #DEFAULT_MAX_TRACKED} unless set
   */
  public long maxTrackedAddresses() {
    return maxTrackedAddresses;
  }

  /**
   * The most manual blocks per kind (users, addresses).
   *
   * @return the bound, 1 to 10,000,000; {@link #DEFAULT_MAX_MANUAL_BLOCKS} unless set
   */
  public int maxManualBlocks() {
    return maxManualBlocks;
  }

  /**
   * Units in flight allowed per unit of remaining stock; 0 if the admission cap is off.
   *
   * @return 0, or a factor from 1.0 to 1,000,000; {@link #DEFAULT_CAP_FACTOR} unless set
   */
  public double admissionCapFactor() {
    return admissionCapFactor;
  }

  /**
   * The application's admission policy; {@link AdmissionPolicy#allowAll()} by default.
   *
   * @return the policy; never null
   */
  public AdmissionPolicy policy() {
    return policy;
  }

  @Override
  public String toString() {
    return "AdmissionSettings{tokenSecret=" + (randomSecret ? "random" : "configured")
        + ", tokenTtl=" + tokenTtl + ", throttling=" + throttling + ", userThrottle=" + userAttempts + "/" + userWindow
        + ", userBlocking=" + userStrikes + " strikes/" + userCoolDown
        + ", addressThrottle=" + addressAttempts + "/" + addressWindow
        + ", addressBlocking=" + addressStrikes + " strikes/" + addressCoolDown
        + ", maxTrackedUsers=" + maxTrackedUsers + ", maxTrackedAddresses=" + maxTrackedAddresses
        + ", maxManualBlocks=" + maxManualBlocks + ", admissionCapFactor=" + admissionCapFactor
        + ", policy=" + policy.getClass().getName() + '}';
  }

  private static <T> T or(@Nullable T value, T fallback) {
    return value == null ? fallback : value;
  }

  private static final int UNSET = -1;

  /**
   * Builds {@link AdmissionSettings}. Each setter rejects a bad value at once with an
   * {@link IllegalArgumentException} naming the setting and the value, and a second call with an
   * {@link IllegalStateException}; {@link #build()} checks the settings that depend on each other.
   * Not thread-safe.
   */
  public static final class Builder {
    private byte @Nullable [] tokenSecret;
    private @Nullable Duration tokenTtl;
    private int userAttempts = UNSET;
    private @Nullable Duration userWindow;
    private int userStrikes = UNSET;
    private @Nullable Duration userCoolDown;
    private int addressAttempts = UNSET;
    private @Nullable Duration addressWindow;
    private int addressStrikes = UNSET;
    private @Nullable Duration addressCoolDown;
    private long maxTrackedUsers = UNSET;
    private long maxTrackedAddresses = UNSET;
    private int maxManualBlocks = UNSET;
    private double admissionCapFactor = Double.NaN;
    private @Nullable AdmissionPolicy policy;
    private boolean noThrottling;

    private Builder() {}

    /**
     * The HMAC-SHA256 key that signs purchase tokens (copied), at least 32 bytes. Engines with
     * the same secret accept each other's tokens, so give every node of one application the
     * same secret. Default: 32 random bytes, so tokens work only on the engine that issued them.
     *
     * @param secret the key bytes, at least 32 (copied, so later changes to the array do not
     *     matter); not null
     * @return this builder
     */
    public Builder tokenSecret(byte[] secret) {
      Require.setOnce(tokenSecret == null, "tokenSecret", tokenSecret == null ? null : "<secret>");
      Objects.requireNonNull(secret, "tokenSecret");
      if (secret.length < 32) {
        throw new IllegalArgumentException(
            "tokenSecret must be at least 32 bytes, was " + secret.length + " bytes");
      }
      this.tokenSecret = secret.clone();
      return this;
    }

    /**
     * How long an issued token stays valid; default 5 minutes, from 1 second to 1 day.
     *
     * @param ttl the token lifetime, measured by the engine's clock from issue; 1 second to 1 day
     * @return this builder
     */
    public Builder tokenTtl(Duration ttl) {
      Require.setOnce(tokenTtl == null, "tokenTtl", tokenTtl);
      this.tokenTtl = Require.between("tokenTtl", ttl, Duration.ofSeconds(1), MAX_TTL);
      return this;
    }

    /**
     * At most {@code attempts} purchase attempts per user per {@code window}; beyond them
     * {@code THROTTLED}. Default 5 per second. Attempts 1..1,000,000; window 1ms..1 hour.
     *
     * @param attempts attempts allowed per user per window, 1 to 1,000,000
     * @param window the throttle window, 1 ms to 1 hour
     * @return this builder
     */
    public Builder userThrottle(int attempts, Duration window) {
      Require.setOnce(userAttempts == UNSET, "userThrottle", userAttempts + "/" + userWindow);
      Duration w = Require.between("userThrottle window", window, Duration.ofMillis(1), MAX_WINDOW);
      this.userAttempts = attempts("userThrottle attempts", attempts);
      this.userWindow = w;
      return this;
    }

    /**
     * A user who overruns the throttle in {@code strikes} windows is blocked for
     * {@code coolDown} ({@code BLOCKED}). Default 10 strikes, 1 minute. Strikes 0..1,000,000
     * (0: never block automatically); cool-down 1 second..30 days.
     *
     * @param strikes overrun windows before an automatic block, 0 (never) to 1,000,000
     * @param coolDown how long the automatic block lasts, 1 second to 30 days, and at least the
     *     user throttle's window when strikes is not 0 (checked by {@link #build()})
     * @return this builder
     */
    public Builder userBlocking(int strikes, Duration coolDown) {
      Require.setOnce(userStrikes == UNSET, "userBlocking", userStrikes + "/" + userCoolDown);
      Duration c = Require.between("userBlocking coolDown", coolDown,
          Duration.ofSeconds(1), MAX_COOL_DOWN);
      this.userStrikes = strikes("userBlocking strikes", strikes);
      this.userCoolDown = c;
      return this;
    }

    /**
     * At most {@code attempts} per client address per {@code window}; beyond them
     * {@code THROTTLED}. Requests without an address skip this check. Default 50 per second
     * (addresses are shared behind NAT). Attempts 1..1,000,000; window 1ms..1 hour.
     *
     * @param attempts attempts allowed per client address per window, 1 to 1,000,000
     * @param window the throttle window, 1 ms to 1 hour
     * @return this builder
     */
    public Builder addressThrottle(int attempts, Duration window) {
      Require.setOnce(addressAttempts == UNSET, "addressThrottle",
          addressAttempts + "/" + addressWindow);
      Duration w = Require.between("addressThrottle window", window,
          Duration.ofMillis(1), MAX_WINDOW);
      this.addressAttempts = attempts("addressThrottle attempts", attempts);
      this.addressWindow = w;
      return this;
    }

    /**
     * An address that overruns the throttle in {@code strikes} windows is blocked for
     * {@code coolDown} ({@code BLOCKED}). Default 5 strikes, 5 minutes. Strikes 0..1,000,000
     * (0: never block automatically); cool-down 1 second..30 days.
     *
     * @param strikes overrun windows before an automatic block, 0 (never) to 1,000,000
     * @param coolDown how long the automatic block lasts, 1 second to 30 days, and at least the
     *     address throttle's window when strikes is not 0 (checked by {@link #build()})
     * @return this builder
     */
    public Builder addressBlocking(int strikes, Duration coolDown) {
      Require.setOnce(addressStrikes == UNSET, "addressBlocking",
          addressStrikes + "/" + addressCoolDown);
      Duration c = Require.between("addressBlocking coolDown", coolDown,
          Duration.ofSeconds(1), MAX_COOL_DOWN);
      this.addressStrikes = strikes("addressBlocking strikes", strikes);
      this.addressCoolDown = c;
      return this;
    }

    /**
     * Turns both throttles off, and with them automatic blocking: no attempt is counted, no
     * {@code THROTTLED} is answered. Contradicts the throttle and blocking settings.
     *
     * @return this builder
     */
    public Builder noThrottling() {
      Require.setOnce(!noThrottling, "noThrottling", true);
      this.noThrottling = true;
      return this;
    }

    /**
     * The most users tracked by the throttle at once, and the most automatic user blocks; the
     * least useful (W-TinyLFU) are forgotten beyond it. Default 200,000; 16..100,000,000.
     *
     * @param max the bound on tracked users, 16 to 100,000,000
     * @return this builder
     */
    public Builder maxTrackedUsers(long max) {
      Require.setOnce(maxTrackedUsers == UNSET, "maxTrackedUsers", maxTrackedUsers);
      this.maxTrackedUsers = tracked("maxTrackedUsers", max);
      return this;
    }

    /**
     * As {@link #maxTrackedUsers}, for client addresses. Default 200,000; 16..100,000,000.
     *
     * @param max the bound on tracked client addresses, 16 to 100,000,000
     * @return this builder
     */
    public Builder maxTrackedAddresses(long max) {
      Require.setOnce(maxTrackedAddresses == UNSET, "maxTrackedAddresses", maxTrackedAddresses);
      this.maxTrackedAddresses = tracked("maxTrackedAddresses", max);
      return this;
    }

    /**
     * The most manual blocks per kind (users, addresses); blocking one more throws
     * {@link IllegalStateException}. Default 100,000; 1..10,000,000.
     *
     * @param max the bound on manual blocks of each kind, 1 to 10,000,000
     * @return this builder
     */
    public Builder maxManualBlocks(int max) {
      Require.setOnce(maxManualBlocks == UNSET, "maxManualBlocks", maxManualBlocks);
      if (max < 1 || max > 10_000_000) {
        throw new IllegalArgumentException("maxManualBlocks must be between 1 and 10000000, was " + max);
      }
      this.maxManualBlocks = max;
      return this;
    }

    /**
     * Refuse a request early ({@code OVERSUBSCRIBED}) once the units already in flight for its
     * sale would exceed the remaining stock times {@code factor}. Default 2.0; 0 turns the cap
     * off, otherwise 1.0..1,000,000 (below 1 could refuse buyers for stock nobody is buying).
     *
     * @param factor 0 for no cap, or 1.0 to 1,000,000
     * @return this builder
     */
    public Builder admissionCapFactor(double factor) {
      Require.setOnce(Double.isNaN(admissionCapFactor), "admissionCapFactor", admissionCapFactor);
      if (!(factor == 0 || (factor >= 1.0 && factor <= 1_000_000))) {
        throw new IllegalArgumentException(
            "admissionCapFactor must be 0 (off) or between 1.0 and 1000000, was " + factor);
      }
      this.admissionCapFactor = factor;
      return this;
    }

    /**
     * The application's risk hook, asked for every request that passes the engine's own
     * checks; default {@link AdmissionPolicy#allowAll()}. See {@link AdmissionPolicy} for its
     * contract; failures are contained.
     *
     * @param policy the policy; not null
     * @return this builder
     */
    public Builder policy(AdmissionPolicy policy) {
      Require.setOnce(this.policy == null, "policy", this.policy);
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Returns the settings, generating a random token secret if none was set.
     *
     * @return new immutable settings (with a fresh random secret on each call if none was set)
     * @throws IllegalArgumentException if a blocking cool-down is shorter than its throttle's
     *     window while blocking is on (the block would end before the window it punishes), or
     *     {@link #noThrottling()} was combined with a throttle or blocking setting
     */
    public AdmissionSettings build() {
      if (noThrottling) {
        String contradicted = userAttempts != UNSET ? "userThrottle"
            : addressAttempts != UNSET ? "addressThrottle"
            : userStrikes != UNSET ? "userBlocking"
            : addressStrikes != UNSET ? "addressBlocking" : null;
        if (contradicted != null) {
          throw new IllegalArgumentException(
              "noThrottling() contradicts " + contradicted + "(...): choose one");
        }
      }
      Duration uWindow = or(userWindow, DEFAULT_WINDOW);
      Duration uCool = or(userCoolDown, DEFAULT_USER_COOL_DOWN);
      int uStrikes = userStrikes == UNSET ? DEFAULT_USER_STRIKES : userStrikes;
      if (uStrikes > 0 && uCool.compareTo(uWindow) < 0) {
        throw new IllegalArgumentException("userBlocking coolDown must be at least the userThrottle "
            + "window (" + uWindow + "), was " + uCool);
      }
      Duration aWindow = or(addressWindow, DEFAULT_WINDOW);
      Duration aCool = or(addressCoolDown, DEFAULT_ADDRESS_COOL_DOWN);
      int aStrikes = addressStrikes == UNSET ? DEFAULT_ADDRESS_STRIKES : addressStrikes;
      if (aStrikes > 0 && aCool.compareTo(aWindow) < 0) {
        throw new IllegalArgumentException("addressBlocking coolDown must be at least the "
            + "addressThrottle window (" + aWindow + "), was " + aCool);
      }
      byte[] secret = tokenSecret;
      if (secret == null) {
        secret = new byte[32];
        new SecureRandom().nextBytes(secret);
      }
      return new AdmissionSettings(this, secret.clone());
    }

    private static int attempts(String setting, int n) {
      return (int) Require.between(setting, n, 1, 1_000_000);
    }

    private static int strikes(String setting, int n) {
      return (int) Require.between(setting, n, 0, 1_000_000);
    }

    private static long tracked(String setting, long n) {
      return Require.between(setting, n, 16, 100_000_000);
    }
  }
}
