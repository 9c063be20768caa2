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

import dev.seckill.MutableClock;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Millions of distinct addresses through the throttle stay within the configured bound: the
 * throttle forgets, it never grows. Runs the component directly, so it takes seconds, not
 * minutes.
 */
@Tag("slow")
class ThrottleMemoryBoundTest {
  static final int DISTINCT = 5_000_000;
  static final long MAX_TRACKED = 50_000;

  @Test
  void fiveMillionAddressesStayWithinMaxTracked() {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-11T00:00:00Z"));
    Blocklist blocklist =
        new Blocklist("address", clock, Duration.ofMinutes(5), MAX_TRACKED, 100, Runnable::run);
    Throttle throttle = new Throttle(1, Duration.ofSeconds(1), 1, Duration.ofMinutes(5),
        MAX_TRACKED, Runnable::run, blocklist);
    long heapBefore = usedHeapAfterGc();
    long maxSeen = 0;
    for (int i = 0; i < DISTINCT; i++) {
      String address = (i >>> 24) + "." + ((i >>> 16) & 0xFF) + "." + ((i >>> 8) & 0xFF) + "." + (i & 0xFF);
      // Two attempts each: one overrun, a strike, and (one strike blocks) a block.
      throttle.hit(address, clock.millis());
      throttle.hit(address, clock.millis());
      if ((i & 0xFFFF) == 0) {
        clock.advance(Duration.ofMillis(10));
        maxSeen = Math.max(maxSeen, throttle.trackedCount());
      }
    }
    throttle.cleanUp();
    blocklist.cleanUp();
    long heapAfter = usedHeapAfterGc();
    assertThat(throttle.trackedCount()).isLessThanOrEqualTo(MAX_TRACKED);
    assertThat(blocklist.automaticCount()).isLessThanOrEqualTo(MAX_TRACKED);
    // Between maintenance runs the cache may briefly hold a little more (Caffeine drains its
    // write buffer in batches); it never runs away.
    assertThat(maxSeen).isLessThan(MAX_TRACKED * 2);
    System.out.printf("throttle: %d distinct addresses, %d tracked, retained heap delta ~%d KiB%n",
        DISTINCT, throttle.trackedCount(), (heapAfter - heapBefore) / 1024);
  }

  private static long usedHeapAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
