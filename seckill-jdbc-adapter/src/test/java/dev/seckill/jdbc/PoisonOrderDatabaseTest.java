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
package dev.seckill.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seckill.PurchaseRequest;
import dev.seckill.PurchaseResult;
import dev.seckill.Sale;
import dev.seckill.SeckillEngine;
import dev.seckill.spi.ConfirmedOrder;
import dev.seckill.spi.PermanentSinkException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A row the database refuses for good (SQLSTATE class 22 or 23) is a {@link
 * PermanentSinkException}, so the engine dead-letters that one order and stores the rest, on real
 * databases; a lost connection stays transient.
 */
class PoisonOrderDatabaseTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");

  @TempDir Path dir;

  @Test
  void postgresRefusesNulWithAPermanentFailureAndStoresNothingOfTheBatch() throws Exception {
    DataSource ds = TestDatabases.postgres();
    String table = "poison_nul";
    TestDatabases.drop(ds, table);
    try (JdbcOrderSink sink = JdbcOrderSink.builder(ds).table(table).createSchemaIfMissing(true)
        .build()) {
      // The engine refuses such ids now (INVALID_REQUEST); a sink called directly still meets them.
      List<ConfirmedOrder> batch = List.of(new ConfirmedOrder(1, "s", "fine", 1, START),
          new ConfirmedOrder(2, "s", "nul\u0000here", 1, START));
      assertThatThrownBy(() -> sink.store(batch))
          .isInstanceOf(PermanentSinkException.class)
          .hasMessageContaining("SQLSTATE 22021")
          .hasCauseInstanceOf(SQLException.class);
      assertThat(TestDatabases.readOrders(ds, Dialect.POSTGRESQL, table)).isEmpty();
      sink.store(batch.subList(0, 1));
      assertThat(TestDatabases.readOrders(ds, Dialect.POSTGRESQL, table)).containsOnlyKeys(1L);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL"})
  void aLostConnectionIsTransientNotPermanent(Dialect dialect) throws Exception {
    CuttableDataSource ds = new CuttableDataSource(TestDatabases.of(dialect, "poison_cut"));
    String table = "poison_cut";
    TestDatabases.drop(ds, table);
    try (JdbcOrderSink sink = JdbcOrderSink.builder(ds).table(table).createSchemaIfMissing(true)
        .build()) {
      ds.cut();
      assertThatThrownBy(() -> sink.store(List.of(new ConfirmedOrder(1, "s", "u", 1, START))))
          .isInstanceOf(SQLException.class)
          .isNotInstanceOf(PermanentSinkException.class);
      ds.restore();
    }
  }

  /**
   * On MySQL/MariaDB the insert is an {@code INSERT IGNORE}, which turns the CHECK violation into
   * a warning and skips the row; the writer reads the warning back, so the order is dead-lettered
   * rather than silently lost.
   */
  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void aCheckConstraintViolationIsDeadLetteredAndTheRestOfTheBatchLands(Dialect dialect)
      throws Exception {
    CuttableDataSource ds = new CuttableDataSource(TestDatabases.of(dialect, "poison_check"));
    String table = "poison_check";
    String summary = table + "_summary";
    TestDatabases.drop(ds, table, summary);
    JdbcOrderSink sink = JdbcOrderSink.builder(ds).table(table).summaryTable(summary)
        .createSchemaIfMissing(true).stockSummary(true).build();
    // The poison: a rule in the database the engine knows nothing of (SQLSTATE 23514).
    TestDatabases.exec(ds, "ALTER TABLE " + table + " ADD CONSTRAINT " + table
        + "_user_ok CHECK (user_id <> 'poison')");
    Path data = dir.resolve("ledger-" + dialect);
    Set<Long> good = new HashSet<>();
    long poison;
    try (SeckillEngine engine = SeckillEngine.builder().dataDir(data)
        .clock(Clock.fixed(START, ZoneOffset.UTC)).orderSink(sink).flushBatchSize(100)
        .flushRetryBackoff(Duration.ofMillis(5), Duration.ofMillis(50)).build()) {
      engine.registerSale(Sale.builder("s").stock(1_000).startsAt(START)
          .endsAt(START.plus(Duration.ofHours(1))).limitPerUser(1).build());
      ds.cut(); // an outage first, so the poison waits in the outbox inside a full batch
      List<CompletableFuture<PurchaseResult>> fs = new ArrayList<>();
      for (int i = 0; i < 250; i++) {
        fs.add(engine.submit(PurchaseRequest.of("s", i == 137 ? "poison" : "u" + i, 1)));
      }
      for (CompletableFuture<PurchaseResult> f : fs) {
        assertThat(f.join().isConfirmed()).isTrue();
        good.add(f.join().orderId());
      }
      poison = fs.get(137).join().orderId();
      good.remove(poison);
      ds.restore();
      engine.flush().get(60, TimeUnit.SECONDS); // before the fix: never completed

      assertThat(TestDatabases.readOrders(ds, dialect, table).keySet()).isEqualTo(good);
      assertThat(TestDatabases.readSummary(ds, summary))
          .isEqualTo(TestDatabases.aggregate(ds, table));
      assertThat(engine.outboxSize()).isZero();
      assertThat(engine.deadLetteredOrders()).isEqualTo(1);
    }
    List<String> lines = Files.readAllLines(data.resolve("shard-0").resolve("dead-letters.jsonl"),
        StandardCharsets.UTF_8);
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0))
        .startsWith("{\"orderId\":" + poison + ",\"saleId\":\"s\",\"userId\":\"poison\","
            + "\"quantity\":1,\"confirmedAt\":\"" + START + "\"")
        .contains("\"errorClass\":\"dev.seckill.spi.PermanentSinkException\"",
            "the database refused order " + poison + " for good (SQLSTATE 23")
        .containsIgnoringCase(table + "_user_ok");
  }
}
