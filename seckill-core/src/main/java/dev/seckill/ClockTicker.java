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

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.util.Objects;

/**
 * A Caffeine {@link Ticker} that reads the engine's {@link Clock}, so cache expiry (throttle
 * windows, cool-downs) moves with the same time as sale windows and tests move it by hand.
 *
 * <p>Threads: safe from any thread if the clock is. Resolution is the clock's milliseconds;
 * epoch nanoseconds fit a {@code long} until the year 2262.
 */
final class ClockTicker implements Ticker {
  private final Clock clock;

  public ClockTicker(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public long read() {
    return clock.millis() * 1_000_000L;
  }
}
