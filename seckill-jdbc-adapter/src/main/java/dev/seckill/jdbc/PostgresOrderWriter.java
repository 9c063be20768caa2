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

import dev.seckill.spi.ConfirmedOrder;
import dev.seckill.spi.OrderStateChange;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * PostgreSQL SQL: the whole batch is one statement,
 * {@code INSERT ... SELECT FROM unnest(?::bigint[], ...) ON CONFLICT (order_id) DO NOTHING},
 * with {@code RETURNING order_id} when the summary needs to know which rows were new. One
 * statement and one plan for any batch size, no parameter limit, and it measured fastest of the
 * safe paths here (docs/persistence.md). The instant travels as epoch milliseconds and is turned
 * into a timestamptz by the server ({@code 'epoch' + ms * 1 millisecond}), so no client or session
 * time zone is involved. Thread-safe (stateless).
 */
final class PostgresOrderWriter extends OrderWriter {
  private final String insertSql;
  private final @Nullable String summarySql;
  private final String stateUpdateAllSql;

  PostgresOrderWriter(String table, @Nullable String summaryTable, boolean countInserted) {
    super(table, summaryTable, countInserted);
    this.insertSql = "INSERT INTO " + table
        + " (order_id, sale_id, user_id, quantity, confirmed_at)"
        + " SELECT o, s, u, q, TIMESTAMPTZ 'epoch' + m * INTERVAL '1 millisecond'"
        + " FROM unnest(?::bigint[], ?::varchar[], ?::varchar[], ?::int[], ?::bigint[])"
        + " AS x(o, s, u, q, m)"
        + " ON CONFLICT (order_id) DO NOTHING"
        + (this.countInserted ? " RETURNING order_id" : "");
    this.stateUpdateAllSql = "UPDATE " + table + " AS t SET state = x.s, state_version = x.v"
        + " FROM unnest(?::bigint[], ?::varchar[], ?::int[]) AS x(o, s, v)"
        + " WHERE t.order_id = x.o AND (t.state_version IS NULL OR t.state_version < x.v)";
    this.summarySql = summaryTable == null ? null
        : "INSERT INTO " + summaryTable + " AS s (sale_id, units_sold, orders) VALUES (?, ?, ?)"
            + " ON CONFLICT (sale_id) DO UPDATE SET units_sold = s.units_sold + EXCLUDED.units_sold,"
            + " orders = s.orders + EXCLUDED.orders";
  }

  /**
   * One statement for all the changes: {@code UPDATE ... FROM unnest(ids, states, versions)},
   * still version-gated; with {@code counted} its count must be theirs.
   */
  @Override
  void writeStates(Connection c, List<OrderStateChange> applicable, boolean counted)
      throws SQLException {
    int n = applicable.size();
    Long[] ids = new Long[n];
    String[] states = new String[n];
    Integer[] versions = new Integer[n];
    for (int i = 0; i < n; i++) {
      OrderStateChange ch = applicable.get(i);
      ids[i] = ch.orderId();
      states[i] = ch.state().name();
      versions[i] = ch.version();
    }
    List<Array> arrays = new ArrayList<>(3);
    try (PreparedStatement ps = c.prepareStatement(stateUpdateAllSql)) {
      bindArrays(c, ps, arrays, "bigint", ids, "varchar", states, "int4", versions);
      int count = ps.executeUpdate();
      if (counted) {
        expectStates(count, n, "the state update of " + n + " orders");
      }
    } finally {
      free(arrays);
    }
  }

  /**
   * Binds SQL arrays as the statement's parameters 1, 2, ... from {@code typesAndValues}
   * (a type name, then its {@code Object[]} of values, and so on), adding each to
   * {@code arrays} for the caller to {@link #free} after the statement.
   */
  private static void bindArrays(Connection c, PreparedStatement ps, List<Array> arrays,
      Object... typesAndValues) throws SQLException {
    for (int i = 0; i < typesAndValues.length; i += 2) {
      Array a = c.createArrayOf((String) typesAndValues[i], (Object[]) typesAndValues[i + 1]);
      arrays.add(a);
      ps.setArray(arrays.size(), a);
    }
  }

  private static void free(List<Array> arrays) throws SQLException {
    for (Array a : arrays) {
      a.free();
    }
  }

  @Override
  @Nullable SortedMap<String, SaleDelta> insert(Connection c, List<ConfirmedOrder> rows) throws SQLException {
    int n = rows.size();
    Long[] ids = new Long[n];
    String[] sales = new String[n];
    String[] users = new String[n];
    Integer[] quantities = new Integer[n];
    Long[] millis = new Long[n];
    for (int i = 0; i < n; i++) {
      ConfirmedOrder o = rows.get(i);
      ids[i] = o.orderId();
      sales[i] = o.saleId();
      users[i] = o.userId();
      quantities[i] = o.quantity();
      millis[i] = o.confirmedAt().toEpochMilli();
    }
    List<Array> arrays = new ArrayList<>(5);
    try (PreparedStatement ps = c.prepareStatement(insertSql)) {
      bindArrays(c, ps, arrays, "bigint", ids, "varchar", sales, "varchar", users, "int4",
          quantities, "bigint", millis);
      if (!countInserted) {
        ps.executeUpdate();
        return null;
      }
      Map<Long, ConfirmedOrder> byId = new HashMap<>(n * 2);
      for (ConfirmedOrder o : rows) {
        byId.put(o.orderId(), o);
      }
      SortedMap<String, SaleDelta> inserted = new TreeMap<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long id = rs.getLong(1); // RETURNING gives only ids of this batch
          SaleDelta.add(inserted, Objects.requireNonNull(byId.get(id), "order id not in batch"));
        }
      }
      return inserted;
    } finally {
      free(arrays);
    }
  }

  @Override
  @Nullable String summarySql() {
    return summarySql;
  }

  @Override
  String summaryStatesSql(String summaryTable) {
    return "INSERT INTO " + summaryTable
        + " AS s (sale_id, units_sold, orders, units_paid, units_released) VALUES (?, 0, 0, ?, ?)"
        + " ON CONFLICT (sale_id) DO UPDATE SET units_paid = s.units_paid + EXCLUDED.units_paid,"
        + " units_released = s.units_released + EXCLUDED.units_released";
  }
}
