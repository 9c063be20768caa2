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

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * Reads confirmed orders back from the table the JDBC sink writes. Thread-safe (JdbcTemplate on
 * the pool).
 */
@Repository
public class OrderRepository {
  private final JdbcTemplate jdbc;
  private final String table;

  OrderRepository(JdbcTemplate jdbc, ShopProperties props) {
    this.jdbc = jdbc;
    this.table = props.table(); // checked as a plain identifier by JdbcOrderSink's builder
  }

  /** The order with this id, if the sink has stored it. */
  Optional<ApiJson.OrderJson> find(long orderId) {
    List<ApiJson.OrderJson> rows = jdbc.query(
        "SELECT order_id, sale_id, user_id, quantity, confirmed_at FROM " + table
            + " WHERE order_id = ?",
        (rs, i) -> new ApiJson.OrderJson(rs.getLong(1), rs.getString(2), rs.getString(3),
            rs.getInt(4), rs.getObject(5, OffsetDateTime.class).toInstant()),
        orderId);
    return rows.stream().findFirst();
  }

  /** Units {@code userId} bought in {@code saleId}, by the orders stored so far. */
  long unitsBought(String saleId, String userId) {
    Long units = jdbc.queryForObject("SELECT COALESCE(SUM(quantity), 0) FROM " + table
        + " WHERE sale_id = ? AND user_id = ?", Long.class, saleId, userId);
    return units == null ? 0 : units;
  }
}
