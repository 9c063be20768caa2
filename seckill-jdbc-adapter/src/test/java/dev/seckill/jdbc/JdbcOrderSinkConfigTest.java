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

import dev.seckill.spi.ConfirmedOrder;
import dev.seckill.spi.PermanentSinkException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/** Bad configuration of {@link JdbcOrderSink} fails early with a message that says what is wrong. */
class JdbcOrderSinkConfigTest {
  private final DataSource h2 = TestDatabases.h2("config");

  @Test
  void anUnknownDialectNameListsTheSupportedOnes() {
    assertThatThrownBy(() -> Dialect.of("oracle"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown dialect 'oracle'; supported: AUTO, H2, POSTGRESQL, MYSQL"
            + " (aliases: postgres, mariadb)");
    assertThat(Dialect.of("MariaDB")).isEqualTo(Dialect.MYSQL);
    assertThat(Dialect.of(" postgres ")).isEqualTo(Dialect.POSTGRESQL);
    assertThat(Dialect.of("h2")).isEqualTo(Dialect.H2);
  }

  @Test
  void autoDetectsTheProduct() {
    assertThat(Dialect.detect("H2")).isEqualTo(Dialect.H2);
    assertThat(Dialect.detect("PostgreSQL")).isEqualTo(Dialect.POSTGRESQL);
    assertThat(Dialect.detect("MySQL")).isEqualTo(Dialect.MYSQL);
    assertThat(Dialect.detect("MariaDB")).isEqualTo(Dialect.MYSQL);
    assertThatThrownBy(() -> Dialect.detect("Oracle"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'Oracle'")
        .hasMessageContaining("H2, PostgreSQL, MySQL, MariaDB");
  }

  @Test
  void badTableNamesAreRefusedWithTheSettingAndTheValue() {
    assertThatThrownBy(() -> JdbcOrderSink.builder(h2).table("orders; DROP TABLE x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("table must be an unquoted SQL identifier ([A-Za-z_][A-Za-z0-9_]*, at most 48"
            + " characters), was 'orders; DROP TABLE x'");
    assertThatThrownBy(() -> JdbcOrderSink.builder(h2).summaryTable("1sum"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("summaryTable must be an unquoted SQL identifier")
        .hasMessageEndingWith("was '1sum'");
    assertThatThrownBy(() -> JdbcOrderSink.builder(h2).table("x".repeat(49)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most 48 characters");
    assertThatThrownBy(() -> JdbcOrderSink.builder(h2).table("order"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("table must not be an SQL keyword, was 'order'");
    assertThatThrownBy(() -> JdbcOrderSink.builder(h2).table(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("was 'null'");
  }

  @Test
  void otherBadValues() {
    assertThatThrownBy(() -> JdbcOrderSink.builder(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dataSource must not be null");
    assertThatThrownBy(() -> JdbcOrderSink.builder(h2).dialect(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dialect must not be null");
    assertThatThrownBy(() -> JdbcOrderSink.builder(h2).deadlockRetries(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("deadlockRetries must be 0 to 100, was -1");
  }

  @Test
  void settingTwiceIsAnError() {
    JdbcOrderSink.Builder b = JdbcOrderSink.builder(h2).table("a_table");
    assertThatThrownBy(() -> b.table("b_table"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("table was already set");
    b.stockSummary(true);
    assertThatThrownBy(() -> b.stockSummary(false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("stockSummary was already set");
  }

  @Test
  void conflictingOptionsFailTheBuild() {
    assertThatThrownBy(() -> JdbcOrderSink.builder(h2).summaryTable("sums").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("summaryTable is set to 'sums' but stockSummary is off; enable"
            + " stockSummary(true) or drop summaryTable");
    assertThatThrownBy(() -> JdbcOrderSink.builder(h2).table("same").summaryTable("SAME")
        .stockSummary(true).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("summaryTable and table must differ, both are 'same'");
  }

  @Test
  void aMissingTableWithoutCreateSchemaNamesTheTableAndTheWayOut() {
    assertThatThrownBy(() -> JdbcOrderSink.builder(h2).table("no_such_orders").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("table no_such_orders does not exist or lacks the columns")
        .hasMessageContaining("Create it with the DDL in dev/seckill/jdbc/schema-h2.sql")
        .hasMessageEndingWith("or enable createSchemaIfMissing(true)")
        .hasCauseInstanceOf(SQLException.class);
  }

  @Test
  void aMissingSummaryTableIsNamedToo() throws Exception {
    TestDatabases.drop(h2, "cfg_orders", "cfg_sums");
    JdbcOrderSink.builder(h2).table("cfg_orders").createSchemaIfMissing(true).build().close();
    assertThatThrownBy(() -> JdbcOrderSink.builder(h2).table("cfg_orders").stockSummary(true)
        .summaryTable("cfg_sums").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("table cfg_sums does not exist");
  }

  @Test
  void aDataSourceThatCannotConnectFailsTheBuildWithItsCause(@TempDir Path dir) {
    JdbcDataSource absent = new JdbcDataSource();
    absent.setURL("jdbc:h2:file:" + dir.resolve("absent") + ";IFEXISTS=TRUE");
    assertThatThrownBy(() -> JdbcOrderSink.builder(absent).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("JdbcOrderSink cannot connect to its DataSource"
            + " (org.h2.jdbcx.JdbcDataSource): ")
        .hasMessageContaining("not found")
        .hasCauseInstanceOf(SQLException.class);

    PGSimpleDataSource refused = new PGSimpleDataSource();
    refused.setURL("jdbc:postgresql://127.0.0.1:1/test?user=postgres&connectTimeout=5");
    assertThatThrownBy(() -> JdbcOrderSink.builder(refused).dialect(Dialect.POSTGRESQL).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("JdbcOrderSink cannot connect to its DataSource")
        .hasMessageContaining("Connection to 127.0.0.1:1 refused")
        .hasCauseInstanceOf(SQLException.class);
  }

  @Test
  void valuesTheSchemaCannotHoldAreRefusedBeforeAnySql() throws Exception {
    TestDatabases.drop(h2, "cfg_values");
    try (JdbcOrderSink sink = JdbcOrderSink.builder(h2).table("cfg_values")
        .createSchemaIfMissing(true).build()) {
      Instant t = Instant.parse("2026-11-11T00:00:00Z");
      ConfirmedOrder fine = new ConfirmedOrder(1, "s", "u", 1, t);
      assertThatThrownBy(() -> sink.store(List.of(fine,
          new ConfirmedOrder(2, "s".repeat(129), "u", 1, t))))
          .isInstanceOf(PermanentSinkException.class)
          .hasMessageStartingWith("order 2: saleId longer than 128 characters");
      assertThatThrownBy(() -> sink.store(List.of(
          new ConfirmedOrder(3, "s", "u".repeat(257), 1, t))))
          .isInstanceOf(PermanentSinkException.class)
          .hasMessageStartingWith("order 3: userId longer than 256 characters");
      assertThatThrownBy(() -> sink.store(List.of(
          new ConfirmedOrder(4, "s", "u", 1, Instant.parse("0999-12-31T23:59:59Z")))))
          .isInstanceOf(PermanentSinkException.class)
          .hasMessageStartingWith("order 4: confirmedAt 0999-12-31T23:59:59Z is outside");
      // 256 supplementary characters are 512 chars in Java but 256 in the database: allowed.
      sink.store(List.of(fine, new ConfirmedOrder(5, "s", "\uD83D\uDE00".repeat(256), 1, t)));
      assertThat(TestDatabases.readOrders(h2, Dialect.H2, "cfg_values")).containsOnlyKeys(1L, 5L);
    }
  }

  @Test
  void aClosedSinkRefusesBatches() throws Exception {
    TestDatabases.drop(h2, "cfg_closed");
    JdbcOrderSink sink = JdbcOrderSink.builder(h2).table("cfg_closed")
        .createSchemaIfMissing(true).build();
    sink.close();
    assertThatThrownBy(() -> sink.store(List.of(
        new ConfirmedOrder(1, "s", "u", 1, Instant.parse("2026-11-11T00:00:00Z")))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("JdbcOrderSink on table cfg_closed is closed");
  }

  @Test
  void schemaResourcesCarryEveryDialectsTables() {
    for (Dialect d : List.of(Dialect.H2, Dialect.POSTGRESQL, Dialect.MYSQL)) {
      List<String> all = JdbcOrderSink.schemaStatements(d, "t_o", "t_s");
      assertThat(all).anySatisfy(s -> assertThat(s).startsWith("CREATE TABLE IF NOT EXISTS t_o ("))
          .anySatisfy(s -> assertThat(s).startsWith("CREATE TABLE IF NOT EXISTS t_s ("))
          .anySatisfy(s -> assertThat(s).contains("t_o_sale_user_idx"))
          .allSatisfy(s -> assertThat(s).doesNotContain("${").doesNotEndWith(";"));
      assertThat(JdbcOrderSink.schemaStatements(d, "t_o", null))
          .noneSatisfy(s -> assertThat(s).contains("t_s"));
    }
  }
}
