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

import dev.seckill.OrderState;
import dev.seckill.PurchaseRequest;
import dev.seckill.Sale;
import dev.seckill.SaleSnapshot;
import dev.seckill.SeckillEngine;
import dev.seckill.spi.ConfirmedOrder;
import dev.seckill.spi.OrderStateChange;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The summary's paid and released units ({@code stockSummary(true)} with
 * {@code orderStates(true)}): only state changes that applied count, a replay or an older version
 * adds nothing, a failure rolls back the states and the summary together, an older summary table
 * is refused naming the missing column, and after an engine's pays, cancels and expiries held
 * units ({@code units_sold - units_paid - units_released}) match the ledger. On H2 always;
 * PostgreSQL and MariaDB when their URLs are set.
 */
@Tag("slow")
class SummaryStatesDatabaseTest {
  static final Instant AT = OrderStatesDatabaseTest.START;

  @TempDir Path dir;

  private static String table(Dialect d) {
    return "seckill_sumst_" + d.name().toLowerCase(java.util.Locale.ROOT);
  }

  private static String summary(Dialect d) {
    return table(d) + "_summary";
  }

  private static JdbcOrderSink sink(DataSource ds, Dialect d) throws SQLException {
    TestDatabases.drop(ds, table(d), summary(d));
    return JdbcOrderSink.builder(ds).table(table(d)).summaryTable(summary(d))
        .createSchemaIfMissing(true).stockSummary(true).orderStates(true).build();
  }

  /** Sale id to {units_sold, orders, units_paid, units_released}, as the summary holds them. */
  static Map<String, List<Long>> summaryRows(DataSource ds, String summary) throws SQLException {
    return rows(ds, "SELECT sale_id, units_sold, orders, units_paid, units_released FROM "
        + summary);
  }

  /** The same four figures recomputed from the orders table. */
  static Map<String, List<Long>> aggregate(DataSource ds, String table) throws SQLException {
    return rows(ds, "SELECT sale_id, SUM(quantity), COUNT(*),"
        + " SUM(CASE WHEN state = 'PAID' THEN quantity ELSE 0 END),"
        + " SUM(CASE WHEN state IN ('CANCELLED', 'EXPIRED') THEN quantity ELSE 0 END)"
        + " FROM " + table + " GROUP BY sale_id");
  }

