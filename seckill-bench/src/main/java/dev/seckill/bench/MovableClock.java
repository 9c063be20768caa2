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
package dev.seckill.bench;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UTC clock a benchmark moves forward, so reservation deadlines fall due without waiting: it
 * reads a base (the system clock, or a fixed instant) plus an offset. Thread-safe; a read is one
 * volatile load (plus the system clock's, when it ticks).
 */
public final class MovableClock extends Clock {
  private final boolean ticking;
  private final long baseMillis;
  private final AtomicLong offsetMillis = new AtomicLong();

  private MovableClock(boolean ticking, long baseMillis) {
    this.ticking = ticking;
    this.baseMillis = baseMillis;
  }

  /** A clock that ticks with the system clock, plus what {@link #advance} adds. */
  public static MovableClock ticking() {
    return new MovableClock(true, 0);
  }

  /** A clock that stands at {@code at} until {@link #advance} moves it. */
  public static MovableClock at(Instant at) {
    return new MovableClock(false, at.toEpochMilli());
  }

  /** Moves the clock forward by {@code millis}. */
  public void advance(long millis) {
    offsetMillis.addAndGet(millis);
  }

  @Override
  public long millis() {
    return (ticking ? System.currentTimeMillis() : baseMillis) + offsetMillis.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("UTC only");
  }
}
