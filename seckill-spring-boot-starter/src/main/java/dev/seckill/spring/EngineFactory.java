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

import dev.seckill.AdmissionSettings;
import dev.seckill.Cluster;
import dev.seckill.Durability;
import dev.seckill.HealthThresholds;
import dev.seckill.Sale;
import dev.seckill.SeckillEngine;
import dev.seckill.spi.OrderSink;
import dev.seckill.spi.StockCoordinator;
import java.util.Base64;

/** Turns {@link SeckillProperties} into a builder and sales; unset properties keep defaults. */
final class EngineFactory {
  private EngineFactory() {}

  static SeckillEngine.Builder builder(SeckillProperties p, OrderSink sink) {
    return builder(p, sink, null);
  }

  /**
   * The builder from the properties. With {@code seckill.cluster.enabled}, {@code coordinator}
   * (the JDBC one the auto-configuration built, or the application's) becomes the engine's
   * {@link Cluster}, durability is PERSISTED, and an application's {@code sink} is refused: the
   * coordinator's fenced sink stores the orders.
   */
  static SeckillEngine.Builder builder(SeckillProperties p, OrderSink sink,
      StockCoordinator coordinator) {
    if (p.getDataDir() == null) {
      throw new IllegalStateException("seckill.data-dir is not set: the engine needs a directory"
          + " for its ledger files (or set seckill.enabled=false)");
    }
    SeckillEngine.Builder b = SeckillEngine.builder();
    if (p.isDevelopmentDefaults()) {
      b.developmentDefaults();
    }
    b.dataDir(p.getDataDir());
    if (p.getShards() != null) {
      set("seckill.shards", () -> b.shards(p.getShards()));
    }
    if (p.getRingSize() != null) {
      set("seckill.ring-size", () -> b.ringSize(p.getRingSize()));
    }
    if (p.getIdleStrategy() != null) {
      b.idleStrategy(p.getIdleStrategy());
    }
    if (p.getPrefaultFiles() != null) {
      b.prefaultFiles(p.getPrefaultFiles());
    }
    if (p.getMaxUsersPerShard() != null) {
      set("seckill.max-users-per-shard", () -> b.maxUsersPerShard(p.getMaxUsersPerShard()));
    }
    if (p.getOutboxCapacityPerShard() != null) {
      set("seckill.outbox-capacity-per-shard",
          () -> b.outboxCapacityPerShard(p.getOutboxCapacityPerShard()));
    }
    if (p.getMaxSalesPerShard() != null) {
      set("seckill.max-sales-per-shard", () -> b.maxSalesPerShard(p.getMaxSalesPerShard()));
    }
    if (p.getMaxReservationsPerShard() != null) {
      set("seckill.max-reservations-per-shard",
          () -> b.maxReservationsPerShard(p.getMaxReservationsPerShard()));
    }
    if (p.getReservationRetention() != null) {
      set("seckill.reservation-retention",
          () -> b.reservationRetention(p.getReservationRetention()));
    }
    if (p.getReservationTickInterval() != null) {
      set("seckill.reservation-tick-interval",
          () -> b.reservationTickInterval(p.getReservationTickInterval()));
    }
    if (p.getMaxRequestIdsPerShard() != null) {
      set("seckill.max-request-ids-per-shard",
          () -> b.maxRequestIdsPerShard(p.getMaxRequestIdsPerShard()));
    }
    if (p.getRequestIdRetention() != null) {
      set("seckill.request-id-retention", () -> b.requestIdRetention(p.getRequestIdRetention()));
    }
    SeckillProperties.Cluster c = p.getCluster();
    if (c.isEnabled()) {
      if (p.getDurability() == Durability.LEDGER) {
        throw new IllegalStateException("seckill.durability=LEDGER cannot be used with"
            + " seckill.cluster.enabled=true: a node that dies could hold orders its buyers were"
            + " told about that the database never saw. Cluster mode is PERSISTED: leave"
            + " seckill.durability unset or set it to PERSISTED");
      }
      if (sink != null) {
        throw new IllegalStateException("seckill.cluster.enabled=true: the cluster coordinator"
            + " stores the orders (through its fenced sink), so the application's OrderSink bean "
            + sink + " cannot be used; remove it, or turn cluster mode off");
      }
      b.cluster(cluster(c, coordinator));
      b.durability(Durability.PERSISTED);
    } else if (p.getDurability() != null) {
      b.durability(p.getDurability());
    }
    if (p.getCloseTimeout() != null) {
      set("seckill.close-timeout", () -> b.closeTimeout(p.getCloseTimeout()));
    }
    if (sink != null) {
      b.orderSink(sink);
    }
    SeckillProperties.Flush f = p.getFlush();
    if (f.getBatchSize() != null) {
      set("seckill.flush.batch-size", () -> b.flushBatchSize(f.getBatchSize()));
    }
    if (f.getMaxDelay() != null) {
      set("seckill.flush.max-delay", () -> b.flushMaxDelay(f.getMaxDelay()));
    }
    if ((f.getInitialBackoff() == null) != (f.getMaxBackoff() == null)) {
      throw new IllegalStateException("seckill.flush.initial-backoff and seckill.flush.max-backoff"
          + " go together: set both or neither (initial-backoff=" + f.getInitialBackoff()
          + ", max-backoff=" + f.getMaxBackoff() + ")");
    }
    if (f.getInitialBackoff() != null) {
      set("seckill.flush.initial-backoff/max-backoff",
          () -> b.flushRetryBackoff(f.getInitialBackoff(), f.getMaxBackoff()));
    }
    b.healthThresholds(thresholds(p.getHealth()));
    admission(p.getAdmission(), b);
    return b;
  }

