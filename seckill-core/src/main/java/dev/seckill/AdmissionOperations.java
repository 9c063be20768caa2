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

import dev.seckill.Operations;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The engine's {@link Operations}: operator actions on its {@link Admission} checks. Checks the
 * arguments (naming the field and the value) and turns durations into deadlines by the engine's
 * clock.
 *
 * <p>Threads: safe from any thread, as {@link Admission} is.
 */
final class AdmissionOperations implements Operations {
  private final Admission admission;
  private final Clock clock;

  public AdmissionOperations(Admission admission, Clock clock) {
    this.admission = Objects.requireNonNull(admission, "admission");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public void blockUser(String userId) {
    admission.blockUser(requireKey(userId, "userId"), Blocklist.FOREVER);
  }

  @Override
  public void blockUser(String userId, Duration duration) {
    admission.blockUser(requireKey(userId, "userId"), until(duration));
  }

  @Override
  public boolean unblockUser(String userId) {
    return admission.unblockUser(requireKey(userId, "userId"));
  }

  @Override
  public boolean isUserBlocked(String userId) {
    return admission.isUserBlocked(requireKey(userId, "userId"), clock.millis());
  }

  @Override
  public void blockAddress(String address) {
    admission.blockAddress(requireKey(address, "address"), Blocklist.FOREVER);
  }

  @Override
  public void blockAddress(String address, Duration duration) {
    admission.blockAddress(requireKey(address, "address"), until(duration));
  }

  @Override
  public boolean unblockAddress(String address) {
    return admission.unblockAddress(requireKey(address, "address"));
  }

  @Override
  public boolean isAddressBlocked(String address) {
    return admission.isAddressBlocked(requireKey(address, "address"), clock.millis());
  }

  @Override
  public long admissionPolicyFailures() {
    return admission.policyFailures();
  }

  /** Now plus {@code duration} by the engine's clock; {@link Blocklist#FOREVER} on overflow. */
  private long until(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("duration must be positive, was " + duration);
    }
    long now = clock.millis();
    try {
      return Math.addExact(now, duration.toMillis());
    } catch (ArithmeticException e) {
      return Blocklist.FOREVER;
    }
  }

  private static String requireKey(String key, String name) {
    if (key == null || key.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank, was "
          + (key == null ? "null" : '"' + key + '"'));
    }
    return key;
  }
}
