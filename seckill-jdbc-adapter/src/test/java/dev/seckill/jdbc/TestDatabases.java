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

import static org.junit.jupiter.api.Assertions.fail;

import dev.seckill.spi.ConfirmedOrder;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Assumptions;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The databases the tests run against, and a read-back that does not share code with the sink.
 *
 * <p>H2 always runs, in memory. PostgreSQL and MariaDB run when {@value #POSTGRES_ENV} /
 * {@value #MYSQL_ENV} hold a JDBC URL; without one a test is skipped with a message saying what
 * to set, unless {@value #REQUIRED_ENV}{@code =true}, which turns a missing URL or an unreachable
 * server into a failure. Call these from {@code @BeforeAll} or the test body (an abort in
 * {@code @BeforeEach} would meet the contract test's {@code @AfterEach} and turn into a failure).
 */
public final class TestDatabases {
  public static final String POSTGRES_ENV = "SECKILL_IT_POSTGRES_URL";
  public static final String MYSQL_ENV = "SECKILL_IT_MYSQL_URL";
  static final String REQUIRED_ENV = "SECKILL_IT_REQUIRED";

  private TestDatabases() {}

  /** A private in-memory H2 database that lives until the JVM ends. */
  static DataSource h2(String name) {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1");
    return ds;
  }

  /** The PostgreSQL named by {@value #POSTGRES_ENV}; skips or fails the test if unavailable. */
  static DataSource postgres() {
    String url = url(POSTGRES_ENV, "PostgreSQL",
        "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(url);
    return reachable(ds, POSTGRES_ENV, url);
  }

  /** The MySQL/MariaDB named by {@value #MYSQL_ENV}; skips or fails the test if unavailable. */
  static DataSource mysql() {
    String url = url(MYSQL_ENV, "MariaDB/MySQL", "jdbc:mariadb://127.0.0.1:3306/test?user=root");
    MariaDbDataSource ds;
    try {
      ds = new MariaDbDataSource(url);
    } catch (SQLException e) {
      throw new IllegalStateException(MYSQL_ENV + " is not a valid MariaDB JDBC URL: " + url, e);
    }
    return reachable(ds, MYSQL_ENV, url);
  }

  /** The database for {@code dialect}; H2 databases get {@code h2Name}. */
  static DataSource of(Dialect dialect, String h2Name) {
    switch (dialect) {
      case H2:
        return h2(h2Name);
      case POSTGRESQL:
        return postgres();
      case MYSQL:
        return mysql();
      default:
        throw new IllegalArgumentException("no test database for " + dialect);
    }
  }

  private static boolean required() {
    return "true".equalsIgnoreCase(System.getenv(REQUIRED_ENV));
  }

  /**
   * The URL in {@code env}; skips the test ({@code what} tests skipped) if it is not set, or
   * fails it if {@value #REQUIRED_ENV}{@code =true}.
   */
  public static String url(String env, String what, String example) {
    String url = System.getenv(env);
    if (url == null || url.isBlank()) {
      if (required()) {
        fail(env + " is not set but " + REQUIRED_ENV + "=true: the " + what
            + " tests must run. Set it, e.g. " + env + "=" + example);
      }
      Assumptions.abort(what + " tests skipped: set " + env + " (e.g. " + example
          + ") to run them against a real server");
    }
    return url;
  }

  /** {@code ds} if it answers; otherwise skips the test, or fails it if required. */
  public static DataSource reachable(DataSource ds, String env, String url) {
    try (Connection c = ds.getConnection()) {
      c.isValid(5);
      return ds;
    } catch (SQLException e) {
      String message = env + "=" + url + " is not reachable: " + e;
      if (required()) {
        fail(message + " (" + REQUIRED_ENV + "=true)", e);
      }
      Assumptions.abort(message);
      throw new AssertionError("unreachable");
    }
  }

  /** Drops the tables, if they exist. */
  static void drop(DataSource ds, String... tables) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      for (String t : tables) {
        s.execute("DROP TABLE IF EXISTS " + t);
      }
    }
  }

  /** Runs statements in autocommit mode. */
  static void exec(DataSource ds, String... sql) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      for (String q : sql) {
        s.execute(q);
      }
    }
  }

  /**
   * Every stored order, by id. The instant is computed by the database as milliseconds since the
   * epoch in UTC, so a value stored in the wrong time zone shows up as a different instant.
   */
  static Map<Long, ConfirmedOrder> readOrders(DataSource ds, Dialect dialect, String table)
      throws SQLException {
    String epochMillis = dialect == Dialect.MYSQL
        ? "TIMESTAMPDIFF(MICROSECOND, TIMESTAMP '1970-01-01 00:00:00', confirmed_at) DIV 1000"
        : "CAST(EXTRACT(EPOCH FROM confirmed_at) * 1000 AS BIGINT)";
    Map<Long, ConfirmedOrder> stored = new HashMap<>();
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT order_id, sale_id, user_id, quantity, " + epochMillis
            + " FROM " + table)) {
      while (rs.next()) {
        ConfirmedOrder o = new ConfirmedOrder(rs.getLong(1), rs.getString(2), rs.getString(3),
            rs.getInt(4), Instant.ofEpochMilli(rs.getLong(5)));
        if (stored.put(o.orderId(), o) != null) {
          throw new AssertionError("order " + o.orderId() + " stored twice in " + table);
        }
      }
    }
    return stored;
  }

  /** The summary table: sale id to {units_sold, orders}. */
  static Map<String, SaleTotals> readSummary(DataSource ds, String summaryTable) throws SQLException {
    return query(ds, "SELECT sale_id, units_sold, orders FROM " + summaryTable);
  }

  /** The same figures recomputed from the orders table. */
  static Map<String, SaleTotals> aggregate(DataSource ds, String table) throws SQLException {
    return query(ds, "SELECT sale_id, SUM(quantity), COUNT(*) FROM " + table + " GROUP BY sale_id");
  }

  private static Map<String, SaleTotals> query(DataSource ds, String sql) throws SQLException {
    Map<String, SaleTotals> result = new TreeMap<>();
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        result.put(rs.getString(1), new SaleTotals(rs.getLong(2), rs.getLong(3)));
      }
    }
    return result;
  }

  /** Units sold and orders of one sale. */
  record SaleTotals(long units, long orders) {}
}
