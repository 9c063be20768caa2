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

import static org.assertj.core.api.Assertions.assertThat;

import dev.seckill.PurchaseRequest;
import dev.seckill.Rejection;
import dev.seckill.Sale;
import dev.seckill.spi.AdmissionDecision;
import dev.seckill.spi.AdmissionPolicy;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The guard around the application's policy: answers mapped, failures contained. */
class GuardedPolicyTest {
  static final Sale SALE = Sale.builder("phone").stock(1).startsAt(Instant.parse("2026-11-11T00:00:00Z"))
      .endsAt(Instant.parse("2026-11-11T00:10:00Z")).limitPerUser(1).build();
  static final PurchaseRequest REQUEST = PurchaseRequest.of("phone", "u1", 1);

  @Test
  void mapsEachAnswer() {
    assertThat(new GuardedPolicy((s, r) -> AdmissionDecision.ALLOW).admit(SALE, REQUEST)).isNull();
    assertThat(new GuardedPolicy((s, r) -> AdmissionDecision.DENY).admit(SALE, REQUEST)).isEqualTo(Rejection.DENIED);
    assertThat(new GuardedPolicy((s, r) -> AdmissionDecision.CHALLENGE).admit(SALE, REQUEST))
        .isEqualTo(Rejection.CHALLENGE_REQUIRED);
    assertThat(new GuardedPolicy(AdmissionPolicy.allowAll()).admit(SALE, REQUEST)).isNull();
  }

  @Test
  void aThrowingPolicyIsContainedAndCounted() {
    GuardedPolicy guarded = new GuardedPolicy((s, r) -> {
      throw new IllegalStateException("risk service down");
    });
    for (int i = 0; i < 5; i++) {
      assertThat(guarded.admit(SALE, REQUEST)).isEqualTo(Rejection.POLICY_FAILED);
    }
    assertThat(guarded.failures()).isEqualTo(5);
  }

  @Test
  void aPolicyThrowingAnErrorOrReturningNullIsContained() {
    assertThat(new GuardedPolicy((s, r) -> {
      throw new AssertionError("bug");
    }).admit(SALE, REQUEST)).isEqualTo(Rejection.POLICY_FAILED);
    assertThat(new GuardedPolicy((s, r) -> null).admit(SALE, REQUEST)).isEqualTo(Rejection.POLICY_FAILED);
  }

  @Test
  void aChallengeRoundTrip() {
    Set<String> solved = ConcurrentHashMap.newKeySet();
    GuardedPolicy guarded = new GuardedPolicy(
        (s, r) -> solved.contains(r.userId()) ? AdmissionDecision.ALLOW : AdmissionDecision.CHALLENGE);
    assertThat(guarded.admit(SALE, REQUEST)).isEqualTo(Rejection.CHALLENGE_REQUIRED);
    solved.add("u1");
    assertThat(guarded.admit(SALE, REQUEST)).isNull();
  }
}
