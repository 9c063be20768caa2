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

import dev.seckill.EngineHealth.ShardHealth;
import dev.seckill.EngineHealth.Status;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides {@link SeckillEngine#health()} from the shards' figures and the engine's
 * {@link HealthThresholds}; the rules are written on {@link EngineHealth}. Any thread: it reads
 * volatile figures only and never talks to a writer.
 */
final class HealthCheck {
  private final Shards shards;
  private final HealthThresholds thresholds;
  private final long outboxCapacity;
  private final Clock clock;

  HealthCheck(Shards shards, HealthThresholds thresholds, long outboxCapacity, Clock clock) {
    this.shards = shards;
    this.thresholds = thresholds;
    this.outboxCapacity = outboxCapacity;
    this.clock = clock;
  }

  /** The outbox capacity of each shard. */
  long outboxCapacity() {
    return outboxCapacity;
  }

  EngineHealth check(boolean closed) {
    long now = clock.millis();
    List<ShardHealth> figures = new ArrayList<>(shards.count());
    List<String> reasons = new ArrayList<>();
    if (closed) {
      reasons.add("the engine is closed");
    }
    for (int i = 0; i < shards.count(); i++) {
      ShardHealth shard = figures(shards.get(i));
      figures.add(shard);
      if (!closed) {
        degradedBy(shard, now, reasons);
      }
    }
    Status status = closed ? Status.DOWN : reasons.isEmpty() ? Status.UP : Status.DEGRADED;
    return new EngineHealth(status, reasons, figures, Instant.ofEpochMilli(now));
  }

  private ShardHealth figures(Shard shard) {
    Optional<FlushStats> stats = shard.flushStats();
    long failedStores = stats.map(FlushStats::failedStores).orElse(0L);
    long lastFailureAt = stats.map(FlushStats::lastFailureAtMillis).orElse(-1L);
    long failingSince = stats.map(FlushStats::failingSinceMillis).orElse(-1L);
    return new ShardHealth(shard.index(), shard.ringSize(), shard.remainingCapacity(),
        shard.ledger().outboxSize(), outboxCapacity, stats.isPresent(),
        stats.map(FlushStats::storedBatches).orElse(0L),
        stats.map(FlushStats::storedOrders).orElse(0L), failedStores, instant(lastFailureAt),
        instant(failingSince), stats.map(FlushStats::lastFailure).filter(s -> !s.isEmpty()),
        shard.deadLetteredOrders(),
        instant(stats.map(FlushStats::oldestUnflushedMillis).orElse(-1L)));
  }

  private void degradedBy(ShardHealth shard, long now, List<String> reasons) {
    int index = shard.shard();
    shard.failingSince().ifPresent(since -> {
      long failingFor = now - since.toEpochMilli();
      if (failingFor >= thresholds.sinkFailingFor().toMillis()) {
        reasons.add("shard " + index + ": the order sink has failed every store for "
            + failingFor + " ms (threshold " + thresholds.sinkFailingFor().toMillis()
            + " ms); last: " + shard.lastFailure().orElse("?"));
      }
    });
    if (shard.outboxSize() > thresholds.outboxFill() * shard.outboxCapacity()) {
      reasons.add("shard " + index + ": the outbox holds " + shard.outboxSize() + " of "
          + shard.outboxCapacity() + " unflushed orders (threshold "
          + percent(thresholds.outboxFill()) + ")");
    }
    long used = shard.ringSize() - shard.ringRemaining();
    if (used > thresholds.ringFill() * shard.ringSize()) {
      reasons.add("shard " + index + ": " + used + " of " + shard.ringSize()
          + " ring slots in use (threshold " + percent(thresholds.ringFill()) + ")");
    }
  }

  private static Optional<Instant> instant(long millis) {
    return millis < 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(millis));
  }

  private static String percent(double fraction) {
    return Math.round(fraction * 100) + "%";
  }
}
