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
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * H2 2.x SQL. H2 has neither {@code ON CONFLICT} nor {@code INSERT IGNORE} outside its
 * compatibility modes, and {@code MERGE ... KEY} overwrites the stored row and reports 1 either
 * way; the standard {@code MERGE ... USING ... WHEN NOT MATCHED THEN INSERT} leaves a stored row
 * alone and reports 0 or 1 per batched row, which tells which orders were new. Thread-safe
 * (stateless).
 */
final class H2OrderWriter extends OrderWriter {
  private final String insertSql;
  private final @Nullable String summarySql;

  H2OrderWriter(String table, @Nullable String summaryTable, boolean countInserted) {
    super(table, summaryTable, countInserted);
    this.insertSql = "MERGE INTO " + table + " t USING (VALUES (CAST(? AS BIGINT),"
        + " CAST(? AS VARCHAR(128)), CAST(? AS VARCHAR(256)), CAST(? AS INT),"
        + " CAST(? AS TIMESTAMP(3) WITH TIME ZONE))) AS v(order_id, sale_id, user_id, quantity,"
        + " confirmed_at) ON t.order_id = v.order_id WHEN NOT MATCHED THEN INSERT"
        + " (order_id, sale_id, user_id, quantity, confirmed_at)"
        + " VALUES (v.order_id, v.sale_id, v.user_id, v.quantity, v.confirmed_at)";
    this.summarySql = summaryTable == null ? null
        : "MERGE INTO " + summaryTable + " s USING (VALUES (CAST(? AS VARCHAR(128)),"
            + " CAST(? AS BIGINT), CAST(? AS BIGINT))) AS v(sale_id, units_sold, orders)"
            + " ON s.sale_id = v.sale_id"
            + " WHEN MATCHED THEN UPDATE SET units_sold = s.units_sold + v.units_sold,"
            + " orders = s.orders + v.orders"
            + " WHEN NOT MATCHED THEN INSERT (sale_id, units_sold, orders)"
            + " VALUES (v.sale_id, v.units_sold, v.orders)";
  }

  @Override
  @Nullable SortedMap<String, SaleDelta> insert(Connection c, List<ConfirmedOrder> rows)
      throws SQLException {
    int[] counts;
    try (PreparedStatement ps = c.prepareStatement(insertSql)) {
      for (ConfirmedOrder o : rows) {
        ps.setLong(1, o.orderId());
        ps.setString(2, o.saleId());
        ps.setString(3, o.userId());
        ps.setInt(4, o.quantity());
        ps.setObject(5, utc(o.confirmedAt()));
        ps.addBatch();
      }
      counts = ps.executeBatch();
    }
    if (!countInserted) {
      return null;
    }
    SortedMap<String, SaleDelta> inserted = new TreeMap<>();
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] < 0) {
        throw new SQLException("H2 reported no per-row update count (" + counts[i] + ") for "
            + table + "; the summary cannot tell new orders from stored ones");
      }
      if (counts[i] > 0) {
        SaleDelta.add(inserted, rows.get(i));
      }
    }
    return inserted;
  }

  @Override
  @Nullable String summarySql() {
    return summarySql;
  }

  @Override
  String summaryStatesSql(String summaryTable) {
    return "MERGE INTO " + summaryTable + " s USING (VALUES (CAST(? AS VARCHAR(128)),"
        + " CAST(? AS BIGINT), CAST(? AS BIGINT))) AS v(sale_id, units_paid, units_released)"
        + " ON s.sale_id = v.sale_id"
        + " WHEN MATCHED THEN UPDATE SET units_paid = s.units_paid + v.units_paid,"
        + " units_released = s.units_released + v.units_released"
        + " WHEN NOT MATCHED THEN INSERT (sale_id, units_sold, orders, units_paid, units_released)"
        + " VALUES (v.sale_id, 0, 0, v.units_paid, v.units_released)";
  }

  /**
   * Also transient on H2: a unique-key violation. H2's MERGE does not see another transaction's
   * uncommitted insert of the same key, so it tries to insert too and fails once that transaction
   * commits; run again, the MERGE sees the committed row and leaves it alone.
   */
  /** Not 23505, which is the MERGE race above, not a property of the rows. */
  @Override
  boolean isPermanentState(String state) {
    return !"23505".equals(state) && super.isPermanentState(state);
  }

  @Override
  boolean isTransient(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException) {
        String state = ((SQLException) t).getSQLState();
        if ("23505".equals(state) || "HYT00".equals(state)) {
          return true;
        }
      }
    }
    return super.isTransient(e);
  }
}
