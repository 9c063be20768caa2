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

import java.time.Duration;
import java.util.Objects;

/**
 * When {@link SeckillEngine#health()} stops answering {@link EngineHealth.Status#UP}: how long
 * the order sink may fail, and how full a shard's outbox and ring may be, before the engine
 * reports itself {@link EngineHealth.Status#DEGRADED}. Immutable; each {@code with} method
 * returns a copy.
 *
 * <pre>{@code
 * SeckillEngine.builder()
 *     .healthThresholds(HealthThresholds.defaults().withSinkFailingFor(Duration.ofSeconds(10)))
 * }</pre>
 */
public final class HealthThresholds {
  /** Default for {@link #sinkFailingFor()}: five seconds of failed stores in a row. */
  public static final Duration DEFAULT_SINK_FAILING_FOR = Duration.ofSeconds(5);
  /** Default for {@link #outboxFill()}: 80% of {@code outboxCapacityPerShard}. */
  public static final double DEFAULT_OUTBOX_FILL = 0.8;
  /** Default for {@link #ringFill()}: 90% of the ring's slots taken. */
  public static final double DEFAULT_RING_FILL = 0.9;

  private static final HealthThresholds DEFAULTS =
      new HealthThresholds(DEFAULT_SINK_FAILING_FOR, DEFAULT_OUTBOX_FILL, DEFAULT_RING_FILL);

  private final Duration sinkFailingFor;
  private final double outboxFill;
  private final double ringFill;

  private HealthThresholds(Duration sinkFailingFor, double outboxFill, double ringFill) {
    this.sinkFailingFor = sinkFailingFor;
    this.outboxFill = outboxFill;
    this.ringFill = ringFill;
  }

  /**
   * The defaults: {@link #DEFAULT_SINK_FAILING_FOR}, {@link #DEFAULT_OUTBOX_FILL},
   * {@link #DEFAULT_RING_FILL}.
   *
   * @return the default thresholds
   */
  public static HealthThresholds defaults() {
    return DEFAULTS;
  }

  /**
   * How long the order sink may fail without a successful store in between before the engine is
   * {@code DEGRADED}.
   *
   * @return a positive duration
   */
  public Duration sinkFailingFor() {
    return sinkFailingFor;
  }

  /**
   * The fraction of a shard's outbox capacity (unflushed orders) above which the engine is
   * {@code DEGRADED}: past it, buyers are close to {@link Rejection#OVERLOADED}.
   *
   * @return a fraction in (0, 1]
   */
  public double outboxFill() {
    return outboxFill;
  }

  /**
   * The fraction of a shard's ring slots in use above which the engine is {@code DEGRADED}:
   * the writer is not keeping up and a full ring answers {@link Rejection#OVERLOADED}.
   *
   * @return a fraction in (0, 1]
   */
  public double ringFill() {
    return ringFill;
  }

  /**
   * A copy with another sink-failure threshold.
   *
   * @param duration how long the sink may keep failing; positive
   * @return the copy
   * @throws IllegalArgumentException if {@code duration} is zero or negative
   */
  public HealthThresholds withSinkFailingFor(Duration duration) {
    Objects.requireNonNull(duration, "sinkFailingFor");
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("sinkFailingFor must be positive: " + duration);
    }
    return new HealthThresholds(duration, outboxFill, ringFill);
  }

  /**
   * A copy with another outbox fill threshold.
   *
   * @param fraction of the outbox capacity, in (0, 1]
   * @return the copy
   * @throws IllegalArgumentException if {@code fraction} is not in (0, 1]
   */
  public HealthThresholds withOutboxFill(double fraction) {
    return new HealthThresholds(sinkFailingFor, checkFraction("outboxFill", fraction), ringFill);
  }

  /**
   * A copy with another ring fill threshold.
   *
   * @param fraction of the ring's slots, in (0, 1]
   * @return the copy
   * @throws IllegalArgumentException if {@code fraction} is not in (0, 1]
   */
  public HealthThresholds withRingFill(double fraction) {
    return new HealthThresholds(sinkFailingFor, outboxFill, checkFraction("ringFill", fraction));
  }

  private static double checkFraction(String name, double fraction) {
    if (!(fraction > 0 && fraction <= 1)) {
      throw new IllegalArgumentException(name + " must be in (0, 1]: " + fraction);
    }
    return fraction;
  }

  @Override
  public String toString() {
    return "HealthThresholds{sinkFailingFor=" + sinkFailingFor + ", outboxFill=" + outboxFill
        + ", ringFill=" + ringFill + '}';
  }
}