  private static Cluster cluster(SeckillProperties.Cluster c, StockCoordinator coordinator) {
    if (coordinator == null) {
      throw new IllegalStateException("seckill.cluster.enabled=true needs a stock coordinator:"
          + " put seckill-jdbc-adapter on the class path and give the application a DataSource"
          + " (spring.datasource.*), or define a StockCoordinator bean");
    }
    Cluster.Builder b = Cluster.builder(coordinator);
    if (c.getLeaseTtl() != null) {
      set("seckill.cluster.lease-ttl", () -> b.leaseTtl(c.getLeaseTtl()));
    }
    if (c.getReapGrace() != null) {
      set("seckill.cluster.reap-grace", () -> b.reapGrace(c.getReapGrace()));
    }
    if (c.getMaxClockDrift() != null) {
      set("seckill.cluster.max-clock-drift", () -> b.maxClockDrift(c.getMaxClockDrift()));
    }
    if (c.getSafetyMargin() != null) {
      set("seckill.cluster.safety-margin", () -> b.safetyMargin(c.getSafetyMargin()));
    }
    if (c.getChunkTarget() != null) {
      set("seckill.cluster.chunk-target", () -> b.chunkTarget(c.getChunkTarget()));
    }
    if (c.getInitialChunk() != null) {
      set("seckill.cluster.initial-chunk", () -> b.initialChunk(c.getInitialChunk()));
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      // build() checks the settings that depend on each other (safety margin against the ttl).
      throw new IllegalStateException("seckill.cluster.safety-margin, lease-ttl and"
          + " max-clock-drift: " + e.getMessage());
    }
  }

  private static HealthThresholds thresholds(SeckillProperties.Health h) {
    HealthThresholds t = HealthThresholds.defaults();
    if (h.getSinkFailingFor() != null) {
      t = set("seckill.health.sink-failing-for", t, x -> x.withSinkFailingFor(h.getSinkFailingFor()));
    }
    if (h.getOutboxFill() != null) {
      t = set("seckill.health.outbox-fill", t, x -> x.withOutboxFill(h.getOutboxFill()));
    }
    if (h.getRingFill() != null) {
      t = set("seckill.health.ring-fill", t, x -> x.withRingFill(h.getRingFill()));
    }
    return t;
  }

  private static void admission(SeckillProperties.Admission a, SeckillEngine.Builder b) {
    if (a.getTokenSecret() != null && a.getTokenSecret().isBlank()) {
      a.setTokenSecret(null); // an empty placeholder means "unset": a random secret per start
    }
    if (a.getTokenTtl() == null && a.getTokenSecret() == null && a.getUserAttempts() == null
        && a.getAddressAttempts() == null) {
      return; // the builder's permissive default
    }
    AdmissionSettings.Builder s = AdmissionSettings.builder();
    if (a.getTokenTtl() != null) {
      set("seckill.admission.token-ttl", () -> s.tokenTtl(a.getTokenTtl()));
    }
    if (a.getTokenSecret() != null) {
      final byte[] secret;
      try {
        secret = Base64.getDecoder().decode(a.getTokenSecret());
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("seckill.admission.token-secret is not Base64: "
            + e.getMessage());
      }
      set("seckill.admission.token-secret", () -> s.tokenSecret(secret));
    }
    if (a.getUserAttempts() != null) {
      set("seckill.admission.user-attempts",
          () -> s.userThrottle(a.getUserAttempts(), a.getThrottleWindow()));
    }
    if (a.getAddressAttempts() != null) {
      set("seckill.admission.address-attempts",
          () -> s.addressThrottle(a.getAddressAttempts(), a.getThrottleWindow()));
    }
    b.admission(s.build());
  }

  static Sale sale(SeckillProperties.SaleProperties s, int index) {
    String where = "seckill.sales[" + index + "]";
    if (s.getId() == null || s.getStartsAt() == null || s.getEndsAt() == null) {
      throw new IllegalStateException(where + " needs id, stock, starts-at and ends-at (id="
          + s.getId() + ", starts-at=" + s.getStartsAt() + ", ends-at=" + s.getEndsAt() + ")");
    }
    Sale.Builder b = Sale.builder(s.getId()).stock(s.getStock()).startsAt(s.getStartsAt())
        .endsAt(s.getEndsAt()).requireToken(s.isRequireToken());
    if (s.getLimitPerUser() != null) {
      b.limitPerUser(s.getLimitPerUser());
    }
    if (s.getMaxPerRequest() != null) {
      b.maxPerRequest(s.getMaxPerRequest());
    }
    try {
      if (s.getPayWithin() != null) {
        b.payWithin(s.getPayWithin());
      }
      if (s.isReleaseRestoresLimit()) {
        b.releaseRestoresLimit(true);
      }
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(where + ": " + e.getMessage());
    }
  }

  /** Applies one property, turning the builder's refusal into one naming the property. */
  private static void set(String property, Runnable apply) {
    try {
      apply.run();
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(property + ": " + e.getMessage());
    }
  }

  private static <T> T set(String property, T value, java.util.function.UnaryOperator<T> apply) {
    try {
      return apply.apply(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(property + ": " + e.getMessage());
    }
  }
}
