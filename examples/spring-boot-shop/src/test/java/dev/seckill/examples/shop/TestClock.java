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
package dev.seckill.examples.shop;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that ticks with the system clock plus an offset the test moves: tests jump to a sale's
 * start or end instead of sleeping, and a browser syncing to the server still sees time pass.
 * Thread-safe.
 */
final class TestClock extends Clock {
  private final AtomicLong offsetMillis = new AtomicLong();

  /** Moves the clock so that it reads {@code target} now, and ticks on from there. */
  void set(Instant target) {
    offsetMillis.set(target.toEpochMilli() - System.currentTimeMillis());
  }

  @Override
  public long millis() {
    return System.currentTimeMillis() + offsetMillis.get();
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

  @Override
  public String toString() {
    return "TestClock{offset=" + Duration.ofMillis(offsetMillis.get()) + '}';
  }
}
