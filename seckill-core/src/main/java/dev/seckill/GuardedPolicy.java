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
import dev.seckill.Sale;
import dev.seckill.spi.AdmissionDecision;
import dev.seckill.spi.AdmissionPolicy;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A guard around the application's {@link AdmissionPolicy} that contains its failures: a policy
 * that throws or returns null yields {@link Rejection#POLICY_FAILED} for that request and never an
 * exception out of {@code submit}.
 *
 * <p>Threads: safe from any number of caller threads if the policy is. Failures are counted and
 * logged the 1st, 2nd, 4th, 8th... time, so a policy failing on every request cannot flood the
 * log. {@link VirtualMachineError}s (out of memory, stack overflow) are not contained: the JVM
 * is in trouble and the caller must know.
 */
final class GuardedPolicy {
  private static final Logger log = LoggerFactory.getLogger(GuardedPolicy.class);

  private final AdmissionPolicy delegate;
  private final boolean allowAll;
  private final AtomicLong failures = new AtomicLong();

  public GuardedPolicy(AdmissionPolicy delegate) {
    this.delegate = Objects.requireNonNull(delegate, "admissionPolicy");
    this.allowAll = delegate == AdmissionPolicy.allowAll();
  }

  /**
   * Asks the policy: null if it admits, else the {@link Rejection} its answer maps to. Never
   * throws (see class doc).
   */
  public @Nullable Rejection admit(Sale sale, PurchaseRequest request) {
    if (allowAll) {
      return null;
    }
    AdmissionDecision decision;
    try {
      decision = delegate.admit(sale, request);
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable t) { // contain anything else the plug-in throws, checked ones included
      failed(t);
      return Rejection.POLICY_FAILED;
    }
    if (decision == null) {
      failed(null);
      return Rejection.POLICY_FAILED;
    }
    switch (decision) {
      case ALLOW:
        return null;
      case CHALLENGE:
        return Rejection.CHALLENGE_REQUIRED;
      case DENY:
      default:
        return Rejection.DENIED;
    }
  }

  /** Times the policy threw or returned null. */
  public long failures() {
    return failures.get();
  }

  /** The wrapped policy. */
  public AdmissionPolicy delegate() {
    return delegate;
  }

  private void failed(@Nullable Throwable t) {
    long n = failures.incrementAndGet();
    if (Long.bitCount(n) == 1) { // 1st, 2nd, 4th, 8th...: visible without flooding the log
      if (t == null) {
        log.warn("the admission policy {} returned null ({} failures so far); requests are "
            + "refused with POLICY_FAILED", delegate.getClass().getName(), n);
      } else {
        log.warn("the admission policy {} threw ({} failures so far); requests are refused with "
            + "POLICY_FAILED", delegate.getClass().getName(), n, t);
      }
    }
  }
}
