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

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The engine's health at one moment, returned by {@link SeckillEngine#health()}: a
 * {@link Status}, the reasons for it, and the per-shard figures it was decided from (ring fill,
 * outbox, order sink). Cheap to take (a few volatile reads per shard, no lock, nothing sent to
 * the writer), so a health endpoint or a metrics scrape may call it every second.
 *
 * <p>Rules, checked in this order against the engine's {@link HealthThresholds}:
 * <ul>
 *   <li>{@link Status#DOWN}: the engine is closed (or closing).
 *   <li>{@link Status#DEGRADED}, one reason per shard and cause: the order sink has failed every
 *       store for at least {@link HealthThresholds#sinkFailingFor()}; a shard's outbox holds more
 *       than {@link HealthThresholds#outboxFill()} of its capacity; a shard's ring has more than
 *       {@link HealthThresholds#ringFill()} of its slots in use.
 *   <li>{@link Status#UP} otherwise.
 * </ul>
 * Dead-lettered orders do not change the status (they never heal by themselves, and a load
 * balancer that drops a node for them would not help): they are reported in
 * {@link ShardHealth#deadLetteredOrders()} for an alert of their own.
 */
public final class EngineHealth {
  /** The engine's overall state. */
  public enum Status {
    /** Deciding and storing orders normally. */
    UP,
    /**
     * Still deciding, but a bound is near or the sink is failing: buyers may soon be refused
     * with {@link Rejection#OVERLOADED}, or confirmed orders are piling up unstored.
     */
    DEGRADED,
    /** Closed: every submit throws. */
    DOWN
  }

  private final Status status;
  private final List<String> reasons;
  private final List<ShardHealth> shards;
  private final Instant checkedAt;

  EngineHealth(Status status, List<String> reasons, List<ShardHealth> shards, Instant checkedAt) {
    this.status = status;
    this.reasons = List.copyOf(reasons);
    this.shards = List.copyOf(shards);
    this.checkedAt = checkedAt;
  }

  /**
   * The overall state.
   *
   * @return {@code UP}, {@code DEGRADED} or {@code DOWN}; never null
   */
  public Status status() {
    return status;
  }

  /**
   * Why the status is not {@code UP}, one readable sentence per cause, naming the shard.
   *
   * @return the reasons; empty when {@code UP}
   */
  public List<String> reasons() {
    return reasons;
  }

  /**
   * The figures of each shard, in shard order.
   *
   * @return one entry per shard; never null
   */
  public List<ShardHealth> shards() {
    return shards;
  }

  /**
   * When this health was taken, by the engine's clock.
   *
   * @return the engine clock's instant at the check
   */
  public Instant checkedAt() {
    return checkedAt;
  }

  @Override
  public String toString() {
    return "EngineHealth{" + status + (reasons.isEmpty() ? "" : " " + reasons) + '}';
  }

  /** One shard's figures. Each is exact when read, but they are not read at one instant. */
  public static final class ShardHealth {
    private final int shard;
    private final int ringSize;
    private final long ringRemaining;
    private final long outboxSize;
    private final long outboxCapacity;
    private final boolean sink;
    private final long storedBatches;
    private final long storedOrders;
    private final long failedStores;
    private final Optional<Instant> lastFailureAt;
    private final Optional<Instant> failingSince;
    private final Optional<String> lastFailure;
    private final long deadLetteredOrders;
    private final Optional<Instant> oldestUnflushedAt;

    ShardHealth(int shard, int ringSize, long ringRemaining, long outboxSize,
        long outboxCapacity, boolean sink, long storedBatches, long storedOrders,
        long failedStores, Optional<Instant> lastFailureAt, Optional<Instant> failingSince,
        Optional<String> lastFailure, long deadLetteredOrders,
        Optional<Instant> oldestUnflushedAt) {
      this.shard = shard;
      this.ringSize = ringSize;
      this.ringRemaining = ringRemaining;
      this.outboxSize = outboxSize;
      this.outboxCapacity = outboxCapacity;
      this.sink = sink;
      this.storedBatches = storedBatches;
      this.storedOrders = storedOrders;
      this.failedStores = failedStores;
      this.lastFailureAt = lastFailureAt;
      this.failingSince = failingSince;
      this.lastFailure = lastFailure;
      this.deadLetteredOrders = deadLetteredOrders;
      this.oldestUnflushedAt = oldestUnflushedAt;
    }

    /**
     * The shard's index.
     *
     * @return 0 to shards − 1
     */
    public int shard() {
      return shard;
    }

    /**
     * The shard's ring size.
     *
     * @return the number of slots
     */
    public int ringSize() {
      return ringSize;
    }

    /**
     * Free ring slots when read: requests can be queued without {@link Rejection#OVERLOADED}.
     *
     * @return 0 to {@link #ringSize()}
     */
    public long ringRemaining() {
      return ringRemaining;
    }

    /**
     * Confirmed orders the shard holds that the sink has not stored (0 without a sink).
     *
     * @return the unflushed orders
     */
    public long outboxSize() {
      return outboxSize;
    }

    /**
     * How many unflushed orders the shard can hold ({@code outboxCapacityPerShard}).
     *
     * @return the capacity
     */
    public long outboxCapacity() {
      return outboxCapacity;
    }

    /**
     * Whether the engine has an order sink; without one the store figures stay zero.
     *
     * @return true with an order sink
     */
    public boolean hasSink() {
      return sink;
    }

    /**
     * Batches the sink stored for this shard since the engine opened.
     *
     * @return the successful stores
     */
    public long storedBatches() {
      return storedBatches;
    }

    /**
     * Orders the sink stored for this shard since the engine opened.
     *
     * @return the orders in successful stores
     */
    public long storedOrders() {
      return storedOrders;
    }

    /**
     * Stores that threw (each retried later) since the engine opened.
     *
     * @return the failed store calls
     */
    public long failedStores() {
      return failedStores;
    }

    /**
     * When the last store failed, by the engine's clock.
     *
     * @return empty if no store has failed since the engine opened
     */
    public Optional<Instant> lastFailureAt() {
      return lastFailureAt;
    }

    /**
     * Since when every store has failed: the first failure after the last success.
     *
     * @return empty while the sink is storing
     */
    public Optional<Instant> failingSince() {
      return failingSince;
    }

    /**
     * The last store failure: exception class and message.
     *
     * @return empty if no store has failed since the engine opened
     */
    public Optional<String> lastFailure() {
      return lastFailure;
    }

    /**
     * When the oldest order the sink has not stored yet was confirmed (engine clock), as the
     * flusher last saw it: it reads from the oldest unstored order on, at every batch and retry.
     * How far the sink lags behind, in time.
     *
     * @return empty when the outbox is empty, or without a sink
     */
    public Optional<Instant> oldestUnflushedAt() {
      return oldestUnflushedAt;
    }

    /**
     * Orders the sink refused for good, parked in this shard's dead-letter file.
     *
     * @return the dead-lettered orders, over the data directory's life
     */
    public long deadLetteredOrders() {
      return deadLetteredOrders;
    }

    @Override
    public String toString() {
      return "ShardHealth{shard=" + shard + ", ringRemaining=" + ringRemaining + '/' + ringSize
          + ", outbox=" + outboxSize + '/' + outboxCapacity + ", failedStores=" + failedStores
          + failingSince.map(t -> ", failingSince=" + t).orElse("") + '}';
    }
  }
}
