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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Admission settings: defaults, and every bad value named with its setting. */
class AdmissionSettingsTest {

  @Test
  void defaults() {
    AdmissionSettings s = AdmissionSettings.defaults();
    assertThat(s.hasRandomTokenSecret()).isTrue();
    assertThat(s.tokenSecret()).hasSize(32);
    assertThat(s.tokenSecret()).isNotEqualTo(AdmissionSettings.defaults().tokenSecret());
    assertThat(s.tokenTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(s.userAttempts()).isEqualTo(5);
    assertThat(s.userWindow()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.userStrikes()).isEqualTo(10);
    assertThat(s.userCoolDown()).isEqualTo(Duration.ofMinutes(1));
    assertThat(s.addressAttempts()).isEqualTo(50);
    assertThat(s.addressStrikes()).isEqualTo(5);
    assertThat(s.addressCoolDown()).isEqualTo(Duration.ofMinutes(5));
    assertThat(s.maxTrackedUsers()).isEqualTo(200_000);
    assertThat(s.maxTrackedAddresses()).isEqualTo(200_000);
    assertThat(s.maxManualBlocks()).isEqualTo(100_000);
    assertThat(s.admissionCapFactor()).isEqualTo(2.0);
    assertThat(s.policy()).isSameAs(dev.seckill.spi.AdmissionPolicy.allowAll());
    assertThat(s.toString()).contains("tokenSecret=random").doesNotContain("[B@");
  }

  @Test
  void permissiveTurnsTheProtectionsOff() {
    AdmissionSettings s = AdmissionSettings.permissive();
    assertThat(s.isThrottling()).isFalse();
    assertThat(s.admissionCapFactor()).isZero();
    assertThat(AdmissionSettings.defaults().isThrottling()).isTrue();
    assertThatThrownBy(() -> AdmissionSettings.builder().noThrottling()
        .addressThrottle(5, Duration.ofSeconds(1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("noThrottling() contradicts addressThrottle(...): choose one");
  }

  @Test
  void aConfiguredSecretIsCopiedIn() {
    byte[] secret = new byte[32];
    secret[0] = 7;
    AdmissionSettings s = AdmissionSettings.builder().tokenSecret(secret).build();
    secret[0] = 8;
    assertThat(s.tokenSecret()[0]).isEqualTo((byte) 7);
    assertThat(s.hasRandomTokenSecret()).isFalse();
    assertThat(s.toString()).contains("tokenSecret=configured");
  }

  @Test
  void badValuesNameTheSettingAndTheValue() {
    assertThatThrownBy(() -> AdmissionSettings.builder().tokenSecret(new byte[16]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tokenSecret must be at least 32 bytes, was 16 bytes");
    assertThatThrownBy(() -> AdmissionSettings.builder().tokenTtl(Duration.ofMillis(10)))
        .hasMessage("tokenTtl must be between PT1S and PT24H, was PT0.01S");
    assertThatThrownBy(() -> AdmissionSettings.builder().userThrottle(0, Duration.ofSeconds(1)))
        .hasMessage("userThrottle attempts must be between 1 and 1000000, was 0");
    assertThatThrownBy(() -> AdmissionSettings.builder().addressThrottle(5, Duration.ZERO))
        .hasMessage("addressThrottle window must be between PT0.001S and PT1H, was PT0S");
    assertThatThrownBy(() -> AdmissionSettings.builder().userBlocking(-1, Duration.ofMinutes(1)))
        .hasMessage("userBlocking strikes must be between 0 and 1000000, was -1");
    assertThatThrownBy(() -> AdmissionSettings.builder().addressBlocking(3, Duration.ofDays(31)))
        .hasMessage("addressBlocking coolDown must be between PT1S and PT720H, was PT744H");
    assertThatThrownBy(() -> AdmissionSettings.builder().maxTrackedUsers(15))
        .hasMessage("maxTrackedUsers must be between 16 and 100000000, was 15");
    assertThatThrownBy(() -> AdmissionSettings.builder().maxTrackedAddresses(200_000_000))
        .hasMessage("maxTrackedAddresses must be between 16 and 100000000, was 200000000");
    assertThatThrownBy(() -> AdmissionSettings.builder().maxManualBlocks(0))
        .hasMessage("maxManualBlocks must be between 1 and 10000000, was 0");
    assertThatThrownBy(() -> AdmissionSettings.builder().admissionCapFactor(0.5))
        .hasMessage("admissionCapFactor must be 0 (off) or between 1.0 and 1000000, was 0.5");
    assertThatThrownBy(() -> AdmissionSettings.builder().admissionCapFactor(Double.NaN))
        .hasMessage("admissionCapFactor must be 0 (off) or between 1.0 and 1000000, was NaN");
    assertThatThrownBy(() -> AdmissionSettings.builder().policy(null))
        .isInstanceOf(NullPointerException.class).hasMessage("policy");
  }

  @Test
  void aBadValueLeavesTheSettingUnset() {
    AdmissionSettings.Builder b = AdmissionSettings.builder();
    assertThatThrownBy(() -> b.userThrottle(5, Duration.ofHours(2))).isInstanceOf(IllegalArgumentException.class);
    b.userThrottle(5, Duration.ofSeconds(2));
    assertThat(b.build().userWindow()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void settingTwiceIsAnError() {
    assertThatThrownBy(() -> AdmissionSettings.builder().tokenTtl(Duration.ofMinutes(1))
        .tokenTtl(Duration.ofMinutes(2)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("tokenTtl was already set to PT1M");
    assertThatThrownBy(() -> AdmissionSettings.builder().tokenSecret(new byte[32]).tokenSecret(new byte[32]))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("tokenSecret was already set to <secret>");
  }

  @Test
  void buildChecksCoolDownsAgainstWindows() {
    assertThatThrownBy(() -> AdmissionSettings.builder().userThrottle(5, Duration.ofMinutes(10))
        .userBlocking(3, Duration.ofMinutes(1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("userBlocking coolDown must be at least the userThrottle window (PT10M), was PT1M");
    assertThatThrownBy(() -> AdmissionSettings.builder().addressThrottle(5, Duration.ofMinutes(10)).build())
        .hasMessage("addressBlocking coolDown must be at least the addressThrottle window (PT10M), was PT5M");
    // With blocking off, the cool-down does not matter.
    assertThat(AdmissionSettings.builder().userThrottle(5, Duration.ofMinutes(10))
        .userBlocking(0, Duration.ofMinutes(1)).addressThrottle(5, Duration.ofMinutes(5)).build())
        .isNotNull();
  }

  @Test
  void saleViewAndTokenGrantValues() {
    Instant start = Instant.parse("2026-11-11T00:00:00Z");
    SaleView view = new SaleView("s", SalePhase.UPCOMING, start, start.plusSeconds(600),
        start.minusSeconds(30), 10, 0, 0, true, false);
    assertThat(view.untilStart()).isEqualTo(Duration.ofSeconds(30));
    assertThat(view.isOpen()).isFalse();
    SaleView open = new SaleView("s", SalePhase.ON_SALE, start, start.plusSeconds(600),
        start.plusSeconds(1), 10, 0, 0, false, false);
    assertThat(open.untilStart()).isZero();
    assertThat(open.isOpen()).isTrue();

    TokenGrant granted = TokenGrant.granted("tok", start);
    assertThat(granted.isGranted()).isTrue();
    assertThat(granted.toString()).doesNotContain("tok");
    assertThatThrownBy(granted::rejection).isInstanceOf(IllegalStateException.class);
    TokenGrant refused = TokenGrant.refused(Rejection.NOT_STARTED);
    assertThat(refused).isSameAs(TokenGrant.refused(Rejection.NOT_STARTED));
    assertThat(refused.rejection()).isEqualTo(Rejection.NOT_STARTED);
    assertThatThrownBy(refused::token).hasMessage("no token: refused with NOT_STARTED");
  }
}
