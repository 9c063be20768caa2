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
import dev.seckill.OrderTransition;
import dev.seckill.PurchaseRequest;
import dev.seckill.Sale;
import dev.seckill.SeckillEngine;
import dev.seckill.spi.ConfirmedOrder;
import dev.seckill.spi.OrderStateChange;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Reservation state changes in the database ({@code JdbcOrderSink.Builder.orderStates(true)}): the
 * state column follows the highest version, offering changes again, in reverse or older never
 * moves an order backwards, and an engine's pays, cancels and expiries end in the table as the
 * ledger decided them. On H2 always; PostgreSQL and MariaDB when their URLs are set.
 */
@Tag("slow")
class OrderStatesDatabaseTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");

  @TempDir Path dir;

  private static String table(Dialect d) {
    return "seckill_states_" + d.name().toLowerCase(java.util.Locale.ROOT);
  }

  private static JdbcOrderSink sink(DataSource ds, Dialect d, boolean states) throws SQLException {
    TestDatabases.drop(ds, table(d));
    return JdbcOrderSink.builder(ds).table(table(d)).createSchemaIfMissing(true)
        .orderStates(states).build();
  }

  static Map<Long, String> states(DataSource ds, String table) throws SQLException {
    Map<Long, String> out = new HashMap<>();
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT order_id, state, state_version FROM " + table)) {
      while (rs.next()) {
        String state = rs.getString(2);
        out.put(rs.getLong(1), state == null ? "-" : state + "/" + rs.getInt(3));
      }
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void theStateFollowsTheHighestVersionAndNeverMovesBack(Dialect d) throws Exception {
    DataSource ds = TestDatabases.of(d, "states");
    Instant at = START;
    try (JdbcOrderSink sink = sink(ds, d, true)) {
      sink.store(List.of(new ConfirmedOrder(1, "s", "a", 1, at),
          new ConfirmedOrder(2, "s", "b", 1, at), new ConfirmedOrder(3, "s", "c", 1, at)));
      assertThat(states(ds, table(d))).containsEntry(1L, "-").containsEntry(2L, "-");
      List<OrderStateChange> changes = List.of(
          new OrderStateChange(1, "s", OrderState.PAID, 2, 1, at),
          new OrderStateChange(2, "s", OrderState.CANCELLED, 2, 1, at),
          new OrderStateChange(3, "s", OrderState.EXPIRED, 2, 1, at),
          new OrderStateChange(99, "s", OrderState.EXPIRED, 2, 1, at)); // not stored: no row
      sink.storeStateChanges(changes);
      Map<Long, String> after = states(ds, table(d));
      assertThat(after).containsOnly(Map.entry(1L, "PAID/2"), Map.entry(2L, "CANCELLED/2"),
          Map.entry(3L, "EXPIRED/2"));
      List<OrderStateChange> again = new ArrayList<>(changes);
      Collections.reverse(again);
      again.add(new OrderStateChange(1, "s", OrderState.CANCELLED, 1, 1, at)); // older: ignored
      again.add(new OrderStateChange(2, "s", OrderState.PAID, 2, 1, at)); // same version: ignored
      sink.storeStateChanges(again);
      sink.storeStateChanges(again);
      assertThat(states(ds, table(d))).isEqualTo(after);
    }
    try (JdbcOrderSink ignoring = JdbcOrderSink.builder(ds).table(table(d)).build()) {
      ignoring.storeStateChanges(List.of(new OrderStateChange(1, "s", OrderState.EXPIRED, 9, 1, at)));
      assertThat(states(ds, table(d))).containsEntry(1L, "PAID/2"); // without orderStates: ignored
    }
  }

  /**
   * More changes in one call than one statement takes (500 on MySQL/MariaDB and H2), with a chain
   * of two versions of one order and replays mixed in: each order ends in its highest version,
   * offered again nothing moves; with the summary, the paid and released units are exact.
   */
  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void aPassOfMoreChangesThanOneStatementTakes(Dialect d) throws Exception {
    DataSource ds = TestDatabases.of(d, "states_many");
    Instant at = START;
    int n = 1_234;
    for (boolean summary : new boolean[] {false, true}) {
      TestDatabases.drop(ds, table(d), table(d) + "_sum");
      JdbcOrderSink.Builder b = JdbcOrderSink.builder(ds).table(table(d))
          .createSchemaIfMissing(true).orderStates(true);
      if (summary) {
        b.stockSummary(true).summaryTable(table(d) + "_sum");
      }
      try (JdbcOrderSink sink = b.build()) {
        List<ConfirmedOrder> orders = new ArrayList<>();
        List<OrderStateChange> changes = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          orders.add(new ConfirmedOrder(i, "s", "u" + i, 1, at));
          changes.add(new OrderStateChange(i, "s", i % 3 == 0 ? OrderState.PAID
              : OrderState.EXPIRED, 2, 1, at));
        }
        changes.add(new OrderStateChange(7, "s", OrderState.PAID, 3, 1, at)); // a chain: v3 wins
        sink.store(orders);
        sink.storeStateChanges(changes);
        Map<Long, String> after = states(ds, table(d));
        assertThat(after).hasSize(n);
        for (long i = 1; i <= n; i++) {
          assertThat(after.get(i)).as("order %d", i).isEqualTo(i == 7 ? "PAID/3"
              : i % 3 == 0 ? "PAID/2" : "EXPIRED/2");
        }
        sink.storeStateChanges(changes); // offered again: nothing moves
        assertThat(states(ds, table(d))).isEqualTo(after);
        if (summary) {
          long paid = n / 3 + 1; // the multiples of 3, and order 7
          assertThat(SummaryStatesDatabaseTest.summaryRows(ds, table(d) + "_sum").get("s"))
              .containsExactly((long) n, (long) n, paid, n - paid);
        }
      }
    }
    TestDatabases.drop(ds, table(d), table(d) + "_sum");
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void aTableWithoutTheColumnsIsRefusedAtBuild(Dialect d) throws Exception {
    DataSource ds = TestDatabases.of(d, "states-old");
    String t = table(d) + "_old";
    TestDatabases.drop(ds, t);
    TestDatabases.exec(ds, "CREATE TABLE " + t + " (order_id BIGINT NOT NULL PRIMARY KEY,"
        + " sale_id VARCHAR(128) NOT NULL, user_id VARCHAR(256) NOT NULL, quantity INT NOT NULL,"
        + " confirmed_at " + (d == Dialect.MYSQL ? "DATETIME(3)" : "TIMESTAMP(3) WITH TIME ZONE")
        + " NOT NULL)");
    assertThatThrownBy(() -> JdbcOrderSink.builder(ds).table(t).orderStates(true).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("state_version");
    JdbcOrderSink.builder(ds).table(t).build().close(); // without orderStates it still works
    TestDatabases.drop(ds, t);
  }

  /** A clock tests move by hand (this module's tests cannot see core's test classes). */
  static final class Manual extends Clock {
    final AtomicLong millis = new AtomicLong(START.toEpochMilli());

    @Override
    public long millis() {
      return millis.get();
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void theTableMatchesTheLedgerAfterPaysCancelsAndExpiries(Dialect d) throws Exception {
    DataSource ds = TestDatabases.of(d, "states-engine");
    Manual clock = new Manual();
    Duration payWithin = Duration.ofMinutes(2);
    Map<Long, String> expected = new HashMap<>();
    JdbcOrderSink sink = sink(ds, d, true);
    try (SeckillEngine e = SeckillEngine.builder().dataDir(dir).clock(clock).developmentDefaults()
        .prefaultFiles(false).orderSink(sink).flushMaxDelay(Duration.ofMillis(1)).build()) {
      e.registerSale(Sale.builder("s").stock(30).startsAt(START)
          .endsAt(START.plus(Duration.ofHours(1))).limitPerUser(1).payWithin(payWithin).build());
      List<Long> orders = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        orders.add(e.submit(PurchaseRequest.of("s", "u" + i, 1)).join().orderId());
      }
      for (int i = 0; i < 30; i++) {
        long id = orders.get(i);
        if (i % 3 == 0) {
          OrderTransition t = e.pay(id, "psp-" + id).join();
          expected.put(id, t.state() + "/2");
        } else if (i % 3 == 1) {
          OrderTransition t = e.cancel(id).join();
          expected.put(id, t.state() + "/2");
        }
      }
      clock.millis.addAndGet(payWithin.toMillis());
      for (int i = 2; i < 30; i += 3) {
        long id = orders.get(i);
        assertThat(e.pay(id, "psp-" + id).join().state()).isEqualTo(OrderState.EXPIRED);
        expected.put(id, "EXPIRED/2");
      }
      e.flush().join();
      assertThat(states(ds, table(d))).isEqualTo(expected);
      assertThat(e.snapshot("s").paid()).isEqualTo(10);
    }
  }
}
