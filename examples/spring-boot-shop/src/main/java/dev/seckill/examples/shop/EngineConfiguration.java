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

import dev.seckill.AdmissionSettings;
import dev.seckill.Sale;
import dev.seckill.SeckillEngine;
import dev.seckill.jdbc.JdbcOrderSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Wires the engine into the Spring context: the JDBC order sink on Boot's DataSource (HikariCP),
 * the engine on {@code shop.data-dir/ledger}, and the configured sale. The engine bean is closed
 * by the context on shutdown ({@code destroyMethod = "close"}); since it depends on the sink and
 * the sink on the DataSource, Spring closes it before the pool, so the last confirmed orders are
 * written to the database while the pool still works. With {@code server.shutdown=graceful} the
 * web server has stopped taking requests by then.
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
   * The sink writing confirmed orders to {@code shop.table}. Not closed by the context: the engine
   * owns it and closes it after its last flush.
   */
  @Bean(destroyMethod = "")
  JdbcOrderSink orderSink(DataSource dataSource, ShopProperties props) {
    return JdbcOrderSink.builder(dataSource)
        .table(props.table())
        .createSchemaIfMissing(true)
        .stockSummary(true)
        .build();
  }

  /** The engine, with the configured sale registered. */
  @Bean(destroyMethod = "close")
  SeckillEngine seckillEngine(ShopProperties props, Clock clock, JdbcOrderSink sink,
      JdbcTemplate jdbc) {
    if (props.dataDir() == null) {
      throw new IllegalStateException("shop.data-dir is not set");
    }
    Path ledgerDir = props.dataDir().resolve("ledger");
    boolean freshLedger = isMissingOrEmpty(ledgerDir);
    Long stored = jdbc.queryForObject("SELECT COUNT(*) FROM " + props.table(), Long.class);
    if (freshLedger && stored != null && stored > 0) {
      // Order ids come from the ledger's sequence: a new ledger would hand out ids the table
      // already holds, and the idempotent sink would keep the old rows instead of the new orders.
      throw new IllegalStateException("table " + props.table() + " already holds " + stored
          + " orders but the ledger at " + ledgerDir.toAbsolutePath() + " is new: order ids would"
          + " collide. Point shop.data-dir at the ledger that wrote those orders, or empty the table"
          + " (and seckill_sale_summary) before starting over.");
    }
    ShopProperties.EngineSettings e = props.engine();
    SeckillEngine engine = SeckillEngine.builder()
        .dataDir(ledgerDir)
        .clock(clock)
        .orderSink(sink)
        .durability(e.durability())
        .flushMaxDelay(e.flushMaxDelay())
        .maxUsersPerShard(e.maxUsersPerShard())
        .closeTimeout(e.closeTimeout())
        .admission(admission(props.admission()))
        .build();
    try {
      Sale sale = engine.registerSale(sale(props.sale(), clock));
      log.info("seckill engine on {} (database: {}), sale {}", ledgerDir.toAbsolutePath(),
          props.table(), sale);
    } catch (RuntimeException ex) {
      engine.close();
      if (ex instanceof IllegalArgumentException) {
        throw new IllegalStateException("the ledger at " + ledgerDir.toAbsolutePath() + " holds sale '"
            + props.sale().id() + "' with other settings (" + ex.getMessage() + "). A sale cannot"
            + " change once registered: give it a new shop.sale.id, use the settings it was created"
            + " with (absolute shop.sale.starts-at/ends-at survive restarts, starts-in does not),"
            + " or use a new shop.data-dir with an empty database.", ex);
      }
      throw ex;
    }
    return engine;
  }

  /** The sale from {@code shop.sale}, its relative times taken from {@code clock} now. */
  static Sale sale(ShopProperties.SaleSettings s, Clock clock) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Instant startsAt = s.startsAt() != null ? s.startsAt() : now.plus(s.startsIn());
    Instant endsAt = s.endsAt() != null ? s.endsAt() : startsAt.plus(s.duration());
    return Sale.builder(s.id())
        .stock(s.stock())
        .limitPerUser(s.limitPerUser())
        .startsAt(startsAt)
        .endsAt(endsAt)
        .requireToken(s.requireToken())
        .build();
  }

  private static AdmissionSettings admission(ShopProperties.AdmissionLimits a) {
    AdmissionSettings.Builder b = AdmissionSettings.builder()
        .tokenTtl(a.tokenTtl())
        .userThrottle(a.userAttempts(), a.window())
        .addressThrottle(a.addressAttempts(), a.window());
    if (!a.tokenSecret().isEmpty()) {
      b.tokenSecret(Base64.getDecoder().decode(a.tokenSecret()));
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
