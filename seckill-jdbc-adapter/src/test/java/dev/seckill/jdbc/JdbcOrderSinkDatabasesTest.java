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

import dev.seckill.jdbc.TestDatabases.SaleTotals;
import dev.seckill.spi.ConfirmedOrder;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link JdbcOrderSink} behaviour on each real database: summary semantics (counts only new
 * orders, one write per sale per batch), time zones, schema creation and a missing table. Every
 * test runs on H2, and on PostgreSQL and MariaDB when their URLs are set (see
 * {@link TestDatabases}).
 */
@Tag("slow")
class JdbcOrderSinkDatabasesTest {
  private static final Instant T0 = Instant.parse("2026-11-11T00:00:00Z");
  private static final String ORDERS = "seckill_dbt_order";
  private static final String SUMMARY = "seckill_dbt_summary";

  private static ConfirmedOrder order(long id, String sale, int quantity) {
    return new ConfirmedOrder(id, sale, "user-" + id, quantity, T0.plusMillis(id * 7));
  }

  private static JdbcOrderSink sinkWithSummary(DataSource ds) throws SQLException {
    TestDatabases.drop(ds, ORDERS, SUMMARY, SUMMARY + "_log");
    return JdbcOrderSink.builder(ds).table(ORDERS).summaryTable(SUMMARY).stockSummary(true)
        .createSchemaIfMissing(true).build();
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void summaryAddsUnitsAndOrdersPerSale(Dialect dialect) throws Exception {
    DataSource ds = TestDatabases.of(dialect, "dbt_summary");
    try (JdbcOrderSink sink = sinkWithSummary(ds)) {
      sink.store(List.of(order(1, "a", 1), order(2, "a", 2), order(3, "b", 5), order(4, "a", 1)));
      assertThat(TestDatabases.readSummary(ds, SUMMARY)).containsExactly(
          Map.entry("a", new SaleTotals(4, 3)), Map.entry("b", new SaleTotals(5, 1)));
    }
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void aRetriedBatchDoesNotDoubleCount(Dialect dialect) throws Exception {
    DataSource ds = TestDatabases.of(dialect, "dbt_retry");
    try (JdbcOrderSink sink = sinkWithSummary(ds)) {
      List<ConfirmedOrder> first = List.of(order(1, "a", 1), order(2, "a", 2), order(3, "b", 5));
      sink.store(first);
      sink.store(first); // the engine's retry after a commit whose reply was lost
      assertThat(TestDatabases.readSummary(ds, SUMMARY)).containsExactly(
          Map.entry("a", new SaleTotals(3, 2)), Map.entry("b", new SaleTotals(5, 1)));

      // Re-offered 2 and 3 inside a larger, reordered batch, with an order id repeated in it.
      sink.store(List.of(order(5, "c", 3), order(3, "b", 5), order(4, "a", 2), order(2, "a", 2),
          order(5, "c", 3)));
      assertThat(TestDatabases.readSummary(ds, SUMMARY)).containsExactly(
          Map.entry("a", new SaleTotals(5, 3)), Map.entry("b", new SaleTotals(5, 1)),
          Map.entry("c", new SaleTotals(3, 1)));
      assertThat(TestDatabases.readSummary(ds, SUMMARY))
          .isEqualTo(TestDatabases.aggregate(ds, ORDERS));
    }
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void theSummaryIsWrittenOncePerSalePerBatch(Dialect dialect) throws Exception {
    DataSource ds = TestDatabases.of(dialect, "dbt_once");
    try (JdbcOrderSink sink = sinkWithSummary(ds)) {
      installSummaryLog(ds, dialect);
      List<ConfirmedOrder> batch = new ArrayList<>();
      for (long id = 1; id <= 90; id++) {
        batch.add(order(id, "sale-" + (id % 3), 1 + (int) (id % 2)));
      }
      sink.store(batch);
      assertThat(summaryWrites(ds)).containsOnly(
          Map.entry("sale-0", 1L), Map.entry("sale-1", 1L), Map.entry("sale-2", 1L));

      sink.store(batch); // nothing new: no summary write at all
      assertThat(summaryWrites(ds)).containsOnly(
          Map.entry("sale-0", 1L), Map.entry("sale-1", 1L), Map.entry("sale-2", 1L));

      // 60 new orders of sale-0 and sale-1 plus the old 90: one more write for each of the two.
      List<ConfirmedOrder> next = new ArrayList<>(batch);
      for (long id = 91; id <= 150; id++) {
        next.add(order(id, "sale-" + (id % 2), 1));
      }
      sink.store(next);
      assertThat(summaryWrites(ds)).containsOnly(
          Map.entry("sale-0", 2L), Map.entry("sale-1", 2L), Map.entry("sale-2", 1L));
      assertThat(TestDatabases.readSummary(ds, SUMMARY))
          .isEqualTo(TestDatabases.aggregate(ds, ORDERS));
    }
  }

  private static void installSummaryLog(DataSource ds, Dialect dialect) throws SQLException {
    String log = SUMMARY + "_log";
    TestDatabases.exec(ds, "CREATE TABLE " + log + " (sale_id VARCHAR(128) NOT NULL)");
    switch (dialect) {
      case H2:
        TestDatabases.exec(ds, "CREATE TRIGGER " + SUMMARY + "_trg AFTER INSERT, UPDATE ON "
            + SUMMARY + " FOR EACH ROW CALL '" + SummaryLogTrigger.class.getName() + "'");
        break;
      case POSTGRESQL:
        TestDatabases.exec(ds,
            "CREATE OR REPLACE FUNCTION " + log + "_fn() RETURNS trigger LANGUAGE plpgsql AS"
                + " $$ BEGIN INSERT INTO " + log + " VALUES (NEW.sale_id); RETURN NEW; END $$",
            "CREATE TRIGGER " + SUMMARY + "_trg AFTER INSERT OR UPDATE ON " + SUMMARY
                + " FOR EACH ROW EXECUTE FUNCTION " + log + "_fn()");
        break;
      case MYSQL:
        TestDatabases.exec(ds,
            "CREATE TRIGGER " + SUMMARY + "_ins AFTER INSERT ON " + SUMMARY
                + " FOR EACH ROW INSERT INTO " + log + " VALUES (NEW.sale_id)",
            "CREATE TRIGGER " + SUMMARY + "_upd AFTER UPDATE ON " + SUMMARY
                + " FOR EACH ROW INSERT INTO " + log + " VALUES (NEW.sale_id)");
        break;
      default:
        throw new IllegalArgumentException(dialect.name());
    }
  }

  private static Map<String, Long> summaryWrites(DataSource ds) throws SQLException {
    Map<String, Long> writes = new TreeMap<>();
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT sale_id, COUNT(*) FROM " + SUMMARY
            + "_log GROUP BY sale_id")) {
      while (rs.next()) {
        writes.put(rs.getString(1), rs.getLong(2));
      }
    }
    return writes;
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void instantsRoundTripExactlyWhateverTheJvmTimeZone(Dialect dialect) throws Exception {
    DataSource ds = TestDatabases.of(dialect, "dbt_zone");
    TimeZone saved = TimeZone.getDefault();
    // +12:45 / +13:45 with daylight saving: any zone mix-up shows as a shifted instant.
    TimeZone.setDefault(TimeZone.getTimeZone("Pacific/Chatham"));
    try {
      TestDatabases.drop(ds, ORDERS);
      List<ConfirmedOrder> batch = List.of(
          new ConfirmedOrder(1, "s", "u1", 1, Instant.parse("2026-11-11T00:00:00.001Z")),
          new ConfirmedOrder(2, "s", "u2", 1, Instant.parse("2026-03-29T01:30:00.999Z")),
          new ConfirmedOrder(3, "s", "u3", 1, Instant.parse("1999-12-31T23:59:59.500Z")),
          new ConfirmedOrder(4, "s", "u4", 1, Instant.parse("2099-06-30T12:00:00.123Z")));
      try (JdbcOrderSink sink = JdbcOrderSink.builder(ds).table(ORDERS)
          .createSchemaIfMissing(true).build()) {
        sink.store(batch);
      }
      Map<Long, ConfirmedOrder> stored = TestDatabases.readOrders(ds, dialect, ORDERS);
      for (ConfirmedOrder o : batch) {
        assertThat(stored.get(o.orderId())).isEqualTo(o);
      }
    } finally {
      TimeZone.setDefault(saved);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void createsTheTableAndTheSaleUserIndexThenOpensAnExistingSchema(Dialect dialect)
      throws Exception {
    DataSource ds = TestDatabases.of(dialect, "dbt_schema");
    TestDatabases.drop(ds, ORDERS, SUMMARY);
    JdbcOrderSink.builder(ds).table(ORDERS).stockSummary(true).summaryTable(SUMMARY)
        .createSchemaIfMissing(true).build().close();
    assertThat(indexColumns(ds, ORDERS, ORDERS + "_sale_user_idx"))
        .containsExactly("sale_id", "user_id");
    // Without createSchemaIfMissing, an existing schema is accepted as it is.
    try (JdbcOrderSink sink = JdbcOrderSink.builder(ds).table(ORDERS).stockSummary(true)
        .summaryTable(SUMMARY).build()) {
      assertThat(sink.dialect()).isEqualTo(dialect);
      sink.store(List.of(order(1, "a", 1)));
    }
    assertThat(TestDatabases.readOrders(ds, dialect, ORDERS)).containsOnlyKeys(1L);
  }

  private static List<String> indexColumns(DataSource ds, String table, String index)
      throws SQLException {
    List<String> columns = new ArrayList<>();
    try (Connection c = ds.getConnection()) {
      DatabaseMetaData md = c.getMetaData();
      String name = md.storesUpperCaseIdentifiers() ? table.toUpperCase(Locale.ROOT) : table;
      try (ResultSet rs = md.getIndexInfo(c.getCatalog(), null, name, false, false)) {
        while (rs.next()) {
          String indexName = rs.getString("INDEX_NAME");
          if (indexName != null && indexName.equalsIgnoreCase(index)) {
            columns.add(rs.getShort("ORDINAL_POSITION") - 1,
                rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
          }
        }
      }
    }
    return columns;
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void aMissingTableWithoutCreateSchemaFailsTheBuild(Dialect dialect) throws Exception {
    DataSource ds = TestDatabases.of(dialect, "dbt_missing");
    TestDatabases.drop(ds, "seckill_dbt_absent");
    assertThatThrownBy(() -> JdbcOrderSink.builder(ds).table("seckill_dbt_absent").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("table seckill_dbt_absent does not exist")
        .hasMessageContaining("createSchemaIfMissing(true)")
        .hasMessageContaining(dialect.schemaResource())
        .hasCauseInstanceOf(SQLException.class);
  }
}
