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

import dev.seckill.Sale;
import dev.seckill.SeckillEngine;
import dev.seckill.spring.SeckillEngineBuilderCustomizer;
import dev.seckill.spring.SeckillProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What the shop adds to the engine that seckill-spring-boot-starter builds from {@code seckill.*}
 * (with its JDBC order sink on Boot's DataSource, closed with the context before the pool): the
 * clock, a guard against a new ledger over an old orders table, and the shop's one sale.
 */
@Configuration(proxyBeanMethods = false)
public class EngineConfiguration {
  private static final Logger log = LoggerFactory.getLogger(EngineConfiguration.class);

  /** The engine's time; tests replace it with a clock they move. */
  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  /**
   * Gives the engine the shop's clock and refuses to start a new ledger over a table that already
   * holds orders (not in cluster mode, where order ids carry the node's id). Runs when the
   * starter builds the engine, after its sink created the table.
   */
  @Bean
  SeckillEngineBuilderCustomizer shopEngine(Clock clock, SeckillProperties seckill,
      ShopProperties props, JdbcTemplate jdbc) {
    return builder -> {
      builder.clock(clock);
      if (seckill.getCluster().isEnabled()) {
        // Cluster mode: the orders table is shared by every instance, and each data directory
        // gets its own node id from the coordinator, carried in its order ids: a new ledger
        // cannot reuse another's ids, so there is nothing to guard.
        return;
      }
      Path ledgerDir = seckill.getDataDir();
      Long stored = jdbc.queryForObject("SELECT COUNT(*) FROM " + props.table(), Long.class);
      if (ledgerDir != null && isMissingOrEmpty(ledgerDir) && stored != null && stored > 0) {
        // Order ids come from the ledger's sequence: a new ledger would hand out ids the table
        // already holds, and the idempotent sink would keep the old rows instead of the new orders.
        throw new IllegalStateException("table " + props.table() + " already holds " + stored
            + " orders but the ledger at " + ledgerDir.toAbsolutePath() + " is new: order ids"
            + " would collide. Point shop.data-dir at the ledger that wrote those orders, or empty"
            + " the table (and seckill_sale_summary) before starting over.");
      }
    };
  }

  /** Registers the shop's sale ({@code shop.sale}) once the engine runs. */
  @Bean
  Sale shopSale(SeckillEngine engine, SeckillProperties seckill, ShopProperties props,
      Clock clock) {
    try {
      Sale sale = engine.registerSale(sale(props.sale(), clock));
      log.info("seckill engine on {} (database: {}), sale {}",
          seckill.getDataDir().toAbsolutePath(), props.table(), sale);
      return sale;
    } catch (IllegalArgumentException ex) {
      throw new IllegalStateException("the ledger at " + seckill.getDataDir().toAbsolutePath()
          + " holds sale '" + props.sale().id() + "' with other settings (" + ex.getMessage()
          + "). A sale cannot change once registered: give it a new shop.sale.id, use the"
          + " settings it was created with (absolute shop.sale.starts-at/ends-at survive restarts,"
          + " starts-in does not), or use a new shop.data-dir with an empty database.", ex);
    }
  }

  /** The sale from {@code shop.sale}, its relative times taken from {@code clock} now. */
  static Sale sale(ShopProperties.SaleSettings s, Clock clock) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Instant startsAt = s.startsAt() != null ? s.startsAt() : now.plus(s.startsIn());
    Instant endsAt = s.endsAt() != null ? s.endsAt() : startsAt.plus(s.duration());
    Sale.Builder b = Sale.builder(s.id())
        .stock(s.stock())
        .limitPerUser(s.limitPerUser())
        .startsAt(startsAt)
        .endsAt(endsAt)
        .requireToken(s.requireToken());
    if (s.payWithin() != null && !s.payWithin().isZero()) {
      b.payWithin(s.payWithin());
    }
    return b.build();
  }

  private static boolean isMissingOrEmpty(Path dir) {
    if (!Files.isDirectory(dir)) {
      return true;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }
}
