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

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * A pooled test database for {@link JdbcStockCoordinator} tests, with fresh tables, and
 * read-backs written independently of the coordinator's code.
 */
final class CoordinatorDb implements AutoCloseable {
  final Dialect dialect;
  final HikariDataSource ds;
  final String prefix;
  final String orders;

  private CoordinatorDb(Dialect dialect, DataSource raw, String prefix, int poolSize) {
    this.dialect = dialect;
    this.prefix = prefix;
    this.orders = prefix + "order";
    HikariConfig config = new HikariConfig();
    config.setDataSource(raw);
    config.setMaximumPoolSize(poolSize);
    config.setPoolName("coordinator-test-" + prefix);
    this.ds = new HikariDataSource(config);
  }

  /** The database of {@code dialect} (skips or fails as {@link TestDatabases} says), emptied. */
  static CoordinatorDb open(Dialect dialect, String prefix, int poolSize) throws SQLException {
    DataSource raw = TestDatabases.of(dialect, "coord_" + prefix);
    CoordinatorDb db = new CoordinatorDb(dialect, raw, prefix, poolSize);
    db.dropAll();
    return db;
  }

  void dropAll() throws SQLException {
    TestDatabases.drop(ds, prefix + "nodes", prefix + "pool", prefix + "lease",
        prefix + "user_units", prefix + "voided_order", orders);
    if (dialect == Dialect.POSTGRESQL) {
      TestDatabases.exec(ds, "DROP SEQUENCE IF EXISTS " + prefix + "node_seq");
    }
  }

  JdbcStockCoordinator coordinator() {
    return JdbcStockCoordinator.builder(ds).ordersTable(orders).tablePrefix(prefix)
        .createSchemaIfMissing(true).build();
  }

  long scalar(String sql, Object... args) throws SQLException {
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new AssertionError("no row for " + sql);
        }
        return rs.getLong(1);
      }
    }
  }

  /**
   * The conservation figures of a sale, read in one statement (one snapshot); {@code released}
   * is the pool's units of cancelled or expired reservations put back into {@code free}.
   */
  record Figures(long stock, long free, long activeGranted, long endedUsed, long allUsed,
      long storedUnits, long released) {
    boolean conserved() {
      return free + activeGranted + endedUsed == stock + released;
    }
  }

  /** A sale's pool row: free units, units held by unpaid reservations, units released. */
  record Pool(long free, long held, long released) {}

  Pool pool(String saleId) throws SQLException {
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
        "SELECT free, held, released FROM " + prefix + "pool WHERE sale_id = ?")) {
      ps.setString(1, saleId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new AssertionError("no pool row for " + saleId);
        }
        return new Pool(rs.getLong(1), rs.getLong(2), rs.getLong(3));
      }
    }
  }

  Figures figures(String saleId) throws SQLException {
    String l = prefix + "lease";
    String sql = "SELECT p.stock, p.free,"
        + " (SELECT COALESCE(SUM(granted), 0) FROM " + l + " a WHERE a.sale_id = p.sale_id"
        + " AND a.state = 'ACTIVE'),"
        + " (SELECT COALESCE(SUM(used), 0) FROM " + l + " e WHERE e.sale_id = p.sale_id"
        + " AND e.state <> 'ACTIVE'),"
        + " (SELECT COALESCE(SUM(used), 0) FROM " + l + " u WHERE u.sale_id = p.sale_id),"
        + " (SELECT COALESCE(SUM(quantity), 0) FROM " + orders + " o WHERE o.sale_id = p.sale_id),"
        + " p.released FROM " + prefix + "pool p WHERE p.sale_id = ?";
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, saleId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new AssertionError("no pool row for " + saleId);
        }
        return new Figures(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
            rs.getLong(5), rs.getLong(6), rs.getLong(7));
      }
    }
  }

  /**
   * An order's {@code state} and {@code state_version} in the orders table as
   * {@code "STATE/version"} ({@code "null/0"} while as confirmed), or null if it is not there.
   */
  String orderState(long orderId) throws SQLException {
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
        "SELECT state, state_version FROM " + orders + " WHERE order_id = ?")) {
      ps.setLong(1, orderId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) + "/" + rs.getInt(2) : null;
      }
    }
  }

  /** Stored units per user of a sale, from the orders table. */
  Map<String, Long> storedPerUser(String saleId) throws SQLException {
    return pairs("SELECT user_id, SUM(quantity) FROM " + orders + " WHERE sale_id = ?"
        + " GROUP BY user_id", saleId);
  }

  /** The authority rows of a sale. */
  Map<String, Long> userUnits(String saleId) throws SQLException {
    return pairs("SELECT user_id, units FROM " + prefix + "user_units WHERE sale_id = ?"
        + " AND units > 0", saleId);
  }

  /** Voided order ids to their reason. */
  Map<Long, String> voids() throws SQLException {
    Map<Long, String> out = new HashMap<>();
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT order_id, reason FROM " + prefix
            + "voided_order");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getLong(1), rs.getString(2));
      }
    }
    return out;
  }

  private Map<String, Long> pairs(String sql, String saleId) throws SQLException {
    Map<String, Long> out = new HashMap<>();
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, saleId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    return out;
  }

  /** Moves every lease's expiry far into the past (as if its node had stopped renewing). */
  void expireLeasesOf(int nodeId) throws SQLException {
    TestDatabases.exec(ds, "UPDATE " + prefix + "lease SET expires_at = TIMESTAMP '2000-01-01"
        + " 00:00:00' WHERE node_id = " + nodeId + " AND state = 'ACTIVE'");
  }

  @Override
  public void close() {
    ds.close();
  }
}
