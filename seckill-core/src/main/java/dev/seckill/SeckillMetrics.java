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

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * Binds an engine's figures to a Micrometer {@link MeterRegistry}, in the manner of HikariCP's
 * metrics tracker: {@code new SeckillMetrics(engine).bindTo(registry)}. Micrometer is an optional
 * dependency of seckill-core: the engine runs without it; only this class needs it.
 *
 * <p>Every meter reads a figure the engine already keeps (the same counters behind
 * {@link SeckillEngine#snapshot} and {@link SeckillEngine#health()}), when the registry asks:
 * binding adds no work to the submit path. Meters (tags in brackets; names follow Micrometer's
 * conventions, so Prometheus shows {@code seckill_decisions_total} and so on):
 * <ul>
 *   <li>{@code seckill.decisions} (sale, outcome), function counter: decisions per outcome,
 *       {@code outcome} = {@code confirmed} or a {@link Rejection} in lower case
 *       ({@code sold_out}, {@code overloaded}, ...). Equal to {@link SaleSnapshot#ordersConfirmed()}
 *       and {@link SaleSnapshot#rejected(Rejection)}. Refusals that name no registered sale
 *       ({@code UNKNOWN_SALE}) are not counted.
 *   <li>{@code seckill.stock.remaining}, {@code seckill.stock.sold} (sale), gauges, in units.
 *   <li>{@code seckill.stock.held}, {@code seckill.stock.paid} (sale), gauges, in units: for a
 *       sale with {@code payWithin}, units reserved and not paid yet, and units paid (0 for a
 *       sale without); {@code sold} counts both.
 *   <li>{@code seckill.ring.remaining}, {@code seckill.ring.capacity} (shard), gauges: free and
 *       total ring slots.
 *   <li>{@code seckill.outbox.size}, {@code seckill.outbox.capacity} (shard), gauges: confirmed
 *       orders not yet stored in the sink, and the bound.
 *   <li>{@code seckill.flush.batches}, {@code seckill.flush.stored} (orders),
 *       {@code seckill.flush.failures} (shard), function counters: stores that succeeded, orders in them, stores that threw.
 *   <li>{@code seckill.flush.last.failure} (shard), gauge: the last failed store's time by the
 *       engine's clock, in seconds since the epoch; NaN before any.
 *   <li>{@code seckill.dead.letters} (shard), gauge: orders the sink refused for good.
 *   <li>{@code seckill.orders.voided} (shard), counter: orders the sink voided at settlement
 *       ({@code SeckillEngine.voidedOrders()}).
 *   <li>{@code seckill.outbox.oldest.age} (shard), gauge: seconds since the oldest order not yet
 *       stored was confirmed (engine clock), as the flusher last read it; 0 when none.
 *   <li>{@code seckill.admission.tracked} (key = user/address), gauge: keys a throttle tracks;
 *       {@code seckill.blocks} (key, kind = manual/automatic), gauge: blocks held.
 *   <li>{@code seckill.health} (no tag), gauge: 1 UP, 0.5 DEGRADED, 0 DOWN.
 *   <li>{@code seckill.decision.latency} (shard), function timer: count and total time of the
 *       sampled submit-to-decision latencies; and {@code seckill.decision.latency.percentile}
 *       (shard, phi = {@code 0.5}, {@code 0.9}, {@code 0.99}, {@code 0.999}), gauges in seconds,
 *       NaN before the first sample. The names and the {@code phi} tag are those Micrometer gives
 *       a {@code Timer}'s client-side percentiles; Prometheus shows
 *       {@code seckill_decision_latency_seconds_count}, {@code _sum} and
 *       {@code seckill_decision_latency_percentile_seconds{phi="0.99"}}.
 * </ul>
 * Sales registered after binding get their meters when they are registered.
 *
 * <p>Decision latency: one purchase in 64 per shard (those whose ring sequence is a multiple of
 * 64; deterministic, no counter on the submit path) is stamped with {@code System.nanoTime()} as
 * the caller publishes it; the shard's responder records the time until it hands the decision to
 * the listener or future (before the caller's callback runs). That covers the ring wait, the
 * ledger writer and the hand-off to the responder (with PERSISTED, also the wait for the sink).
 * Refusals decided on the caller's thread (invalid request, unknown sale, gate, admission cap, a
 * full ring) never enter the ring and are not sampled. Percentiles are since the engine started
 * (not a sliding window), from a log-scale histogram with 8 buckets per power of two: each is the
 * highest value of its bucket, at most 12.5% above the true value.
 */
public final class SeckillMetrics implements MeterBinder {
  private final SeckillEngine engine;
  private final Iterable<Tag> tags;
  private final Set<String> boundSales = ConcurrentHashMap.newKeySet();

  /**
   * Metrics for {@code engine}, without extra tags.
   *
   * @param engine the engine to watch; not null
   */
  public SeckillMetrics(SeckillEngine engine) {
    this(engine, Tags.empty());
  }

  /**
   * Metrics for {@code engine}, with {@code tags} added to every meter (for example the engine's
   * name when an application runs several).
   *
   * @param engine the engine to watch; not null
   * @param tags added to every meter; not null
   */
  public SeckillMetrics(SeckillEngine engine, Iterable<Tag> tags) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.tags = Objects.requireNonNull(tags, "tags");
  }

  /**
   * Registers the engine's meters in {@code registry}, and those of every sale registered later.
   *
   * @param registry the registry; not null
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    EngineAssembly parts = engine.parts();
    Shards shards = parts.shards();
    for (int i = 0; i < shards.count(); i++) {
      bindShard(registry, shards.get(i));
    }
    bindAdmission(registry, parts.admission());
    Gauge.builder("seckill.health", engine, SeckillMetrics::healthValue).tags(tags)
        .description("1 UP, 0.5 DEGRADED, 0 DOWN (SeckillEngine.health())").register(registry);
    parts.sales().watch(sale -> bindSale(registry, sale));
  }

  private void bindShard(MeterRegistry registry, Shard shard) {
    Tags t = Tags.of(tags).and("shard", Integer.toString(shard.index()));
    gauge(registry, "seckill.ring.remaining", t, shard, Shard::remainingCapacity, null,
        "free slots in the shard's ring");
    gauge(registry, "seckill.ring.capacity", t, shard, s -> s.ringSize(), null,
        "slots in the shard's ring");
    gauge(registry, "seckill.outbox.size", t, shard, s -> s.ledger().outboxSize(), "orders",
        "confirmed orders not yet stored in the order sink");
    gauge(registry, "seckill.outbox.capacity", t, engine,
        e -> e.parts().health().outboxCapacity(), "orders",
        "unflushed orders a shard holds before refusing with OVERLOADED");
    counter(registry, "seckill.flush.batches", t, shard,
        s -> s.flushStats().map(FlushStats::storedBatches).orElse(0L), null,
        "batches the order sink stored");
    counter(registry, "seckill.flush.stored", t, shard,
        s -> s.flushStats().map(FlushStats::storedOrders).orElse(0L), "orders",
        "orders the order sink stored");
    counter(registry, "seckill.flush.failures", t, shard,
        s -> s.flushStats().map(FlushStats::failedStores).orElse(0L), null,
        "stores that threw (each retried)");
    gauge(registry, "seckill.flush.last.failure", t, shard, SeckillMetrics::lastFailureSeconds,
        "seconds", "time of the last failed store, seconds since the epoch (engine clock)");
    counter(registry, "seckill.orders.voided", t, shard, Shard::voidedOrders, "orders",
        "orders the sink voided at settlement (cluster mode: lease lost, or the per-user limit"
            + " held on another node)");
    gauge(registry, "seckill.dead.letters", t, shard, Shard::deadLetteredOrders, "orders",
        "orders the sink refused for good, parked in the dead-letter file");
    gauge(registry, "seckill.outbox.oldest.age", t, shard, this::oldestUnflushedAgeSeconds,
        "seconds", "age of the oldest order not yet stored in the sink (engine clock); 0 if none");
    LatencyHistogram latency = shard.decisionLatency();
    FunctionTimer.builder("seckill.decision.latency", latency, LatencyHistogram::count,
            LatencyHistogram::totalNanos, TimeUnit.NANOSECONDS)
        .tags(t).description("submit to decision, sampled 1 in " + Shard.LATENCY_SAMPLE_EVERY
            + " purchases entering the ring")
        .register(registry);
    for (String phi : PERCENTILES) {
      double q = Double.parseDouble(phi);
      gauge(registry, "seckill.decision.latency.percentile", t.and("phi", phi), latency,
          h -> seconds(h.quantileNanos(q)), "seconds",
          "submit to decision, sampled; percentile since start (log buckets, <= 12.5% high)");
    }
  }

  private void bindAdmission(MeterRegistry registry, Admission admission) {
    Tags user = Tags.of(tags).and("key", "user");
    Tags address = Tags.of(tags).and("key", "address");
    gauge(registry, "seckill.admission.tracked", user, admission,
        a -> a.userThrottle().trackedCount(), null, "keys the throttle tracks now (estimate)");
    gauge(registry, "seckill.admission.tracked", address, admission,
        a -> a.addressThrottle().trackedCount(), null, "keys the throttle tracks now (estimate)");
    gauge(registry, "seckill.blocks", user.and("kind", "manual"), admission,
        a -> a.userBlocks().manualCount(), null, "blocks held");
    gauge(registry, "seckill.blocks", user.and("kind", "automatic"), admission,
        a -> a.userBlocks().automaticCount(), null, "blocks held");
    gauge(registry, "seckill.blocks", address.and("kind", "manual"), admission,
        a -> a.addressBlocks().manualCount(), null, "blocks held");
    gauge(registry, "seckill.blocks", address.and("kind", "automatic"), admission,
        a -> a.addressBlocks().automaticCount(), null, "blocks held");
  }

  private double oldestUnflushedAgeSeconds(Shard shard) {
    long oldest = shard.flushStats().map(FlushStats::oldestUnflushedMillis).orElse(-1L);
    if (oldest < 0 || shard.ledger().outboxSize() == 0) {
      return 0;
    }
    return Math.max(0, engine.clock().millis() - oldest) / 1000.0;
  }

  /** The {@code phi} tags of {@code seckill.decision.latency.percentile}. */
  private static final String[] PERCENTILES = {"0.5", "0.9", "0.99", "0.999"};

  private static double seconds(long nanos) {
    return nanos < 0 ? Double.NaN : nanos / 1e9;
  }

  private void bindSale(MeterRegistry registry, SaleState sale) {
    if (!boundSales.add(sale.sale().id())) {
      return;
    }
    Tags t = Tags.of(tags).and("sale", sale.sale().id());
    counter(registry, "seckill.decisions", t.and("outcome", "confirmed"), sale,
        SaleState::publishedOrders, null, "decisions by outcome");
    for (Rejection reason : Rejection.values()) {
      counter(registry, "seckill.decisions", t.and("outcome", reason.name().toLowerCase(Locale.ROOT)),
          sale, s -> s.rejections(reason), null, "decisions by outcome");
    }
    gauge(registry, "seckill.stock.remaining", t, sale, SaleState::publishedRemaining, "units",
        "units not yet sold");
    gauge(registry, "seckill.stock.sold", t, sale,
        s -> s.totalStock() - s.publishedRemaining(), "units", "units sold");
    gauge(registry, "seckill.stock.held", t, sale, SaleState::publishedHeld, "units",
        "units reserved and not paid yet (a sale with payWithin)");
    gauge(registry, "seckill.stock.paid", t, sale, SaleState::publishedPaid, "units",
        "units of paid reservations (a sale with payWithin)");
  }

  private static <T> void gauge(MeterRegistry registry, String name, Tags tags, T state,
      ToDoubleFunction<T> value, @Nullable String unit, String description) {
    Gauge.Builder<T> b = Gauge.builder(name, state, value).tags(tags).description(description)
        .strongReference(true);
    if (unit != null) {
      b.baseUnit(unit);
    }
    b.register(registry);
  }

  private static <T> void counter(MeterRegistry registry, String name, Tags tags, T state,
      ToDoubleFunction<T> value, @Nullable String unit, String description) {
    FunctionCounter.Builder<T> b = FunctionCounter.builder(name, state, value).tags(tags)
        .description(description);
    if (unit != null) {
      b.baseUnit(unit);
    }
    b.register(registry);
  }

  private static double lastFailureSeconds(Shard shard) {
    long millis = shard.flushStats().map(FlushStats::lastFailureAtMillis).orElse(-1L);
    return millis < 0 ? Double.NaN : millis / 1000.0;
  }

  private static double healthValue(SeckillEngine engine) {
    switch (engine.health().status()) {
      case UP:
        return 1;
      case DEGRADED:
        return 0.5;
      default:
        return 0;
    }
  }
}
