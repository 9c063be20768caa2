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

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The dialect-specific SQL of a {@link JdbcStockCoordinator}: table names, the database's clock,
 * idempotent inserts, row locks. Immutable and thread-safe (strings only); every statement runs
 * on the caller's connection inside the caller's transaction.
 */
final class CoordinatorSql {
  final Dialect dialect;
  final String nodes;
  final String pool;
  final String lease;
  final String users;
  final String voided;
  /** The database's now: the only clock lease expiry is judged by. */
  final String now;
  /** The database's now plus a number of milliseconds given as the one parameter. */
  final String nowPlusMillis;
  /** Appended to the reaper's {@code FOR UPDATE}: {@code " SKIP LOCKED"} where supported. */
  final String skipLocked;
  /**
   * Inserts a sale's pool row unless it exists, parameters (sale id, stock, free = stock,
   * limit per user, pay within in milliseconds or NULL); {@code held} and {@code released}
   * start at their default, 0.
   */
  final String insertPool;
  final String insertUser;
  final String insertVoid;
  /**
   * PostgreSQL only: creates (at 0), locks and returns {@code (user_id, units)} of the users in
   * the array (parameters: sale id, {@code varchar[]} in code point order), in array order.
   */
  final @Nullable String lockUsers;
  /**
   * PostgreSQL only: adds units to existing user rows (parameters: sale id, {@code varchar[]}
   * users, {@code bigint[]} units).
   */
  final @Nullable String addUserUnits;
  /**
   * Selects (lease_id, granted, used) of the ACTIVE lease of (sale, node) FOR UPDATE through the
   * unique index of active leases, so no other lease row is examined or locked: on PostgreSQL
   * the partial index's predicate, on H2 the generated column {@code active_node}. Not used for
   * MariaDB/MySQL, which find the lease with a plain read and lock it by primary key.
   */
  final String lockActive;

