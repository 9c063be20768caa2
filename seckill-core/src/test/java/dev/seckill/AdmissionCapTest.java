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

import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** The in-flight gauge behind the admission cap. */
class AdmissionCapTest {

  @Test
  void limitIsRemainingTimesFactorRoundedUpAndSaturated() {
    assertThat(AdmissionCap.limit(100, 2.0)).isEqualTo(200);
    assertThat(AdmissionCap.limit(3, 1.5)).isEqualTo(5);
    assertThat(AdmissionCap.limit(0, 2.0)).isZero();
    assertThat(AdmissionCap.limit(Long.MAX_VALUE / 2, 1_000)).isEqualTo(Long.MAX_VALUE);
    assertThat(AdmissionCap.limit(5, 0)).as("factor 0: off").isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void refusesOnceInFlightWouldPassTheLimitAndAdmitsAgainAsDecisionsArrive() {
    AdmissionCap cap = new AdmissionCap();
    long limit = AdmissionCap.limit(2, 2.0); // 4 units
    for (int i = 0; i < 4; i++) {
      assertThat(cap.tryEnter(1, limit)).isTrue();
    }
    assertThat(cap.tryEnter(1, limit)).isFalse();
    assertThat(cap.inFlight()).as("a refusal counts nothing").isEqualTo(4);
    cap.exit(1);
    assertThat(cap.tryEnter(1, limit)).isTrue();
    assertThat(cap.tryEnter(2, AdmissionCap.limit(3, 2.0))).as("4 + 2 > 6? no: 6").isTrue();
  }

  @Test
  void anIdleSaleAlwaysAdmitsOneRequest() {
    AdmissionCap cap = new AdmissionCap();
    assertThat(cap.tryEnter(5, AdmissionCap.limit(1, 1.0))).as("more than the limit, but nothing in flight").isTrue();
    assertThat(cap.tryEnter(1, AdmissionCap.limit(1, 1.0))).isFalse();
    cap.exit(5);
    assertThat(cap.inFlight()).isZero();
  }

  @Test
  void balancedUnderContention() throws Exception {
    AdmissionCap cap = new AdmissionCap();
    LongAdder admitted = new LongAdder();
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      threads[t] = new Thread(() -> {
        for (int i = 0; i < 100_000; i++) {
          if (cap.tryEnter(1, 8)) {
            admitted.increment();
            cap.exit(1);
          }
        }
      });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(cap.inFlight()).isZero();
    assertThat(admitted.sum()).isPositive();
  }
}
