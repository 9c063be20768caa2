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
import java.sql.SQLWarning;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

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
 * <p>{@code IGNORE} also turns data errors (a too-long string, an out-of-range date) and
 * constraint violations (a CHECK or a foreign key the application added) into warnings, and
 * skips or alters the row: a silent drop. {@link JdbcOrderSink} rejects values the schema cannot
 * hold before any SQL runs; for the rest, each statement's warnings are read back (the driver
 * fetches them only when the server reported some, i.e. in practice only for re-offered
 * duplicates), and a warning other than a duplicate key that says a row was skipped or altered
 * fails the statement with an {@link SQLException} of SQLSTATE class 23 (constraint) or 22
 * (data), which {@link JdbcOrderSink} reports as permanent. Thread-safe (stateless).
 */
final class MySqlOrderWriter extends OrderWriter {
  /** Rows per statement: 5,000 parameters, far below the 65,535 limit and max_allowed_packet. */
  static final int CHUNK = 1_000;

  private final @Nullable String summarySql;

  MySqlOrderWriter(String table, @Nullable String summaryTable, boolean countInserted) {
    super(table, summaryTable, countInserted);
    this.summarySql = summaryTable == null ? null
        : "INSERT INTO " + summaryTable + " (sale_id, units_sold, orders) VALUES (?, ?, ?)"
            + " ON DUPLICATE KEY UPDATE units_sold = units_sold + VALUES(units_sold),"
            + " orders = orders + VALUES(orders)";
  }

  /** When counting, groups (sale, quantity) must be contiguous; ids ascend inside each. */
  @Override
  Comparator<ConfirmedOrder> lockOrder() {
    if (!countInserted) {
      return super.lockOrder();
    }
    return Comparator.comparing(ConfirmedOrder::saleId)
        .thenComparingInt(ConfirmedOrder::quantity)
        .thenComparingLong(ConfirmedOrder::orderId);
  }

  @Override
  @Nullable SortedMap<String, SaleDelta> insert(Connection c, List<ConfirmedOrder> rows)
      throws SQLException {
    SortedMap<String, SaleDelta> inserted = countInserted ? new TreeMap<>() : null;
    int start = 0;
    while (start < rows.size()) {
      int end = Math.min(rows.size(), start + CHUNK);
      if (countInserted) {
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
      for (SQLWarning w = ps.getWarnings(); w != null; w = w.getNextWarning()) {
        String state = ignoredRowState(w.getErrorCode());
        if (state != null) {
          throw new SQLException("INSERT IGNORE into " + table + " skipped or altered a row: "
              + w.getMessage() + " (warning " + w.getErrorCode() + ")", state, w.getErrorCode());
        }
      }
      return count;
    }
  }

  /**
   * The SQLSTATE of the error that {@code IGNORE} turned into warning {@code code}, when that
   * warning means a row was skipped or altered; null for a duplicate key (the idempotent path)
   * and for warnings that do not touch rows.
   */
  static @Nullable String ignoredRowState(int code) {
    switch (code) {
      case 1048: // column cannot be null
      case 1451: // foreign key: a parent row
      case 1452: // foreign key: no parent row
      case 3819: // MySQL: check constraint violated
      case 4025: // MariaDB: CONSTRAINT failed
        return "23000";
      case 1264: // out of range
        return "22003";
      case 1265: // data truncated
      case 1406: // data too long
        return "22001";
      case 1292: // incorrect datetime
        return "22007";
      case 1366: // incorrect string value
        return "22000";
      default:
        return null;
    }
  }

  @Override
  @Nullable String summarySql() {
    return summarySql;
  }

  @Override
  String summaryStatesSql(String summaryTable) {
    return "INSERT INTO " + summaryTable
        + " (sale_id, units_sold, orders, units_paid, units_released) VALUES (?, 0, 0, ?, ?)"
        + " ON DUPLICATE KEY UPDATE units_paid = units_paid + VALUES(units_paid),"
        + " units_released = units_released + VALUES(units_released)";
  }
}
