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

import dev.seckill.AdmissionSettings;
import dev.seckill.MutableClock;
import dev.seckill.Rejection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The admission checks together: order, and what each refusal leaves behind. */
class AdmissionTest {
  static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  final MutableClock clock = new MutableClock(Instant.parse("2026-11-11T00:00:00Z"));
  final Admission admission = new Admission(AdmissionSettings.builder()
      .userThrottle(3, Duration.ofSeconds(1))
      .userBlocking(2, Duration.ofMinutes(1))
      .addressThrottle(5, Duration.ofSeconds(1))
      .addressBlocking(2, Duration.ofMinutes(10))
      .build(), SECRET, clock, Runnable::run);

  long now() {
    return clock.millis();
  }

  @Test
  void aBurstFromOneUserIsThrottledThenBlockedThenForgivenAfterTheCoolDown() {
    for (int window = 0; window < 2; window++) {
      for (int i = 0; i < 3; i++) {
        assertThat(admission.screen("clicker", null, now())).isNull();
      }
      assertThat(admission.screen("clicker", null, now()))
          .isEqualTo(window == 0 ? Rejection.THROTTLED : Rejection.BLOCKED);
      clock.advance(Duration.ofSeconds(1));
    }
    assertThat(admission.screen("clicker", null, now())).isEqualTo(Rejection.BLOCKED);
    assertThat(admission.screen("someone-else", null, now())).isNull();
    clock.advance(Duration.ofMinutes(1));
    assertThat(admission.isUserBlocked("clicker", now())).isFalse();
    assertThat(admission.screen("clicker", null, now())).isNull();
  }

  @Test
  void aBurstFromOneAddressIsThrottledThenBlockedAcrossUsers() {
    String ip = "198.51.100.4";
    int user = 0;
    for (int window = 0; window < 2; window++) {
      for (int i = 0; i < 5; i++) {
        assertThat(admission.screen("u" + user++, ip, now())).isNull();
      }
      assertThat(admission.screen("u" + user++, ip, now()))
          .isEqualTo(window == 0 ? Rejection.THROTTLED : Rejection.BLOCKED);
      clock.advance(Duration.ofSeconds(1));
    }
    assertThat(admission.screen("fresh-user", ip, now())).isEqualTo(Rejection.BLOCKED);
    assertThat(admission.screen("fresh-user", "198.51.100.5", now())).isNull();
    clock.advance(Duration.ofMinutes(10));
    assertThat(admission.screen("fresh-user-2", ip, now())).isNull();
  }

  @Test
  void blockedAttemptsAreNotCounted() {
    admission.blockUser("u", now() + 1_000);
    for (int i = 0; i < 100; i++) {
      assertThat(admission.screen("u", null, now())).isEqualTo(Rejection.BLOCKED);
    }
    clock.advance(Duration.ofSeconds(1));
    assertThat(admission.screen("u", null, now())).isNull();
  }

  @Test
  void manualBlocksAndUnblocks() {
    admission.blockAddress("192.0.2.1", Blocklist.FOREVER);
    assertThat(admission.screen("u", "192.0.2.1", now())).isEqualTo(Rejection.BLOCKED);
    assertThat(admission.screen("u", "192.0.2.2", now())).isNull();
    assertThat(admission.unblockAddress("192.0.2.1")).isTrue();
    assertThat(admission.screen("u", "192.0.2.1", now())).isNull();
  }

  @Test
  void unblockForgetsStrikesSoTheUserStartsClean() {
    for (int i = 0; i < 4; i++) {
      admission.screen("u", null, now());
    }
    clock.advance(Duration.ofSeconds(1));
    for (int i = 0; i < 4; i++) {
      admission.screen("u", null, now());
    }
    assertThat(admission.isUserBlocked("u", now())).isTrue();
    assertThat(admission.unblockUser("u")).isTrue();
    for (int i = 0; i < 3; i++) {
      assertThat(admission.screen("u", null, now())).isNull();
    }
    assertThat(admission.screen("u", null, now())).as("a strike, not yet a block").isEqualTo(Rejection.THROTTLED);
  }

  @Test
  void withoutThrottlingOnlyManualBlocksApply() {
    Admission permissive = new Admission(AdmissionSettings.permissive(), SECRET, clock, Runnable::run);
    for (int i = 0; i < 1_000; i++) {
      assertThat(permissive.screen("u", "192.0.2.1", now())).isNull();
    }
    assertThat(permissive.userThrottle().isEnabled()).isFalse();
    permissive.blockUser("u", Blocklist.FOREVER);
    assertThat(permissive.screen("u", null, now())).isEqualTo(Rejection.BLOCKED);
    assertThat(permissive.unblockUser("u")).isTrue();
    assertThat(permissive.capFactor()).isZero();
  }

  @Test
  void tokens() {
    long expiry = admission.tokenExpiry(now());
    assertThat(expiry - now()).isEqualTo(AdmissionSettings.DEFAULT_TOKEN_TTL.toMillis());
    String token = admission.issueToken("s", "u", expiry);
    assertThat(admission.checkToken("s", "u", token, now())).isNull();
    assertThat(admission.checkToken("s", "v", token, now())).isEqualTo(Rejection.BAD_TOKEN);
    assertThat(admission.checkToken("s", "u", null, now())).isEqualTo(Rejection.BAD_TOKEN);
    assertThat(admission.checkToken("s", "u", token, expiry)).isEqualTo(Rejection.BAD_TOKEN);
    assertThat(admission.tokenExpiry(Long.MAX_VALUE - 1)).isEqualTo(Long.MAX_VALUE);
  }
}