  private static Map<String, List<Long>> rows(DataSource ds, String sql) throws SQLException {
    Map<String, List<Long>> out = new TreeMap<>();
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.put(rs.getString(1), List.of(rs.getLong(2), rs.getLong(3), rs.getLong(4),
            rs.getLong(5)));
      }
    }
    return out;
  }

  private static OrderStateChange change(long id, String sale, OrderState state, int version,
      int quantity) {
    return new OrderStateChange(id, sale, state, version, quantity, AT);
  }

  /** Orders 1-6 of sale "a" (quantities 1, 2, 3, 1, 2, 3) and 7-9 of sale "b" (quantity 2). */
  private static List<ConfirmedOrder> orders() {
    List<ConfirmedOrder> out = new ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      out.add(new ConfirmedOrder(i, "a", "u" + i, (i - 1) % 3 + 1, AT));
    }
    for (int i = 7; i <= 9; i++) {
      out.add(new ConfirmedOrder(i, "b", "u" + i, 2, AT));
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void onlyChangesThatApplyCount(Dialect d) throws Exception {
    DataSource ds = TestDatabases.of(d, "sumst");
    try (JdbcOrderSink sink = sink(ds, d)) {
      sink.store(orders());
      assertThat(summaryRows(ds, summary(d))).containsOnly(
          Map.entry("a", List.of(12L, 6L, 0L, 0L)), Map.entry("b", List.of(6L, 3L, 0L, 0L)));

      List<OrderStateChange> first = List.of(
          change(1, "a", OrderState.PAID, 2, 1),
          change(2, "a", OrderState.EXPIRED, 2, 2),
          change(3, "a", OrderState.CANCELLED, 2, 3),
          change(7, "b", OrderState.PAID, 2, 2),
          change(99, "a", OrderState.PAID, 2, 5)); // not stored (dead-lettered): counts nothing
      sink.storeStateChanges(first);
      Map<String, List<Long>> afterFirst = summaryRows(ds, summary(d));
      assertThat(afterFirst).containsOnly(
          Map.entry("a", List.of(12L, 6L, 1L, 5L)), Map.entry("b", List.of(6L, 3L, 2L, 0L)));
      assertThat(aggregate(ds, table(d))).isEqualTo(afterFirst);

      // The same changes again, in reverse, twice, plus an older and an equal version: nothing.
      List<OrderStateChange> replay = new ArrayList<>(first);
      Collections.reverse(replay);
      replay.add(change(1, "a", OrderState.CANCELLED, 1, 1)); // older than the stored 2
      replay.add(change(2, "a", OrderState.PAID, 2, 2)); // same version as stored
      sink.storeStateChanges(replay);
      sink.storeStateChanges(replay);
      assertThat(summaryRows(ds, summary(d))).isEqualTo(afterFirst);
      assertThat(OrderStatesDatabaseTest.states(ds, table(d))).containsEntry(1L, "PAID/2")
          .containsEntry(2L, "EXPIRED/2");

      // A batch mixing applied changes with new ones: only the new ones count.
      List<OrderStateChange> mixed = new ArrayList<>(first);
      mixed.add(change(4, "a", OrderState.PAID, 2, 1));
      mixed.add(change(5, "a", OrderState.EXPIRED, 2, 2));
      mixed.add(change(8, "b", OrderState.CANCELLED, 2, 2));
      mixed.add(change(9, "b", OrderState.EXPIRED, 2, 2));
      mixed.add(change(9, "b", OrderState.EXPIRED, 2, 2)); // twice in one batch: once
      sink.storeStateChanges(mixed);
      Map<String, List<Long>> afterMixed = summaryRows(ds, summary(d));
      assertThat(afterMixed).containsOnly(
          Map.entry("a", List.of(12L, 6L, 2L, 7L)), Map.entry("b", List.of(6L, 3L, 2L, 4L)));
      assertThat(aggregate(ds, table(d))).isEqualTo(afterMixed);
      // held units: a = 12 - 2 - 7 = 3 (order 6, quantity 3), b = 0
      assertThat(held(ds, summary(d))).containsOnly(Map.entry("a", 3L), Map.entry("b", 0L));

      // Storing the orders again changes nothing either.
      sink.store(orders());
      assertThat(summaryRows(ds, summary(d))).isEqualTo(afterMixed);
    }
  }

  /** The documented held-units query. */
  static Map<String, Long> held(DataSource ds, String summary) throws SQLException {
    Map<String, Long> out = new TreeMap<>();
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT sale_id, units_sold - units_paid - units_released"
            + " AS units_held FROM " + summary)) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getLong(2));
      }
    }
    return out;
  }

  /**
   * A version above the stored one replaces the state it counted: a PAID order moved to
   * CANCELLED (which the ledger never does, but the sink does not rely on that) leaves paid and
   * counts released, so the summary still equals the table's aggregate.
   */
  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void aNewerVersionReplacesWhatTheOldStateCounted(Dialect d) throws Exception {
    DataSource ds = TestDatabases.of(d, "sumst-newer");
    try (JdbcOrderSink sink = sink(ds, d)) {
      sink.store(orders());
      sink.storeStateChanges(List.of(change(3, "a", OrderState.PAID, 2, 3),
          change(3, "a", OrderState.CANCELLED, 3, 3))); // one batch, both apply in order
      sink.storeStateChanges(List.of(change(2, "a", OrderState.PAID, 2, 2)));
      sink.storeStateChanges(List.of(change(2, "a", OrderState.EXPIRED, 3, 2)));
      assertThat(summaryRows(ds, summary(d))).containsEntry("a", List.of(12L, 6L, 0L, 5L))
          .isEqualTo(aggregate(ds, table(d)));
    }
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void aFailureRollsBackTheStatesAndTheSummaryTogether(Dialect d) throws Exception {
    DataSource ds = TestDatabases.of(d, "sumst-fail");
    try (JdbcOrderSink sink = sink(ds, d)) {
      sink.store(orders());
      sink.storeStateChanges(List.of(change(1, "a", OrderState.PAID, 2, 1)));
      Map<String, List<Long>> before = summaryRows(ds, summary(d));
      Map<Long, String> statesBefore = OrderStatesDatabaseTest.states(ds, table(d));
      // Sale b may release at most 2 units: the summary upsert of the batch below fails after
      // its state updates ran, so the database refuses the whole transaction.
      TestDatabases.exec(ds, "ALTER TABLE " + summary(d) + " ADD CONSTRAINT " + summary(d)
          + "_ck CHECK (units_released <= 2)");
      List<OrderStateChange> batch = List.of(change(4, "a", OrderState.PAID, 2, 1),
          change(7, "b", OrderState.EXPIRED, 2, 2), change(8, "b", OrderState.CANCELLED, 2, 2));
      assertThatThrownBy(() -> sink.storeStateChanges(batch)).isInstanceOf(SQLException.class);
      assertThat(OrderStatesDatabaseTest.states(ds, table(d))).isEqualTo(statesBefore);
      assertThat(summaryRows(ds, summary(d))).isEqualTo(before);

      // Within the constraint, the same kind of batch commits, states and summary together.
      sink.storeStateChanges(batch.subList(0, 2));
      assertThat(summaryRows(ds, summary(d))).containsOnly(
          Map.entry("a", List.of(12L, 6L, 2L, 0L)), Map.entry("b", List.of(6L, 3L, 0L, 2L)))
          .isEqualTo(aggregate(ds, table(d)));
    }
  }

  /**
   * Two sinks storing the same changes at once (a replay racing the original): the row locks
   * make one of them apply each change and the other see it applied, so each counts once.
   */
  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void concurrentReplaysCountOnce(Dialect d) throws Exception {
    DataSource ds = TestDatabases.of(d, "sumst-race");
    List<ConfirmedOrder> many = new ArrayList<>();
    List<OrderStateChange> changes = new ArrayList<>();
    for (int i = 1; i <= 200; i++) {
      String sale = i % 2 == 0 ? "a" : "b";
      many.add(new ConfirmedOrder(i, sale, "u" + i, 1 + i % 3, AT));
      OrderState s = i % 3 == 0 ? OrderState.PAID
          : i % 3 == 1 ? OrderState.CANCELLED : OrderState.EXPIRED;
      changes.add(change(i, sale, s, 2, 1 + i % 3));
    }
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (JdbcOrderSink sink = sink(ds, d);
        JdbcOrderSink other = JdbcOrderSink.builder(ds).table(table(d)).summaryTable(summary(d))
            .stockSummary(true).orderStates(true).build()) {
      sink.store(many);
      for (int round = 0; round < 3; round++) {
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Void>> runs = new ArrayList<>();
        for (JdbcOrderSink s : List.of(sink, other)) {
          runs.add(CompletableFuture.runAsync(() -> {
            try {
              go.await();
              s.storeStateChanges(changes);
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }, pool));
        }
        go.countDown();
        for (CompletableFuture<Void> r : runs) {
          r.get(2, TimeUnit.MINUTES);
        }
      }
      assertThat(summaryRows(ds, summary(d))).isEqualTo(aggregate(ds, table(d)));
      long paid = 0;
      long released = 0;
      for (OrderStateChange c : changes) {
        if (c.state() == OrderState.PAID) {
          paid += c.quantity();
        } else {
          released += c.quantity();
        }
      }
      long summed = 0;
      long summedReleased = 0;
      for (List<Long> row : summaryRows(ds, summary(d)).values()) {
        summed += row.get(2);
        summedReleased += row.get(3);
      }
      assertThat(summed).isEqualTo(paid);
      assertThat(summedReleased).isEqualTo(released);
    } finally {
      pool.shutdownNow();
    }
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void anOlderSummaryTableIsRefusedNamingTheColumnThenUpgradedAsDocumented(Dialect d)
      throws Exception {
    DataSource ds = TestDatabases.of(d, "sumst-old");
    String t = table(d) + "_o";
    String s = summary(d) + "_o";
    TestDatabases.drop(ds, t, s);
    // The summary table as 0.1.0 created it.
    TestDatabases.exec(ds, "CREATE TABLE " + s + " (sale_id VARCHAR(128) NOT NULL PRIMARY KEY,"
        + " units_sold BIGINT NOT NULL, orders BIGINT NOT NULL)");
    // Without orderStates the old table is fine; orders and states land as before.
    try (JdbcOrderSink summaryOnly = JdbcOrderSink.builder(ds).table(t).summaryTable(s)
        .createSchemaIfMissing(true).stockSummary(true).build();
        JdbcOrderSink statesOnly = JdbcOrderSink.builder(ds).table(t).orderStates(true).build()) {
      summaryOnly.store(orders());
      statesOnly.storeStateChanges(List.of(change(1, "a", OrderState.PAID, 2, 1),
          change(8, "b", OrderState.EXPIRED, 2, 2)));
    }
    assertThatThrownBy(() -> JdbcOrderSink.builder(ds).table(t).summaryTable(s)
        .stockSummary(true).orderStates(true).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("lacks the column units_paid")
        .hasMessageContaining("ALTER TABLE " + s + " ADD COLUMN units_paid");
    // createSchemaIfMissing does not alter an existing table either.
    assertThatThrownBy(() -> JdbcOrderSink.builder(ds).table(t).summaryTable(s)
        .createSchemaIfMissing(true).stockSummary(true).orderStates(true).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("units_paid");
    TestDatabases.exec(ds,
        "ALTER TABLE " + s + " ADD COLUMN units_paid BIGINT NOT NULL DEFAULT 0");
    assertThatThrownBy(() -> JdbcOrderSink.builder(ds).table(t).summaryTable(s)
        .stockSummary(true).orderStates(true).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("lacks the column units_released");
    TestDatabases.exec(ds,
        "ALTER TABLE " + s + " ADD COLUMN units_released BIGINT NOT NULL DEFAULT 0");
    // The documented backfill, for changes stored before the columns existed.
    TestDatabases.exec(ds, "UPDATE " + s + " SET"
        + " units_paid = (SELECT COALESCE(SUM(o.quantity), 0) FROM " + t + " o"
        + " WHERE o.sale_id = " + s + ".sale_id AND o.state = 'PAID'),"
        + " units_released = (SELECT COALESCE(SUM(o.quantity), 0) FROM " + t + " o"
        + " WHERE o.sale_id = " + s + ".sale_id AND o.state IN ('CANCELLED', 'EXPIRED'))");
    assertThat(summaryRows(ds, s)).containsOnly(
        Map.entry("a", List.of(12L, 6L, 1L, 0L)), Map.entry("b", List.of(6L, 3L, 0L, 2L)));
    try (JdbcOrderSink both = JdbcOrderSink.builder(ds).table(t).summaryTable(s)
        .stockSummary(true).orderStates(true).build()) {
      both.storeStateChanges(List.of(change(1, "a", OrderState.PAID, 2, 1), // already: nothing
          change(3, "a", OrderState.CANCELLED, 2, 3)));
    }
    assertThat(summaryRows(ds, s)).isEqualTo(aggregate(ds, t)).containsEntry("a",
        List.of(12L, 6L, 1L, 3L));
    TestDatabases.drop(ds, t, s);
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void heldUnitsMatchTheLedgerAfterPaysCancelsAndExpiries(Dialect d) throws Exception {
    DataSource ds = TestDatabases.of(d, "sumst-engine");
    OrderStatesDatabaseTest.Manual clock = new OrderStatesDatabaseTest.Manual();
    Duration payWithin = Duration.ofMinutes(2);
    JdbcOrderSink sink = sink(ds, d);
    try (SeckillEngine e = SeckillEngine.builder().dataDir(dir).clock(clock).developmentDefaults()
        .prefaultFiles(false).orderSink(sink).flushMaxDelay(Duration.ofMillis(1)).build()) {
      e.registerSale(Sale.builder("s").stock(100).startsAt(AT)
          .endsAt(AT.plus(Duration.ofHours(1))).limitPerUser(2).payWithin(payWithin).build());
      List<Long> early = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        early.add(e.submit(PurchaseRequest.of("s", "u" + i, 1 + i % 2)).join().orderId());
      }
      for (int i = 0; i < 20; i++) {
        long id = early.get(i);
        if (i % 2 == 0) {
          assertThat(e.pay(id, "psp-" + id).join().state()).isEqualTo(OrderState.PAID);
        } else {
          assertThat(e.cancel(id).join().state()).isEqualTo(OrderState.CANCELLED);
        }
      }
      clock.millis.addAndGet(payWithin.toMillis() / 2);
      List<Long> late = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        late.add(e.submit(PurchaseRequest.of("s", "v" + i, 1)).join().orderId());
      }
      // The 10 unpaid early reservations fall due; the 10 late ones are still held.
      clock.millis.addAndGet(payWithin.toMillis() / 2);
      for (int i = 20; i < 30; i++) {
        long id = early.get(i);
        assertThat(e.pay(id, "psp-" + id).join().state()).isEqualTo(OrderState.EXPIRED);
      }
      e.flush().join();
      SaleSnapshot snap = e.snapshot("s");
      List<Long> row = summaryRows(ds, summary(d)).get("s");
      assertThat(row).isNotNull();
      long unitsSold = row.get(0);
      assertThat(row.get(2)).isEqualTo(snap.paid());
      assertThat(unitsSold - row.get(2) - row.get(3)).isEqualTo(snap.held());
      assertThat(held(ds, summary(d))).containsOnly(Map.entry("s", snap.held()));
      assertThat(snap.held()).isEqualTo(10);
      assertThat(summaryRows(ds, summary(d))).isEqualTo(aggregate(ds, table(d)));
    }
  }
}
