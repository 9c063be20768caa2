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

import dev.seckill.EngineHealth;
import dev.seckill.Rejection;
import dev.seckill.Sale;
import dev.seckill.SaleSnapshot;
import dev.seckill.SeckillEngine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the operator page ({@code /ops.html}) polls every second: per sale, decisions by outcome
 * (cumulative; the page turns them into rates) and stock; per shard, ring and outbox fill; the
 * engine's health; p50/p99 of the order endpoint's decision time. Cumulative counters rather
 * than rates, so any number of pages can poll without the server keeping state per viewer.
 */
@RestController
public class OpsController {
  private final SeckillEngine engine;
  private final DecisionTimer decisions;

  OpsController(SeckillEngine engine, DecisionTimer decisions) {
    this.engine = engine;
    this.decisions = decisions;
  }

  /** The figures, as one JSON object. */
  @GetMapping(path = "/api/ops", produces = "application/json")
  public ResponseEntity<Map<String, Object>> ops() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("takenAtMillis", System.currentTimeMillis());
    EngineHealth health = engine.health();
    out.put("health", health.status().name());
    out.put("reasons", health.reasons());
    List<Map<String, Object>> sales = new ArrayList<>();
    for (Sale sale : engine.sales()) {
      SaleSnapshot s = engine.snapshot(sale.id());
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", sale.id());
      m.put("phase", s.phase().name());
      m.put("initialStock", s.initialStock());
      m.put("remaining", s.remaining());
      Map<String, Long> outcomes = new LinkedHashMap<>();
      outcomes.put("CONFIRMED", s.ordersConfirmed());
      for (Rejection r : Rejection.values()) {
        outcomes.put(r.name(), s.rejected(r));
      }
      m.put("decisions", outcomes);
      sales.add(m);
    }
    out.put("sales", sales);
    List<Map<String, Object>> shards = new ArrayList<>();
    for (EngineHealth.ShardHealth s : health.shards()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("shard", s.shard());
      m.put("ringUsed", s.ringSize() - s.ringRemaining());
      m.put("ringSize", s.ringSize());
      m.put("outboxSize", s.outboxSize());
      m.put("outboxCapacity", s.outboxCapacity());
      m.put("failedStores", s.failedStores());
      shards.add(m);
    }
    out.put("shards", shards);
    double[] latency = decisions.p50p99Millis();
    out.put("decisionP50Millis", latency[0]);
    out.put("decisionP99Millis", latency[1]);
    return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(out);
  }
}
