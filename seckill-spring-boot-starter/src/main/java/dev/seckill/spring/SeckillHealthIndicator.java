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
package dev.seckill.spring;

import dev.seckill.EngineHealth;
import dev.seckill.SeckillEngine;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;

/**
 * {@link SeckillEngine#health()} as an Actuator health indicator ({@code /actuator/health/seckill}):
 * UP, {@link #DEGRADED} or DOWN, with the reasons and each shard's figures as details.
 *
 * <p>{@code DEGRADED} is a status of its own. The starter puts it into Boot's default status
 * order ({@code management.endpoint.health.status.order=DOWN,OUT_OF_SERVICE,DEGRADED,UP,UNKNOWN},
 * unless the application sets that property), so the aggregate health shows it; it maps to HTTP
 * 200 (the node still sells).
 */
public class SeckillHealthIndicator implements HealthIndicator {
  /** The engine decides, but a bound is near or the sink is failing. */
  public static final Status DEGRADED =
      new Status("DEGRADED", "deciding, but a bound is near or the order sink is failing");

  private final SeckillEngine engine;

  /**
   * An indicator for {@code engine}.
   *
   * @param engine the engine
   */
  public SeckillHealthIndicator(SeckillEngine engine) {
    this.engine = engine;
  }

  @Override
  public Health health() {
    EngineHealth h = engine.health();
    Health.Builder b;
    switch (h.status()) {
      case UP:
        b = Health.up();
        break;
      case DEGRADED:
        b = Health.status(DEGRADED);
        break;
      default:
        b = Health.down();
    }
    if (!h.reasons().isEmpty()) {
      b.withDetail("reasons", h.reasons());
    }
    List<Map<String, Object>> shards = h.shards().stream().map(SeckillHealthIndicator::shard)
        .toList();
    return b.withDetail("shards", shards).withDetail("checkedAt", h.checkedAt().toString())
        .build();
  }

  private static Map<String, Object> shard(EngineHealth.ShardHealth s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("shard", s.shard());
    m.put("ringRemaining", s.ringRemaining());
    m.put("ringSize", s.ringSize());
    m.put("outboxSize", s.outboxSize());
    m.put("outboxCapacity", s.outboxCapacity());
    if (s.hasSink()) {
      m.put("storedOrders", s.storedOrders());
      m.put("failedStores", s.failedStores());
      s.failingSince().ifPresent(t -> m.put("sinkFailingSince", t.toString()));
      s.lastFailure().ifPresent(f -> m.put("lastFailure", f));
      s.lastFailureAt().ifPresent(t -> m.put("lastFailureAt", t.toString()));
    }
    m.put("deadLetteredOrders", s.deadLetteredOrders());
    return m;
  }
}
