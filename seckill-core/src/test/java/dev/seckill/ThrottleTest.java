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

import dev.seckill.Throttle.Verdict;
import static org.assertj.core.api.Assertions.assertThat;

import dev.seckill.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The per-key throttle and its escalation to the blocklist, with a hand-moved clock. */
class ThrottleTest {
  static final Instant T0 = Instant.parse("2026-11-11T00:00:00Z");
  final MutableClock clock = new MutableClock(T0);
  final Blocklist blocklist =
      new Blocklist("address", clock, Duration.ofMinutes(5), 1_000, 100, Runnable::run);

  Throttle throttle(int limit, int strikes) {
    return new Throttle(limit, Duration.ofSeconds(1), strikes, Duration.ofMinutes(5), 1_000,
        Runnable::run, blocklist);
  }

  @Test
  void allowsTheLimitPerWindowThenThrottlesUntilTheNextWindow() {
    Throttle t = throttle(3, 0);
    for (int i = 0; i < 3; i++) {
      assertThat(t.hit("10.0.0.1", clock.millis())).isEqualTo(Verdict.ALLOW);
    }
    assertThat(t.hit("10.0.0.1", clock.millis())).isEqualTo(Verdict.THROTTLED);
    assertThat(t.hit("10.0.0.1", clock.millis())).isEqualTo(Verdict.THROTTLED);
    assertThat(t.hit("10.0.0.2", clock.millis())).as("other keys are unaffected").isEqualTo(Verdict.ALLOW);
    clock.advance(Duration.ofSeconds(1));
    assertThat(t.hit("10.0.0.1", clock.millis())).isEqualTo(Verdict.ALLOW);
  }

  @Test
  void repeatOffendersAreBlockedForTheCoolDownThenForgiven() {
    Throttle t = throttle(2, 3);
    String ip = "203.0.113.9";
    for (int window = 1; window <= 3; window++) {
      assertThat(t.hit(ip, clock.millis())).isEqualTo(Verdict.ALLOW);
      assertThat(t.hit(ip, clock.millis())).isEqualTo(Verdict.ALLOW);
      Verdict overrun = t.hit(ip, clock.millis());
      if (window < 3) {
        assertThat(overrun).as("strike %d", window).isEqualTo(Verdict.THROTTLED);
        assertThat(t.hit(ip, clock.millis())).as("more in the same window: no new strike")
            .isEqualTo(Verdict.THROTTLED);
        assertThat(blocklist.isBlocked(ip, clock.millis())).isFalse();
        clock.advance(Duration.ofSeconds(1));
      } else {
        assertThat(overrun).as("third strike").isEqualTo(Verdict.BLOCKED);
      }
    }
    assertThat(blocklist.isBlocked(ip, clock.millis())).isTrue();
    clock.advance(Duration.ofMinutes(5).minusMillis(1));
    assertThat(blocklist.isBlocked(ip, clock.millis())).isTrue();
    clock.advance(Duration.ofMillis(1));
    assertThat(blocklist.isBlocked(ip, clock.millis())).as("cool-down over").isFalse();
    // Strikes were reset when the block began: one more overrun is a strike, not a block.
    t.hit(ip, clock.millis());
    t.hit(ip, clock.millis());
    assertThat(t.hit(ip, clock.millis())).isEqualTo(Verdict.THROTTLED);
  }

  @Test
  void forgetResetsTheWindowAndStrikes() {
    Throttle t = throttle(1, 2);
    t.hit("u", clock.millis());
    assertThat(t.hit("u", clock.millis())).isEqualTo(Verdict.THROTTLED);
    t.forget("u");
    assertThat(t.hit("u", clock.millis())).isEqualTo(Verdict.ALLOW);
  }

  @Test
  void strikesFarApartNeverAddUpToABlock() {
    Throttle t = throttle(1, 2); // strikes are remembered for the cool-down, 5 minutes
    String ip = "192.0.2.77";
    t.hit(ip, clock.millis());
    assertThat(t.hit(ip, clock.millis())).as("strike 1").isEqualTo(Verdict.THROTTLED);
    clock.advance(Duration.ofMinutes(5).plusSeconds(2));
    t.hit(ip, clock.millis());
    assertThat(t.hit(ip, clock.millis())).as("strike 1 again: the old one decayed")
        .isEqualTo(Verdict.THROTTLED);
    clock.advance(Duration.ofMinutes(4));
    t.hit(ip, clock.millis());
    assertThat(t.hit(ip, clock.millis())).as("strike 2 within memory: blocked").isEqualTo(Verdict.BLOCKED);
  }

  @Test
  void theCountIsBoundedByMaxTracked() {
    Throttle t = throttle(1, 0);
    for (int i = 0; i < 10_000; i++) {
      t.hit("k" + i, clock.millis());
    }
    t.cleanUp();
    assertThat(t.trackedCount()).isLessThanOrEqualTo(1_000);
  }

  @Test
  void exactlyTheLimitIsAllowedUnderContention() throws Exception {
    int limit = 50_000;
    Throttle t = new Throttle(limit, Duration.ofHours(1), 0, Duration.ofHours(1), 1_000,
        Runnable::run, blocklist);
    int threads = 4;
    int each = 25_000;
    java.util.concurrent.atomic.LongAdder allowed = new java.util.concurrent.atomic.LongAdder();
    Thread[] workers = new Thread[threads];
    for (int i = 0; i < threads; i++) {
      workers[i] = new Thread(() -> {
        for (int j = 0; j < each; j++) {
          if (t.hit("hot", clock.millis()) == Verdict.ALLOW) {
            allowed.increment();
          }
        }
      });
      workers[i].start();
    }
    for (Thread w : workers) {
      w.join();
    }
    assertThat(allowed.sum()).isEqualTo(limit);
  }
}
