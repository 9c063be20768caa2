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
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
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
 * engine's health; p50/p99 decision time: the engine's own sampled latency (ring to decision,
 * {@code seckill.decision.latency.percentile}, the slowest shard) once it has samples, else the
 * order endpoint's ({@code shop.order.decision}). Cumulative counters rather
 * than rates, so any number of pages can poll without the server keeping state per viewer.
 */
@RestController
public class OpsController {
  private final SeckillEngine engine;
  private final DecisionTimer decisions;
  private final MeterRegistry registry;

  OpsController(SeckillEngine engine, DecisionTimer decisions, MeterRegistry registry) {
    this.engine = engine;
    this.decisions = decisions;
    this.registry = registry;
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
    double p50 = enginePercentileMillis("0.5");
    double p99 = enginePercentileMillis("0.99");
    if (Double.isNaN(p50) || Double.isNaN(p99)) { // no sample yet: what the endpoint measured
      double[] latency = decisions.p50p99Millis();
      p50 = latency[0];
      p99 = latency[1];
    }
    out.put("decisionP50Millis", p50);
    out.put("decisionP99Millis", p99);
    return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(out);
  }

  /** The engine's sampled decision latency at {@code phi}, slowest shard, in ms; NaN if none. */
  private double enginePercentileMillis(String phi) {
    double max = Double.NaN;
    for (Gauge g : registry.find("seckill.decision.latency.percentile").tag("phi", phi).gauges()) {
      double seconds = g.value();
      if (!Double.isNaN(seconds) && (Double.isNaN(max) || seconds * 1000 > max)) {
        max = seconds * 1000;
      }
    }
    return max;
  }
}
