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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * MySQL and MariaDB SQL: multi-row {@code INSERT IGNORE}, at most {@value #CHUNK} rows per
 * statement.
 *
 * <p>Why not per-row counts: with the MariaDB driver, {@code executeBatch} of an
 * {@code INSERT IGNORE} returns SUCCESS_NO_INFO for every row, and {@code ON DUPLICATE KEY UPDATE
 * order_id = order_id} returns 1 for new and existing rows alike (the driver sets
 * CLIENT_FOUND_ROWS unless {@code useAffectedRows=true}). What every driver and setting agrees on is
 * the affected-row count of one multi-row {@code INSERT IGNORE}: the number of rows it inserted.
 * So when the summary is on, rows are grouped by (sale, quantity) and each statement holds one
 * group: {@code units = inserted * quantity} is then exact.
 *
 * <p>{@code IGNORE} also turns data errors (a too-long string, an out-of-range date) into
 * warnings; {@link JdbcOrderSink} rejects such values before any SQL runs, so only duplicate keys
 * are left to ignore. Thread-safe (stateless).
 */
final class MySqlOrderWriter extends OrderWriter {
  /** Rows per statement: 5,000 parameters, far below the 65,535 limit and max_allowed_packet. */
  static final int CHUNK = 1_000;

  private final String summarySql;

  MySqlOrderWriter(String table, String summaryTable) {
    super(table, summaryTable);
    this.summarySql = summaryTable == null ? null
        : "INSERT INTO " + summaryTable + " (sale_id, units_sold, orders) VALUES (?, ?, ?)"
            + " ON DUPLICATE KEY UPDATE units_sold = units_sold + VALUES(units_sold),"
            + " orders = orders + VALUES(orders)";
  }

  /** With the summary on, groups (sale, quantity) must be contiguous; ids ascend inside each. */
  @Override
  Comparator<ConfirmedOrder> lockOrder() {
    if (summaryTable == null) {
      return super.lockOrder();
    }
    return Comparator.comparing(ConfirmedOrder::saleId)
        .thenComparingInt(ConfirmedOrder::quantity)
        .thenComparingLong(ConfirmedOrder::orderId);
  }

  @Override
  SortedMap<String, SaleDelta> insert(Connection c, List<ConfirmedOrder> rows)
      throws SQLException {
    SortedMap<String, SaleDelta> inserted = summaryTable == null ? null : new TreeMap<>();
    int start = 0;
    while (start < rows.size()) {
      int end = Math.min(rows.size(), start + CHUNK);
      if (summaryTable != null) {
        ConfirmedOrder first = rows.get(start);
        int groupEnd = start + 1;
        while (groupEnd < end && sameGroup(first, rows.get(groupEnd))) {
          groupEnd++;
        }
        end = groupEnd;
      }
      int count = insertChunk(c, rows.subList(start, end));
      if (inserted != null && count > 0) {
        // One group (sale, quantity) per statement: `count` new orders of this quantity.
        ConfirmedOrder first = rows.get(start);
        inserted.computeIfAbsent(first.saleId(), k -> new SaleDelta()).add(first.quantity(), count);
      }
      start = end;
    }
    return inserted;
  }

  private static boolean sameGroup(ConfirmedOrder a, ConfirmedOrder b) {
    return a.quantity() == b.quantity() && a.saleId().equals(b.saleId());
  }

  private int insertChunk(Connection c, List<ConfirmedOrder> chunk) throws SQLException {
    StringBuilder sql = new StringBuilder(80 + chunk.size() * 18)
        .append("INSERT IGNORE INTO ").append(table)
        .append(" (order_id, sale_id, user_id, quantity, confirmed_at) VALUES ");
    for (int i = 0; i < chunk.size(); i++) {
      sql.append(i == 0 ? "(?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?)");
    }
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      int p = 1;
      for (ConfirmedOrder o : chunk) {
        ps.setLong(p++, o.orderId());
        ps.setString(p++, o.saleId());
        ps.setString(p++, o.userId());
        ps.setInt(p++, o.quantity());
        ps.setObject(p++, utcWallClock(o.confirmedAt()));
      }
      int count = ps.executeUpdate();
      if (count < 0 || count > chunk.size()) {
        throw new SQLException("INSERT IGNORE into " + table + " of " + chunk.size()
            + " rows reported " + count + " affected rows");
      }
      return count;
    }
  }

  @Override
  String summarySql() {
    return summarySql;
  }
}
