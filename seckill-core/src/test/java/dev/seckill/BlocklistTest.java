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

import dev.seckill.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Manual and automatic blocks, their expiry by the injected clock, and the manual bound. */
class BlocklistTest {
  final MutableClock clock = new MutableClock(Instant.parse("2026-11-11T00:00:00Z"));
  final Blocklist list = new Blocklist("user", clock, Duration.ofMinutes(1), 100, 3, Runnable::run);

  long now() {
    return clock.millis();
  }

  @Test
  void manualBlockWithADurationEndsOnTime() {
    list.block("u1", now() + 60_000);
    assertThat(list.isBlocked("u1", now())).isTrue();
    assertThat(list.isBlocked("u2", now())).isFalse();
    clock.advance(Duration.ofSeconds(59));
    assertThat(list.isBlocked("u1", now())).isTrue();
    clock.advance(Duration.ofSeconds(1));
    assertThat(list.isBlocked("u1", now())).isFalse();
    assertThat(list.manualCount()).as("dropped lazily on read").isZero();
  }

  @Test
  void manualBlockForeverLastsUntilUnblocked() {
    list.block("u1", Blocklist.FOREVER);
    clock.advance(Duration.ofDays(3650));
    assertThat(list.isBlocked("u1", now())).isTrue();
    assertThat(list.unblock("u1")).isTrue();
    assertThat(list.isBlocked("u1", now())).isFalse();
    assertThat(list.unblock("u1")).isFalse();
  }

  @Test
  void automaticBlocksLastTheCoolDown() {
    list.blockAutomatically("bot");
    assertThat(list.isBlocked("bot", now())).isTrue();
    clock.advance(Duration.ofSeconds(59));
    assertThat(list.isBlocked("bot", now())).isTrue();
    clock.advance(Duration.ofSeconds(1));
    assertThat(list.isBlocked("bot", now())).isFalse();
  }

  @Test
  void unblockLiftsAutomaticBlocksToo() {
    list.blockAutomatically("bot");
    assertThat(list.unblock("bot")).isTrue();
    assertThat(list.isBlocked("bot", now())).isFalse();
  }

  @Test
  void theManualListIsBoundedAndSaysSo() {
    list.block("a", now() + 1_000);
    list.block("b", Blocklist.FOREVER);
    list.block("c", Blocklist.FOREVER);
    list.block("c", now() + 5_000); // replacing an entry needs no room
    assertThatThrownBy(() -> list.block("d", Blocklist.FOREVER))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the manual user blocklist is full (maxManualBlocks=3): unblock some users or "
            + "raise maxManualBlocks");
    clock.advance(Duration.ofSeconds(1)); // "a" expires: its room is reclaimed
    list.block("d", Blocklist.FOREVER);
    assertThat(list.isBlocked("d", now())).isTrue();
    assertThat(list.manualCount()).isEqualTo(3);
  }
}