  CoordinatorSql(Dialect dialect, String prefix, boolean skipLockedSupported) {
    this.dialect = dialect;
    this.nodes = prefix + "nodes";
    this.pool = prefix + "pool";
    this.lease = prefix + "lease";
    this.users = prefix + "user_units";
    this.voided = prefix + "voided_order";
    this.skipLocked = skipLockedSupported ? " SKIP LOCKED" : "";
    this.lockActive = "SELECT lease_id, granted, used FROM " + lease + " WHERE sale_id = ? AND "
        + (dialect == Dialect.POSTGRESQL ? "node_id = ? AND state = 'ACTIVE'" : "active_node = ?")
        + " FOR UPDATE";
    switch (dialect) {
      case POSTGRESQL:
        now = "CURRENT_TIMESTAMP";
        nowPlusMillis = "(CURRENT_TIMESTAMP + CAST(? AS BIGINT) * INTERVAL '1 millisecond')";
        insertPool = "INSERT INTO " + pool + " (sale_id, stock, free, limit_per_user,"
            + " pay_within_ms, created_at) VALUES (?, ?, ?, ?, ?, CURRENT_TIMESTAMP)"
            + " ON CONFLICT (sale_id) DO NOTHING";
        insertUser = "INSERT INTO " + users + " (sale_id, user_id, units) VALUES (?, ?, 0)"
            + " ON CONFLICT (sale_id, user_id) DO NOTHING";
        insertVoid = "INSERT INTO " + voided + " (order_id, sale_id, node_id, user_id, quantity,"
            + " reason, voided_at) VALUES (?, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP)"
            + " ON CONFLICT (order_id) DO NOTHING";
        lockUsers = "INSERT INTO " + users + " AS t (sale_id, user_id, units)"
            + " SELECT ?, x.u, 0 FROM unnest(?::varchar[]) WITH ORDINALITY AS x(u, i) ORDER BY x.i"
            + " ON CONFLICT (user_id, sale_id) DO UPDATE SET units = t.units"
            + " RETURNING t.user_id, t.units";
        addUserUnits = "INSERT INTO " + users + " AS t (sale_id, user_id, units)"
            + " SELECT ?, x.u, x.n FROM unnest(?::varchar[], ?::bigint[]) AS x(u, n)"
            + " ON CONFLICT (user_id, sale_id) DO UPDATE SET units = t.units + EXCLUDED.units";
        break;
      case MYSQL:
        now = "UTC_TIMESTAMP(3)";
        nowPlusMillis = "(UTC_TIMESTAMP(3) + INTERVAL (? * 1000) MICROSECOND)";
        insertPool = "INSERT IGNORE INTO " + pool
            + " (sale_id, stock, free, limit_per_user, pay_within_ms, created_at)"
            + " VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(3))";
        insertUser = "INSERT IGNORE INTO " + users + " (sale_id, user_id, units) VALUES (?, ?, 0)";
        insertVoid = "INSERT IGNORE INTO " + voided + " (order_id, sale_id, node_id, user_id,"
            + " quantity, reason, voided_at) VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3))";
        lockUsers = null;
        addUserUnits = null;
        break;
      case H2:
        now = "CURRENT_TIMESTAMP";
        nowPlusMillis = "DATEADD(MILLISECOND, CAST(? AS BIGINT), CURRENT_TIMESTAMP)";
        insertPool = "MERGE INTO " + pool + " p USING (VALUES (CAST(? AS VARCHAR(128)),"
            + " CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS INT), CAST(? AS BIGINT)))"
            + " AS v(sale_id, stock, free, limit_per_user, pay_within_ms)"
            + " ON p.sale_id = v.sale_id WHEN NOT MATCHED THEN INSERT (sale_id, stock, free,"
            + " limit_per_user, pay_within_ms, created_at) VALUES (v.sale_id, v.stock, v.free,"
            + " v.limit_per_user, v.pay_within_ms, CURRENT_TIMESTAMP)";
        insertUser = "MERGE INTO " + users + " u USING (VALUES (CAST(? AS VARCHAR(128)),"
            + " CAST(? AS VARCHAR(256)))) AS v(sale_id, user_id)"
            + " ON u.sale_id = v.sale_id AND u.user_id = v.user_id"
            + " WHEN NOT MATCHED THEN INSERT (sale_id, user_id, units)"
            + " VALUES (v.sale_id, v.user_id, 0)";
        insertVoid = "MERGE INTO " + voided + " x USING (VALUES (CAST(? AS BIGINT),"
            + " CAST(? AS VARCHAR(128)), CAST(? AS INT), CAST(? AS VARCHAR(256)), CAST(? AS INT),"
            + " CAST(? AS VARCHAR(16)))) AS v(order_id, sale_id, node_id, user_id, quantity, reason)"
            + " ON x.order_id = v.order_id WHEN NOT MATCHED THEN INSERT (order_id, sale_id,"
            + " node_id, user_id, quantity, reason, voided_at) VALUES (v.order_id, v.sale_id,"
            + " v.node_id, v.user_id, v.quantity, v.reason, CURRENT_TIMESTAMP)";
        lockUsers = null;
        addUserUnits = null;
        break;
      default:
        throw new IllegalStateException("no coordinator SQL for dialect " + dialect);
    }
  }

  /** The schema resource, e.g. {@code dev/seckill/jdbc/coordinator-postgresql.sql}. */
  String schemaResource() {
    return "dev/seckill/jdbc/coordinator-" + dialect.name().toLowerCase(Locale.ROOT) + ".sql";
  }

  /** The coordinator's DDL with the prefix filled in. */
  static List<String> schemaStatements(Dialect dialect, String prefix) {
    List<String> out = new ArrayList<>();
    for (String s : JdbcOrderSink.readStatements(
        "dev/seckill/jdbc/coordinator-" + dialect.name().toLowerCase(Locale.ROOT) + ".sql")) {
      out.add(s.replace("${prefix}", prefix));
    }
    return out;
  }

  /** An insert of a node row whose generated {@code node_id} the statement returns as a key. */
  PreparedStatement insertNode(Connection c) throws SQLException {
    String sql = "INSERT INTO " + nodes + " (created_at) VALUES (" + now + ")";
    return dialect == Dialect.MYSQL
        ? c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)
        : c.prepareStatement(sql, new String[] {"node_id"});
  }

  /**
   * An insert of a new ACTIVE lease, parameters (sale, node, granted, starving, ttl millis),
   * whose generated {@code lease_id} the statement returns as a key.
   */
  PreparedStatement insertLease(Connection c) throws SQLException {
    String sql = "INSERT INTO " + lease + " (sale_id, node_id, granted, used, state, starving,"
        + " expires_at, created_at, updated_at) VALUES (?, ?, ?, 0, 'ACTIVE', ?, " + nowPlusMillis
        + ", " + now + ", " + now + ")";
    return dialect == Dialect.MYSQL
        ? c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)
        : c.prepareStatement(sql, new String[] {"lease_id"});
  }
}
