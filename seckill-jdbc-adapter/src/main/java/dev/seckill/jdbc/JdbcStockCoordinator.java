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
import dev.seckill.spi.Lease;
import dev.seckill.spi.OrderSink;
import dev.seckill.spi.OrderStateChange;
import dev.seckill.spi.PermanentSinkException;
import dev.seckill.spi.StockCoordinator;
import dev.seckill.spi.VoidedOrder;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A {@link StockCoordinator} kept in a relational database reached through any
 * {@link DataSource}: PostgreSQL (9.5+), MariaDB (10.3+) / MySQL (8.0+), and H2 2.x (tests, the
 * embedded demo). Usually the database the orders go to: the sink of node {@code n}
 * ({@link #sink(int)}) stores orders into the same orders table, with the same schema, as
 * {@link JdbcOrderSink}, so every reader of that table sees cluster orders too. Built with
 * {@link #builder(DataSource)}.
 *
 * <h2>Threads</h2>
 * Thread-safe: every method, and every sink's {@code storeOrVoid} and
 * {@code storeStateChanges}, borrows its own connection from the DataSource (use a pool), runs
 * one transaction on it and gives it back; the coordinator holds no other mutable state.
 * {@link #close} does not close the DataSource.
 *
 * <h2>Schema and transactions</h2>
 * Five tables, named by {@link Builder#tablePrefix(String)} (default {@code seckill_}), plus the
 * orders table ({@link Builder#ordersTable(String)}, default {@code seckill_order}). The DDL per
 * dialect is in the resources {@code dev/seckill/jdbc/coordinator-<dialect>.sql};
 * {@link Builder#createSchemaIfMissing(boolean) createSchemaIfMissing(true)} runs it (default
 * false, as for {@code JdbcOrderSink}: a missing table fails {@code build()} with the DDL to run).
 * <ul>
 *   <li>{@code <prefix>nodes (node_id, created_at)}: one row per {@link #newNodeId()}; the id
 *       comes from a sequence (PostgreSQL), an identity (H2) or AUTO_INCREMENT (MariaDB/MySQL),
 *       is never handed out twice and is at most 32,767 (past that, {@code newNodeId} throws).
 *   <li>{@code <prefix>pool (sale_id, stock, free, limit_per_user, pay_within_ms, held,
 *       released, created_at)}: one row per sale; {@code free} is the units leased to nobody.
 *       {@code pay_within_ms} is the sale's {@code payWithin} in milliseconds, NULL for a sale
 *       without reservations; for a sale with it, every settled order is a reservation:
 *       {@code held} is the units of settled reservations not yet paid, cancelled or expired,
 *       {@code released} the units of cancelled or expired ones, which went back into
 *       {@code free} (both 0 for a sale without reservations; CHECKs keep them 0 or more).
 *   <li>{@code <prefix>lease (lease_id, sale_id, node_id, granted, used, state, starving,
 *       expires_at, created_at, updated_at)}: state {@code ACTIVE}, {@code REVOKED} (by the
 *       reaper) or {@code RELEASED} (by its node); at most one ACTIVE lease per (sale, node),
 *       enforced by a unique index (PostgreSQL: partial, {@code WHERE state = 'ACTIVE'}; H2 and
 *       MariaDB: on {@code (sale_id, active_node)}, a generated column that is {@code node_id}
 *       while ACTIVE and NULL after). {@code used <= granted} is a CHECK. An ended lease keeps
 *       its figures; its {@code granted − used} went back to the pool when it ended.
 *       {@code expires_at} is set by the database's clock ({@code CURRENT_TIMESTAMP}; MariaDB:
 *       {@code UTC_TIMESTAMP(3)} into a DATETIME(3)), never a node's. {@code starving} is true
 *       when the node's last {@code lease()} asked for more than the pool held; the other
 *       nodes' answers say {@link Lease#starving()} while any such lease is active.
 *   <li>{@code <prefix>user_units (sale_id, user_id, units)}: the per-user limit's authority
 *       across nodes, units of stored orders per (sale, user); primary key (user_id, sale_id),
 *       the selective column first, so looking up a batch's users of one sale is an index
 *       lookup per user even while the planner's statistics still say the table is small.
 *   <li>{@code <prefix>voided_order (order_id, sale_id, node_id, user_id, quantity, reason,
 *       voided_at)}: every void, so a re-offered order gets the same verdict.
 * </ul>
 * The orders table's {@code state} and {@code state_version} columns (as
 * {@link JdbcOrderSink.Builder#orderStates(boolean)} writes them) take the reservations' state
 * changes; {@code build()} checks that they exist, as it checks every table's columns.
 * Every method is one transaction at READ COMMITTED, run again at once (up to
 * {@link Builder#deadlockRetries(int)} times) if it fails on a deadlock, a serialization failure
 * or a lock timeout. Each transaction tells the database to end it if its client goes silent
 * mid-transaction for longer than {@link Builder#idleTransactionTimeout(Duration)} (default
 * 2 s; PostgreSQL and MariaDB), so a frozen node cannot hold a pool, lease or user row lock,
 * and stall the other nodes, for longer than that. On PostgreSQL 12+ each transaction also sets
 * {@code plan_cache_mode = force_custom_plan} ({@code SET LOCAL}, the same round trip), so that
 * statements the driver runs as server-side prepared statements are planned for the tables as
 * they are, not as they were when a generic plan was made (a sequential scan of a table that
 * was small then, kept while it grows). Conservation holds at every commit, for every sale:
 * {@code free + Σ granted (ACTIVE) + Σ used (REVOKED, RELEASED) == stock + released}; the units
 * sold and not given back are {@code Σ used − released}, of which {@code held} are in unpaid
 * reservations. Row locks are taken in one order, so the methods wait for each other instead
 * of deadlocking: lease rows by primary key (on MariaDB/MySQL found by a plain read first, then
 * locked by primary key, as InnoDB locks index entries), several of them in (sale, node) order;
 * user rows only in settlement, after its lease rows, in (sale, user) order; order rows
 * (settlement's inserts, the locking reads of {@code storeStateChanges}) in order-id order,
 * after those; a pool row last, after any lease, user and order rows the transaction locks,
 * several in sale order. So nobody holding a pool row waits for a lease, user or order row.
 * Ids are ordered by code point (Java sorts them so and PostgreSQL's upsert takes the rows in
 * the order of the array it is given, MariaDB's utf8mb4_bin primary key is in that order). A
 * deadlock that slips through (two settlements creating the same user row at once) is detected
 * by the database and retried:
 * <ul>
 *   <li><b>{@code lease}</b>: locks the node's ACTIVE lease on the sale ({@code SELECT ... FOR
 *       UPDATE}), then the pool row; takes {@code k = min(units, free)} with {@code UPDATE pool
 *       SET free = free - k WHERE sale_id = ? AND free >= k}; grows the lease by {@code k} (or
 *       inserts a new ACTIVE one), sets {@code expires_at = now + ttl} and {@code starving = k <
 *       units}; answers with the other ACTIVE leases' {@code Σ (granted − used)} and count,
 *       and the pool's {@code free} and {@code held} ({@link Lease#held()}).
 *   <li><b>{@code renew(leaseId)}</b>: the same, except that when the node's ACTIVE lease is not
 *       {@code leaseId} (the reaper revoked it, or there is none) nothing is written and the
 *       answer is not active: a renewal never inserts a lease.
 *   <li><b>{@code giveBack}</b>: locks the node's ACTIVE lease, moves {@code min(units, granted −
 *       used)} from it to the pool ({@code granted} never goes below {@code used}). Does not
 *       renew the lease.
 *   <li><b>{@code release}</b>: locks the node's ACTIVE lease, sets it RELEASED and puts
 *       {@code granted − used} back in the pool.
 *   <li><b>{@code reap(grace)}</b>: reads the candidates, {@code SELECT lease_id, sale_id,
 *       node_id ... WHERE state = 'ACTIVE' AND expires_at < now − grace ORDER BY expires_at
 *       LIMIT 1000}, then locks each by its primary key in (sale, node) order with the same
 *       condition, {@code FOR UPDATE SKIP LOCKED} (PostgreSQL, MariaDB 10.6+, MySQL 8+; older
 *       MariaDB and H2 use a plain {@code FOR UPDATE}, so a reaper waits there for a lease
 *       being settled instead of skipping it), sets each REVOKED and puts its {@code granted −
 *       used} back in the pool (pool rows in sale order). At most 1,000 leases per call; call
 *       again while it returns 1,000. One locking scan over the expiry index would lock in
 *       that index's order (and on InnoDB keep the index entries of the rows it skipped) and
 *       deadlock with {@code lease}.
 *   <li><b>Settlement</b> ({@code sink(n).storeOrVoid(batch)}), one transaction: reads which
 *       orders of the batch are stored already (in the orders table) or voided already (in
 *       {@code voided_order}: same verdict again). For each sale of the rest, in sale order,
 *       locks node {@code n}'s ACTIVE lease on it ({@code FOR UPDATE}: the reaper skips it and
 *       {@code lease}, {@code giveBack}, {@code release} of that node wait) and the buyers'
 *       {@code user_units} rows (in user order, created at 0 if missing; PostgreSQL: one
 *       {@code INSERT ... SELECT FROM unnest ... ON CONFLICT DO UPDATE ... RETURNING}, elsewhere a
 *       locking read, a batch of idempotent inserts and a second locking read); then, in order-id
 *       order: no active lease or {@code used + q > granted} voids the order LEASE_LOST; a
 *       user's {@code units + q > limit_per_user} voids it LIMIT_REACHED; else it is accepted.
 *       The accepted orders are inserted with {@code JdbcOrderSink}'s idempotent insert, the
 *       user rows grow, and per sale the fence {@code UPDATE lease SET used = used + :new WHERE
 *       lease_id = ? AND state = 'ACTIVE' AND used + :new <= granted} must change one row, or
 *       the transaction rolls back, a second transaction voids that sale's accepted orders
 *       LEASE_LOST, and the batch is settled again. The voids are inserted in the same
 *       transaction as the orders. {@code used} grows by the units the insert actually added,
 *       so a re-offered batch never counts twice. (While the settlement holds the lease's row
 *       lock the fence cannot miss; it is the guard the design rests on all the same.) For a
 *       sale whose pool has {@code pay_within_ms} (read with the limit, one plain read), once
 *       its fence has succeeded, {@code UPDATE pool SET held = held + :new WHERE sale_id = ?}
 *       must change one row: the transaction's last lock.
 *   <li><b>State changes</b> ({@code sink(n).storeStateChanges(changes)}, from any node's
 *       sink: a change is found by its order id), one transaction: in (order id, version)
 *       order, reads each order's row in the orders table ({@code SELECT sale_id, quantity,
 *       state, state_version ... FOR UPDATE}); a change whose order is not there (voided at
 *       settlement, or never stored) or whose version is not above the stored one moves
 *       nothing; else {@code UPDATE <orders> SET state = ?, state_version = ? WHERE order_id = ?
 *       AND (state_version IS NULL OR state_version < ?)} must change one row (the same code as
 *       {@code JdbcOrderSink}'s with {@code stockSummary}); the applied changes give, per sale,
 *       the units newly paid (Δpaid) and newly cancelled or expired (Δreleased). Then, per sale
 *       in sale order whose pool has {@code pay_within_ms} and whose deltas are not both 0:
 *       {@code UPDATE pool SET held = held − (Δpaid + Δreleased), free = free + Δreleased,
 *       released = released + Δreleased WHERE sale_id = ?} must change one row. A PAID
 *       reservation's units stay sold; a CANCELLED or EXPIRED one's go back to the pool, for
 *       any node to lease, never to a lease: leases ({@code granted}, {@code used}) are not
 *       touched, so a node's bookkeeping of its lease is unaffected. Changes of a sale without
 *       {@code pay_within_ms} only change the states.
 * </ul>
 *
 * <h2>Bounds</h2>
 * Node ids 1 to 32,767; a sale id of 1 to 128 characters; {@code units} 0 or more; a lease's
 * time to live more than 0 and at most one day (under a millisecond counts as one, the
 * columns' precision), a reap grace 0 to one day; a {@code payWithin} positive, in whole
 * milliseconds (the column's precision); at most 1,000 leases revoked per
 * {@code reap}. A settlement batch may be any size (ids are looked up 500 to an {@code IN}
 * list). A MariaDB/MySQL {@code PAD SPACE} collation compares user ids that differ only in
 * trailing blanks as equal: such buyers share one per-user count there.
 *
 * <h2>Failures</h2>
 * A bad argument is an {@link IllegalArgumentException} naming it. A database failure is thrown
 * as the {@link SQLException} (the transaction rolled back, or, for a failed commit, unknown:
 * every method is safe to call again). In a sink, an order the database refuses for its values
 * (SQLSTATE class 22 or 23) or that the schema cannot hold (a sale id over 128 or user id over
 * 256 characters, an instant outside the years 1000 to 9999) throws a
 * {@link PermanentSinkException}, as {@link JdbcOrderSink} does, so the engine dead-letters it.
 */
public final class JdbcStockCoordinator implements StockCoordinator {
  /** The largest node id; {@link #newNodeId()} throws past it. */
  static final int MAX_NODE_ID = 32_767;
  /** The longest lease time to live and reap grace accepted: one day. */
  static final long MAX_MILLIS = Duration.ofDays(1).toMillis();
  /** Leases one {@link #reap} call revokes at most. */
  static final int REAP_LIMIT = 1_000;
  /** Ids per {@code IN (...)} list. */
  private static final int IN_CHUNK = OrderWriter.IN_CHUNK;

  private final DataSource dataSource;
  private final Dialect dialect;
  private final String ordersTable;
  private final String tablePrefix;
  private final int deadlockRetries;
  /** Idle-in-transaction bound set in each transaction, in ms; 0 when off or unsupported. */
  private final long idleMillis;
  /**
   * PostgreSQL 12+: plan every statement for the tables as they are now. The lookups by
   * {@code IN} list (stored orders, voids) run as server-side prepared statements; a generic plan
   * made while a table was small (a sequential scan) would stay while it grows.
   */
  private final boolean customPlans;
  private final OrderWriter writer;
  private final CoordinatorSql sql;
  private volatile boolean closed;

  private JdbcStockCoordinator(Builder b, Dialect dialect, boolean skipLocked,
      boolean idleBound, boolean customPlans) {
    this.dataSource = b.dataSource;
    this.dialect = dialect;
    this.ordersTable = b.ordersTable;
    this.tablePrefix = b.tablePrefix;
    this.deadlockRetries = b.deadlockRetries;
    this.idleMillis = idleBound ? b.idleTransactionTimeout.toMillis() : 0;
    this.customPlans = customPlans;
    this.writer = OrderWriter.counting(dialect, ordersTable);
    this.sql = new CoordinatorSql(dialect, tablePrefix, skipLocked);
  }

  /**
   * A builder for a coordinator over {@code dataSource}.
   *
   * @param dataSource where connections come from (a pool is recommended); not null
   * @return a new builder with every setting at its default
   * @throws IllegalArgumentException if {@code dataSource} is null
   */
  public static Builder builder(DataSource dataSource) {
    if (dataSource == null) {
      throw new IllegalArgumentException("dataSource must not be null");
    }
    return new Builder(dataSource);
  }

  /**
   * The dialect in use: the configured one, or the one {@link Dialect#AUTO} detected.
   *
   * @return {@link Dialect#H2}, {@link Dialect#POSTGRESQL} or {@link Dialect#MYSQL}
   */
  public Dialect dialect() {
    return dialect;
  }

  /**
   * The orders table the sinks store into.
   *
   * @return the table's name as configured
   */
  public String ordersTable() {
    return ordersTable;
  }

  /**
   * The prefix of the coordinator's own tables.
   *
   * @return the prefix as configured
   */
  public String tablePrefix() {
    return tablePrefix;
  }

  /**
   * Whether the reaper skips leases locked by another transaction ({@code FOR UPDATE SKIP
   * LOCKED}) rather than waiting for them: true on PostgreSQL, MariaDB 10.6+ and MySQL 8+.
   *
   * @return true if {@code SKIP LOCKED} is used
   */
  public boolean skipsLockedLeases() {
    return !sql.skipLocked.isEmpty();
  }

  // ---------------------------------------------------------------------------------------------
  // StockCoordinator

  /**
   * {@inheritDoc}
   *
   * <p>Inserts a row into {@code <prefix>nodes}; its id comes from the database's sequence.
   *
   * @throws IllegalStateException if all 32,767 node ids were handed out
   */
  @Override
  public int newNodeId() throws SQLException {
    checkOpen();
    return inTransaction(false, c -> {
      long id;
      try (PreparedStatement ps = sql.insertNode(c)) {
        ps.executeUpdate();
        id = generatedKey(ps, sql.nodes);
      } catch (SQLException e) {
        if (isOutOfIds(e)) {
          throw new IllegalStateException("no node id left: " + sql.nodes + " has handed out"
              + " every id up to " + MAX_NODE_ID + " (" + e.getMessage() + ")", e);
        }
        throw e;
      }
      if (id < 1 || id > MAX_NODE_ID) {
        throw new IllegalStateException("no node id left: " + sql.nodes + " handed out " + id
            + ", outside 1.." + MAX_NODE_ID);
      }
      return (int) id;
    });
  }

  /**
   * {@inheritDoc}
   *
   * <p>The same as {@link #openSale(String, long, int, Duration) openSale(saleId, stock,
   * limitPerUser, null)}: a sale without reservations.
   *
   * @throws IllegalArgumentException if {@code saleId} is null, empty or over 128 characters,
   *     or {@code stock} or {@code limitPerUser} is not positive
   * @throws IllegalStateException if the pool exists with another stock, limit or
   *     {@code payWithin} (the message names both), or the coordinator is closed
   * @throws SQLException if the transaction failed (rolled back) or its commit failed (unknown:
   *     calling again is safe)
   */
  @Override
  public void openSale(String saleId, long stock, int limitPerUser) throws SQLException {
    openSale(saleId, stock, limitPerUser, null);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Inserts the sale's row into {@code <prefix>pool} unless it exists ({@code free = stock},
   * {@code pay_within_ms} = {@code payWithin} in milliseconds or NULL, {@code held} and
   * {@code released} 0), then reads the row back and compares its stock, limit and
   * {@code pay_within_ms} with the arguments. With {@code payWithin} not null, settlement
   * counts every accepted order of the sale in {@code held}, and
   * {@link OrderSink#storeStateChanges} of any node's sink moves a paid reservation's units out
   * of {@code held} and a cancelled or expired one's back into {@code free} (see the class
   * comment).
   *
   * @throws IllegalArgumentException if {@code saleId} is null, empty or over 128 characters,
   *     {@code stock} or {@code limitPerUser} is not positive, or {@code payWithin} is not null
   *     and not positive whole milliseconds
   * @throws IllegalStateException if the pool exists with another stock, limit or
   *     {@code payWithin} (the message names both), or the coordinator is closed
   * @throws SQLException if the transaction failed (rolled back) or its commit failed (unknown:
   *     calling again is safe)
   */
  @Override
  public void openSale(String saleId, long stock, int limitPerUser,
      @Nullable Duration payWithin) throws SQLException {
    checkSaleId(saleId);
    if (stock <= 0) {
      throw new IllegalArgumentException("stock must be positive, was " + stock);
    }
    if (limitPerUser <= 0) {
      throw new IllegalArgumentException("limitPerUser must be positive, was " + limitPerUser);
    }
    Long payMillis = payWithinMillis(payWithin);
    checkOpen();
    inTransaction(true, c -> {
      try (PreparedStatement ps = c.prepareStatement(sql.insertPool)) {
        ps.setString(1, saleId);
        ps.setLong(2, stock);
        ps.setLong(3, stock);
        ps.setInt(4, limitPerUser);
        if (payMillis == null) {
          ps.setNull(5, Types.BIGINT);
        } else {
          ps.setLong(5, payMillis);
        }
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT stock, limit_per_user,"
          + " pay_within_ms FROM " + sql.pool + " WHERE sale_id = ?")) {
        ps.setString(1, saleId);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw new SQLException("the pool row of sale '" + saleId + "' in " + sql.pool
                + " is missing right after its insert", "40001");
          }
          long haveStock = rs.getLong(1);
          int haveLimit = rs.getInt(2);
          long havePay = rs.getLong(3);
          Long havePayMillis = rs.wasNull() ? null : havePay;
          if (haveStock != stock || haveLimit != limitPerUser
              || !java.util.Objects.equals(havePayMillis, payMillis)) {
            throw new IllegalStateException("sale '" + saleId + "' is open in " + sql.pool
                + " with stock " + haveStock + ", limitPerUser " + haveLimit + " and payWithin "
                + (havePayMillis == null ? "null" : Duration.ofMillis(havePayMillis))
                + "; openSale asked for stock " + stock + ", limitPerUser " + limitPerUser
                + " and payWithin " + payWithin);
          }
        }
      }
      return Boolean.TRUE;
    });
  }

  /** {@code payWithin} in milliseconds, null for null; refuses one not positive whole ms. */
  private static @Nullable Long payWithinMillis(@Nullable Duration payWithin) {
    if (payWithin == null) {
      return null;
    }
    if (payWithin.isNegative() || payWithin.isZero()) {
      throw new IllegalArgumentException("payWithin must be positive, was " + payWithin);
    }
    long ms;
    try {
      ms = payWithin.toMillis();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("payWithin must fit in a BIGINT of milliseconds, was "
          + payWithin, e);
    }
    if (!payWithin.equals(Duration.ofMillis(ms))) {
      throw new IllegalArgumentException("payWithin must be whole milliseconds (the column's"
          + " precision), was " + payWithin);
    }
    return ms;
  }

  @Override
  public Lease lease(int nodeId, String saleId, int units, Duration ttl) throws SQLException {
    return grow(nodeId, saleId, 0, units, ttl);
  }

  @Override
  public Lease renew(int nodeId, String saleId, long leaseId, int units, Duration ttl)
      throws SQLException {
    if (leaseId <= 0) {
      throw new IllegalArgumentException("leaseId must be positive, was " + leaseId);
    }
    return grow(nodeId, saleId, leaseId, units, ttl);
  }

  /**
   * {@code lease} ({@code expected} 0: the node's active lease, created if it has none) and
   * {@code renew} ({@code expected} > 0: only that lease, while it is the node's active one;
   * otherwise nothing changes and the answer is not active).
   */
  private Lease grow(int nodeId, String saleId, long expected, int units, Duration ttl)
      throws SQLException {
    checkNode(nodeId);
    checkSaleId(saleId);
    if (units < 0) {
      throw new IllegalArgumentException("units must not be negative, was " + units);
    }
    long ttlMillis = millis("ttl", ttl, false);
    checkOpen();
    return inTransaction(true, c -> {
      Own own = lockActive(c, saleId, nodeId);
      if (expected != 0 && (own == null || own.leaseId != expected)) {
        // Revoked or ended (or never made): renew never makes a new one.
        return answer(c, saleId, nodeId, null, poolOf(c, saleId, false));
      }
      PoolRow pool = poolOf(c, saleId, true);
      long free = pool.free();
      long k = Math.min(units, free);
      if (k > 0) {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + sql.pool
            + " SET free = free - ? WHERE sale_id = ? AND free >= ?")) {
          ps.setLong(1, k);
          ps.setString(2, saleId);
          ps.setLong(3, k);
          expectOne(ps.executeUpdate(), "taking " + k + " units from the pool of " + saleId);
        }
      }
      boolean starving = k < units;
      if (own == null) {
        try (PreparedStatement ps = sql.insertLease(c)) {
          ps.setString(1, saleId);
          ps.setInt(2, nodeId);
          ps.setLong(3, k);
          ps.setBoolean(4, starving);
          ps.setLong(5, ttlMillis);
          ps.executeUpdate();
          own = new Own(generatedKey(ps, sql.lease), k, 0);
        }
      } else {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + sql.lease
            + " SET granted = granted + ?, starving = ?, expires_at = " + sql.nowPlusMillis
            + ", updated_at = " + sql.now + " WHERE lease_id = ? AND state = 'ACTIVE'")) {
          ps.setLong(1, k);
          ps.setBoolean(2, starving);
          ps.setLong(3, ttlMillis);
          ps.setLong(4, own.leaseId);
          expectOne(ps.executeUpdate(), "renewing lease " + own.leaseId);
        }
        own = new Own(own.leaseId, own.granted + k, own.used);
      }
      return answer(c, saleId, nodeId, own, new PoolRow(free - k, pool.held()));
    });
  }

  @Override
  public Lease giveBack(int nodeId, String saleId, int units) throws SQLException {
    checkNode(nodeId);
    checkSaleId(saleId);
    if (units < 0) {
      throw new IllegalArgumentException("units must not be negative, was " + units);
    }
    checkOpen();
    return inTransaction(true, c -> {
      Own own = lockActive(c, saleId, nodeId);
      if (own == null) {
        return answer(c, saleId, nodeId, null, null);
      }
      long move = Math.min(units, own.granted - own.used);
      if (move > 0) {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + sql.lease
            + " SET granted = granted - ?, updated_at = " + sql.now
            + " WHERE lease_id = ? AND state = 'ACTIVE' AND granted - ? >= used")) {
          ps.setLong(1, move);
          ps.setLong(2, own.leaseId);
          ps.setLong(3, move);
          expectOne(ps.executeUpdate(), "giving back " + move + " units of lease " + own.leaseId);
        }
        addToPool(c, saleId, move);
        own = new Own(own.leaseId, own.granted - move, own.used);
      }
      return answer(c, saleId, nodeId, own, null);
    });
  }

  @Override
  public void release(int nodeId, String saleId) throws SQLException {
    checkNode(nodeId);
    checkSaleId(saleId);
    checkOpen();
    inTransaction(true, c -> {
      Own own = lockActive(c, saleId, nodeId);
      if (own == null) {
        return Boolean.TRUE;
      }
      try (PreparedStatement ps = c.prepareStatement("UPDATE " + sql.lease
          + " SET state = 'RELEASED', updated_at = " + sql.now
          + " WHERE lease_id = ? AND state = 'ACTIVE'")) {
        ps.setLong(1, own.leaseId);
        expectOne(ps.executeUpdate(), "releasing lease " + own.leaseId);
      }
      addToPool(c, saleId, own.granted - own.used);
      return Boolean.TRUE;
    });
  }

  @Override
  public int reap(Duration grace) throws SQLException {
    long graceMillis = millis("grace", grace, true);
    checkOpen();
    return inTransaction(true, c -> {
      List<Long> ids = new ArrayList<>();
      SortedMap<String, Long> back = new TreeMap<>(CODE_POINTS);
      String expired = " FROM " + sql.lease + " WHERE state = 'ACTIVE' AND expires_at < "
          + sql.nowPlusMillis;
      // Find the candidates with a plain read, then lock each by its primary key, in (sale,
      // node) order as settlement does, re-checking it (a lease renewed or ended meanwhile is
      // left alone); where the database has SKIP LOCKED, a lease another transaction holds
      // (being renewed, settled, or reaped by another reaper) is skipped, never waited for. A
      // single locking scan would lock in the expiry index's order, and on InnoDB hold the
      // expiry index entries of the leases it skipped: both deadlock with lease() and settling.
      List<Candidate> candidates = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT lease_id, sale_id, node_id"
          + expired + " ORDER BY expires_at LIMIT " + REAP_LIMIT)) {
        ps.setLong(1, -graceMillis);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            candidates.add(new Candidate(rs.getLong(1), rs.getString(2), rs.getInt(3)));
          }
        }
      }
      candidates.sort(java.util.Comparator.comparing(Candidate::saleId, CODE_POINTS)
          .thenComparingInt(Candidate::nodeId));
      try (PreparedStatement ps = c.prepareStatement("SELECT lease_id, sale_id, granted, used"
          + expired + " AND lease_id = ? FOR UPDATE" + sql.skipLocked)) {
        for (Candidate candidate : candidates) {
          long id = candidate.leaseId();
          ps.setLong(1, -graceMillis);
          ps.setLong(2, id);
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
              ids.add(rs.getLong(1));
              back.merge(rs.getString(2), rs.getLong(3) - rs.getLong(4), Long::sum);
            }
          }
        }
      }
      if (ids.isEmpty()) {
        return 0;
      }
      try (PreparedStatement ps = c.prepareStatement("UPDATE " + sql.lease
          + " SET state = 'REVOKED', updated_at = " + sql.now
          + " WHERE lease_id = ? AND state = 'ACTIVE'")) {
        for (long id : ids) {
          ps.setLong(1, id);
          expectOne(ps.executeUpdate(), "revoking lease " + id);
        }
      }
      for (Map.Entry<String, Long> e : back.entrySet()) {
        addToPool(c, e.getKey(), e.getValue());
      }
      return ids.size();
    });
  }

  /**
   * {@inheritDoc}
   *
   * <p>The sink's {@link OrderSink#storeOrVoid} is the settlement described in the class
   * comment; its {@link OrderSink#store} settles the same way and then throws an
   * {@link IllegalStateException} naming the voided orders if any order was voided (the voids
   * are recorded all the same: offered again, they are voided again). Its
   * {@link OrderSink#storeStateChanges} stores reservation state changes and moves their units
   * in the pool as the class comment says ("State changes"); any node's sink may store any
   * node's changes. Closing the sink stops it only.
   *
   * @throws IllegalArgumentException if {@code nodeId} is not 1 to 32,767
   */
  @Override
  public OrderSink sink(int nodeId) {
    checkNode(nodeId);
    return new NodeSink(nodeId);
  }

  /** Stops the coordinator and its sinks. Does not close the DataSource. Idempotent. */
  @Override
  public void close() {
    closed = true;
  }

  @Override
  public String toString() {
    return "JdbcStockCoordinator{dialect=" + dialect + ", ordersTable=" + ordersTable
        + ", tablePrefix=" + tablePrefix + '}';
  }

  // ---------------------------------------------------------------------------------------------
  // Settlement

  /** The sink of one node. Thread-safe: each call runs its own transaction. */
  private final class NodeSink implements OrderSink {
    private final int nodeId;
    private volatile boolean sinkClosed;

    NodeSink(int nodeId) {
      this.nodeId = nodeId;
    }

    @Override
    public void store(List<ConfirmedOrder> batch) throws Exception {
      List<VoidedOrder> voids = storeOrVoid(batch);
      if (!voids.isEmpty()) {
        throw new IllegalStateException("node " + nodeId + ": " + voids.size() + " order(s) of"
            + " the batch were voided, not stored (the verdicts are recorded; use storeOrVoid"
            + " to receive them): " + voids);
      }
    }

    @Override
    public List<VoidedOrder> storeOrVoid(List<ConfirmedOrder> batch) throws Exception {
      if (sinkClosed) {
        throw new IllegalStateException("the sink of node " + nodeId + " is closed");
      }
      checkOpen();
      return settle(nodeId, batch);
    }

    @Override
    public void storeStateChanges(List<OrderStateChange> changes) throws SQLException {
      if (sinkClosed) {
        throw new IllegalStateException("the sink of node " + nodeId + " is closed");
      }
      checkOpen();
      settleStates(changes);
    }

    @Override
    public void close() {
      sinkClosed = true;
    }

    @Override
    public String toString() {
      return "JdbcStockCoordinator.sink{node=" + nodeId + ", ordersTable=" + ordersTable + '}';
    }
  }

  /**
   * Stores reservation state changes in one transaction (any node's: the change is found by
   * its order id): each order's row is read under its lock and updated if the change's version
   * is above the stored one ({@link OrderWriter#updateStatesCounted}); then, for each sale with
   * {@code pay_within_ms} whose changes moved units, in sale order, one update of its pool row:
   * {@code held} down by the paid and released units, {@code free} and {@code released} up by the
   * released ones. Order rows first, pool rows last. A change whose order is not in the orders
   * table (voided at settlement, or never offered) moves nothing.
   */
  private void settleStates(List<OrderStateChange> changes) throws SQLException {
    if (changes.isEmpty()) {
      return;
    }
    List<OrderStateChange> rows = new ArrayList<>(changes);
    rows.sort(java.util.Comparator.comparingLong(OrderStateChange::orderId)
        .thenComparingInt(OrderStateChange::version)); // one lock order, as JdbcOrderSink's
    inTransaction(false, c -> {
      SortedMap<String, OrderWriter.StateDelta> deltas = new TreeMap<>(CODE_POINTS);
      deltas.putAll(writer.updateStatesCounted(c, rows));
      for (Map.Entry<String, OrderWriter.StateDelta> e : deltas.entrySet()) {
        OrderWriter.StateDelta d = e.getValue();
        if (d.paid == 0 && d.released == 0) {
          continue;
        }
        SaleTerms terms = termsOf(c, e.getKey());
        if (terms == null || !terms.reservations()) {
          continue; // a sale without reservations (or no pool row): only the states change
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + sql.pool
            + " SET held = held - ?, free = free + ?, released = released + ? WHERE sale_id = ?")) {
          ps.setLong(1, d.paid + d.released);
          ps.setLong(2, d.released);
          ps.setLong(3, d.released);
          ps.setString(4, e.getKey());
          expectOne(ps.executeUpdate(), "moving " + d.paid + " paid and " + d.released
              + " released units in the pool of " + e.getKey());
        }
      }
      return Boolean.TRUE;
    });
  }

  /** Thrown inside the settlement transaction when a fence update missed: roll back, void. */
  private static final class FenceMissed extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient List<ConfirmedOrder> orders;

    FenceMissed(String saleId, List<ConfirmedOrder> orders) {
      super("the lease fence of sale " + saleId + " changed no row", null, false, false);
      this.orders = orders;
    }
  }

  /** A failure of the orders' insert, told apart from the coordinator's own statements. */
  private static final class InsertFailed extends SQLException {
    private static final long serialVersionUID = 1L;

    InsertFailed(SQLException cause) {
      super(cause.getMessage(), cause.getSQLState(), cause.getErrorCode(), cause);
    }
  }

  private List<VoidedOrder> settle(int nodeId, List<ConfirmedOrder> batch)
      throws SQLException, PermanentSinkException {
    if (batch.isEmpty()) {
      return List.of();
    }
    Map<Long, ConfirmedOrder> byId = new LinkedHashMap<>(batch.size() * 2);
    for (ConfirmedOrder o : batch) {
      JdbcOrderSink.check(o);
      byId.putIfAbsent(o.orderId(), o); // first wins, batch order kept
    }
    List<ConfirmedOrder> rows = new ArrayList<>(byId.values());
    for (int fenceMisses = 0; ; fenceMisses++) {
      Map<Long, VoidedOrder.Reason> verdicts;
      try {
        verdicts = inTransaction(false, c -> settleOnce(c, nodeId, rows));
      } catch (FenceMissed miss) {
        if (fenceMisses >= deadlockRetries) {
          throw new SQLException("node " + nodeId + ": the lease fence missed "
              + (fenceMisses + 1) + " times in a row", "40001", miss);
        }
        inTransaction(false, c -> {
          recordVoids(c, nodeId, miss.orders, VoidedOrder.Reason.LEASE_LOST);
          return Boolean.TRUE;
        });
        continue; // settle again: those orders are voided now, the rest as before
      } catch (SQLException e) {
        if (permanent(e)) {
          throw new PermanentSinkException("the database refused " + describe(rows)
              + " for good (SQLSTATE " + e.getSQLState() + "): " + e.getMessage(), e);
        }
        throw e;
      }
      List<VoidedOrder> out = new ArrayList<>();
      for (ConfirmedOrder o : rows) {
        VoidedOrder.Reason r = verdicts.get(o.orderId());
        if (r != null) {
          out.add(new VoidedOrder(o.orderId(), r));
        }
      }
      return out;
    }
  }

  /**
   * Whether a failed settlement can never succeed because of an order's values: a data exception
   * (SQLSTATE class 22: the values bound are the orders' sale and user ids) anywhere, or a
   * constraint violation (class 23) of the orders' insert (a CHECK or foreign key the user added
   * to the orders table). A constraint of the coordinator's own tables failing is no order's
   * fault: transient, retried.
   */
  private boolean permanent(SQLException e) {
    if (!writer.isPermanent(e)) {
      return false;
    }
    if (e instanceof InsertFailed) {
      return true;
    }
    for (SQLException s : OrderWriter.chain(e)) {
      String state = s.getSQLState();
      if (state != null && state.startsWith("23")) {
        return false;
      }
    }
    return true;
  }

  /** One settlement transaction; returns the voids (old and new) by order id. */
  private Map<Long, VoidedOrder.Reason> settleOnce(Connection c, int nodeId,
      List<ConfirmedOrder> rows) throws SQLException {
    Map<Long, VoidedOrder.Reason> verdicts = new HashMap<>();
    List<Long> ids = new ArrayList<>(rows.size());
    for (ConfirmedOrder o : rows) {
      ids.add(o.orderId());
    }
    Set<Long> stored = storedIds(c, ids);
    readVoids(c, ids, verdicts);
    SortedMap<String, List<ConfirmedOrder>> bySale = new TreeMap<>(CODE_POINTS);
    for (ConfirmedOrder o : rows) {
      if (!stored.contains(o.orderId()) && !verdicts.containsKey(o.orderId())) {
        bySale.computeIfAbsent(o.saleId(), k -> new ArrayList<>()).add(o);
      }
    }
    if (bySale.isEmpty()) {
      return verdicts;
    }
    List<ConfirmedOrder> accepted = new ArrayList<>();
    List<ConfirmedOrder> leaseLost = new ArrayList<>();
    List<ConfirmedOrder> limitReached = new ArrayList<>();
    Map<String, Own> leases = new HashMap<>();
    SortedMap<String, Long> acceptedUnits = new TreeMap<>(CODE_POINTS);
    Set<String> reservationSales = new HashSet<>();
    SortedMap<String, SortedMap<String, Long>> userAdds = new TreeMap<>(CODE_POINTS);
    for (Map.Entry<String, List<ConfirmedOrder>> e : bySale.entrySet()) {
      String saleId = e.getKey();
      List<ConfirmedOrder> orders = e.getValue();
      orders.sort(java.util.Comparator.comparingLong(ConfirmedOrder::orderId));
      Own own = lockActive(c, saleId, nodeId);
      if (own == null) {
        leaseLost.addAll(orders);
        continue;
      }
      leases.put(saleId, own);
      SaleTerms terms = termsOf(c, saleId);
      if (terms == null) {
        throw new SQLException("sale '" + saleId + "' has an active lease but no row in "
            + sql.pool);
      }
      int limit = terms.limitPerUser();
      if (terms.reservations()) {
        reservationSales.add(saleId);
      }
      SortedMap<String, Long> held = lockUsers(c, saleId, orders);
      SortedMap<String, Long> adds = new TreeMap<>(CODE_POINTS);
      long room = own.granted - own.used;
      long units = 0;
      for (ConfirmedOrder o : orders) {
        int q = o.quantity();
        if (q > room) {
          leaseLost.add(o);
        } else if (held.getOrDefault(o.userId(), 0L) + q > limit) {
          limitReached.add(o);
        } else {
          accepted.add(o);
          room -= q;
          units += q;
          held.merge(o.userId(), (long) q, Long::sum);
          adds.merge(o.userId(), (long) q, Long::sum);
        }
      }
      if (units > 0) {
        acceptedUnits.put(saleId, units);
        userAdds.put(saleId, adds);
      }
    }
    if (!accepted.isEmpty()) {
      accepted.sort(writer.lockOrder());
      SortedMap<String, OrderWriter.SaleDelta> inserted;
      try {
        inserted = writer.insert(c, accepted);
      } catch (SQLException e) {
        throw new InsertFailed(e);
      }
      for (Map.Entry<String, Long> e : acceptedUnits.entrySet()) {
        OrderWriter.SaleDelta d = inserted == null ? null : inserted.get(e.getKey());
        long got = d == null ? 0 : d.units;
        if (got != e.getValue()) {
          // Another transaction stored some of them meanwhile: settle again from the start.
          throw new SQLException("node " + nodeId + ": inserting " + e.getValue() + " units of"
              + " sale " + e.getKey() + " into " + ordersTable + " added " + got
              + " (a concurrent store of the same orders); settling again", "40001");
        }
      }
      addUserUnits(c, userAdds);
      for (Map.Entry<String, Long> e : acceptedUnits.entrySet()) {
        Own own = leases.get(e.getKey());
        if (own == null) {
          throw new IllegalStateException("no lease for accepted sale " + e.getKey());
        }
        if (!fence(c, own.leaseId, e.getValue())) {
          List<ConfirmedOrder> ofSale = new ArrayList<>();
          for (ConfirmedOrder o : accepted) {
            if (o.saleId().equals(e.getKey())) {
              ofSale.add(o);
            }
          }
          throw new FenceMissed(e.getKey(), ofSale);
        }
        if (reservationSales.contains(e.getKey())) {
          // Every accepted order of the sale is a reservation: held until paid, cancelled or
          // expired. The pool row is the transaction's last lock (after the lease, user and
          // order rows), as in every transaction that locks a pool row after other rows.
          addHeld(c, e.getKey(), e.getValue());
        }
      }
    }
    recordVoids(c, nodeId, leaseLost, VoidedOrder.Reason.LEASE_LOST);
    recordVoids(c, nodeId, limitReached, VoidedOrder.Reason.LIMIT_REACHED);
    for (ConfirmedOrder o : leaseLost) {
      verdicts.put(o.orderId(), VoidedOrder.Reason.LEASE_LOST);
    }
    for (ConfirmedOrder o : limitReached) {
      verdicts.put(o.orderId(), VoidedOrder.Reason.LIMIT_REACHED);
    }
    return verdicts;
  }

  private boolean fence(Connection c, long leaseId, long units) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + sql.lease
        + " SET used = used + ?, updated_at = " + sql.now
        + " WHERE lease_id = ? AND state = 'ACTIVE' AND used + ? <= granted")) {
      ps.setLong(1, units);
      ps.setLong(2, leaseId);
      ps.setLong(3, units);
      return ps.executeUpdate() == 1;
    }
  }

  private Set<Long> storedIds(Connection c, List<Long> ids) throws SQLException {
    Set<Long> out = new HashSet<>();
    for (int start = 0; start < ids.size(); start += IN_CHUNK) {
      List<Long> chunk = ids.subList(start, Math.min(ids.size(), start + IN_CHUNK));
      try (PreparedStatement ps = c.prepareStatement("SELECT order_id FROM " + ordersTable
          + " WHERE order_id IN (" + OrderWriter.marks(chunk.size()) + ")")) {
        OrderWriter.bindIds(ps, 1, chunk);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(rs.getLong(1));
          }
        }
      }
    }
    return out;
  }

  private void readVoids(Connection c, List<Long> ids, Map<Long, VoidedOrder.Reason> into)
      throws SQLException {
    for (int start = 0; start < ids.size(); start += IN_CHUNK) {
      List<Long> chunk = ids.subList(start, Math.min(ids.size(), start + IN_CHUNK));
      try (PreparedStatement ps = c.prepareStatement("SELECT order_id, reason FROM " + sql.voided
          + " WHERE order_id IN (" + OrderWriter.marks(chunk.size()) + ")")) {
        OrderWriter.bindIds(ps, 1, chunk);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String reason = rs.getString(2);
            VoidedOrder.Reason r;
            try {
              r = VoidedOrder.Reason.valueOf(reason);
            } catch (IllegalArgumentException | NullPointerException e) {
              throw new SQLException("order " + rs.getLong(1) + " in " + sql.voided
                  + " has an unknown reason '" + reason + "'", e);
            }
            into.put(rs.getLong(1), r);
          }
        }
      }
    }
  }

  /** What settlement needs of a sale's pool row: the per-user limit, whether it reserves. */
  private record SaleTerms(int limitPerUser, boolean reservations) {}

  /**
   * The sale's limit and whether it has {@code pay_within_ms}, by a plain read (both are fixed
   * once the pool row exists); null if the sale has no pool row.
   */
  private @Nullable SaleTerms termsOf(Connection c, String saleId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT limit_per_user, pay_within_ms FROM " + sql.pool + " WHERE sale_id = ?")) {
      ps.setString(1, saleId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        int limit = rs.getInt(1);
        rs.getLong(2);
        return new SaleTerms(limit, !rs.wasNull());
      }
    }
  }

  /** Adds the units of newly settled reservations to the sale's {@code held}. */
  private void addHeld(Connection c, String saleId, long units) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE " + sql.pool + " SET held = held + ? WHERE sale_id = ?")) {
      ps.setLong(1, units);
      ps.setString(2, saleId);
      expectOne(ps.executeUpdate(), "holding " + units + " reserved units in the pool of "
          + saleId);
    }
  }

  /** Code point order: the order of PostgreSQL's {@code COLLATE "C"} and utf8mb4_bin. */
  static final java.util.Comparator<String> CODE_POINTS = (a, b) -> {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int x = a.codePointAt(i);
      int y = b.codePointAt(j);
      if (x != y) {
        return Integer.compare(x, y);
      }
      i += Character.charCount(x);
      j += Character.charCount(y);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  };

  /**
   * Locks the {@code user_units} rows of the orders' buyers and returns their units, creating
   * missing rows at 0: one locking read of the existing rows ({@code IN} lists in code point
   * order, the order the rows are locked in), a batch of idempotent inserts of the missing
   * ones, one locking read of those. One row per user id as the database compares them (a
   * MariaDB {@code PAD SPACE} collation treats trailing blanks as equal: such users share a
   * row and its units).
   */
  private SortedMap<String, Long> lockUsers(Connection c, String saleId,
      List<ConfirmedOrder> orders) throws SQLException {
    SortedMap<String, Long> held = new TreeMap<>(CODE_POINTS);
    for (ConfirmedOrder o : orders) {
      held.put(o.userId(), -1L);
    }
    List<String> stillMissing;
    if (dialect == Dialect.POSTGRESQL) {
      stillMissing = upsertUsers(c, saleId, held);
    } else {
      List<String> missing = lockExistingUsers(c, saleId, new ArrayList<>(held.keySet()), held);
      if (missing.isEmpty()) {
        return held;
      }
      try (PreparedStatement insert = c.prepareStatement(sql.insertUser)) {
        for (String user : missing) {
          insert.setString(1, saleId);
          insert.setString(2, user);
          insert.addBatch();
        }
        insert.executeBatch();
      }
      stillMissing = lockExistingUsers(c, saleId, missing, held);
    }
    if (!stillMissing.isEmpty()) {
      // Not returned under the name asked for (a collation that ignores trailing blanks):
      // one by one, the database's equality decides.
      try (PreparedStatement select = c.prepareStatement("SELECT units FROM " + sql.users
          + " WHERE sale_id = ? AND user_id = ? FOR UPDATE")) {
        for (String user : stillMissing) {
          select.setString(1, saleId);
          select.setString(2, user);
          try (ResultSet rs = select.executeQuery()) {
            if (!rs.next()) {
              throw new SQLException("the row of user '" + user + "' in sale '" + saleId
                  + "' is missing from " + sql.users + " right after its insert", "40001");
            }
            held.put(user, rs.getLong(1));
          }
        }
      }
    }
    return held;
  }

  /**
   * PostgreSQL: creates, locks and reads the rows of {@code held}'s users in one statement,
   * {@code INSERT ... SELECT FROM unnest(?) ... ON CONFLICT DO UPDATE SET units = units
   * RETURNING}: each row is found through the primary key by the insert itself (no plan to
   * choose, however small the planner believes the table), in the array's order, which is code
   * point order. Puts the units in {@code held}; returns the users not returned under the name
   * asked for.
   */
  private List<String> upsertUsers(Connection c, String saleId, SortedMap<String, Long> held)
      throws SQLException {
    String[] users = held.keySet().toArray(new String[0]);
    Array array = c.createArrayOf("varchar", users);
    try (PreparedStatement ps = c.prepareStatement(sql.lockUsers)) {
      ps.setString(1, saleId);
      ps.setArray(2, array);
      Set<String> found = new HashSet<>();
      readUnits(ps, held, found);
      return notFound(Arrays.asList(users), found);
    } finally {
      array.free();
    }
  }

  /**
   * MariaDB/MySQL and H2: locks the rows of {@code users} (code point order) that exist, puts
   * their units in {@code held}, and returns the users not found.
   */
  private List<String> lockExistingUsers(Connection c, String saleId, List<String> users,
      SortedMap<String, Long> held) throws SQLException {
    Set<String> found = new HashSet<>();
    for (int start = 0; start < users.size(); start += IN_CHUNK) {
      List<String> chunk = users.subList(start, Math.min(users.size(), start + IN_CHUNK));
      try (PreparedStatement ps = c.prepareStatement("SELECT user_id, units FROM " + sql.users
          + " WHERE sale_id = ? AND user_id IN (" + OrderWriter.marks(chunk.size()) + ")"
          + " ORDER BY user_id FOR UPDATE")) {
        ps.setString(1, saleId);
        for (int i = 0; i < chunk.size(); i++) {
          ps.setString(i + 2, chunk.get(i));
        }
        readUnits(ps, held, found);
      }
    }
    return notFound(users, found);
  }

  /** Runs {@code ps}, whose rows are (user_id, units), into {@code held} and {@code found}. */
  private static void readUnits(PreparedStatement ps, SortedMap<String, Long> held,
      Set<String> found) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String user = rs.getString(1);
        if (held.containsKey(user)) {
          held.put(user, rs.getLong(2));
          found.add(user);
        }
      }
    }
  }

  private static List<String> notFound(List<String> users, Set<String> found) {
    List<String> missing = new ArrayList<>();
    for (String user : users) {
      if (!found.contains(user)) {
        missing.add(user);
      }
    }
    return missing;
  }

  private void addUserUnits(Connection c, SortedMap<String, SortedMap<String, Long>> adds)
      throws SQLException {
    if (dialect == Dialect.POSTGRESQL) {
      addUserUnitsPg(c, adds);
      return;
    }
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + sql.users
        + " SET units = units + ? WHERE sale_id = ? AND user_id = ?")) {
      for (Map.Entry<String, SortedMap<String, Long>> sale : adds.entrySet()) {
        for (Map.Entry<String, Long> user : sale.getValue().entrySet()) {
          ps.setLong(1, user.getValue());
          ps.setString(2, sale.getKey());
          ps.setString(3, user.getKey());
          ps.addBatch();
        }
      }
      for (int count : ps.executeBatch()) {
        // Each row is locked by this transaction: 1, or "succeeded, count unknown" (-2).
        if (count != 1 && count != Statement.SUCCESS_NO_INFO) {
          throw new SQLException("adding units to a row of " + sql.users + " changed " + count
              + " rows, expected 1", "40001");
        }
      }
    }
  }

  /**
   * PostgreSQL: one statement per sale, {@code INSERT ... SELECT FROM unnest(?, ?) ON CONFLICT
   * DO UPDATE SET units = units + EXCLUDED.units}; every row exists and is locked by this
   * transaction ({@link #upsertUsers}), so each one is updated, found through the primary key.
   */
  private void addUserUnitsPg(Connection c, SortedMap<String, SortedMap<String, Long>> adds)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.addUserUnits)) {
      for (Map.Entry<String, SortedMap<String, Long>> sale : adds.entrySet()) {
        String[] users = sale.getValue().keySet().toArray(new String[0]);
        Long[] units = sale.getValue().values().toArray(new Long[0]);
        Array u = c.createArrayOf("varchar", users);
        Array n = c.createArrayOf("bigint", units);
        try {
          ps.setString(1, sale.getKey());
          ps.setArray(2, u);
          ps.setArray(3, n);
          int count = ps.executeUpdate();
          if (count != users.length) {
            throw new SQLException("adding units to " + users.length + " rows of " + sql.users
                + " changed " + count + " rows", "40001");
          }
        } finally {
          u.free();
          n.free();
        }
      }
    }
  }

  private void recordVoids(Connection c, int nodeId, List<ConfirmedOrder> orders,
      VoidedOrder.Reason reason) throws SQLException {
    if (orders.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(sql.insertVoid)) {
      for (ConfirmedOrder o : orders) {
        ps.setLong(1, o.orderId());
        ps.setString(2, o.saleId());
        ps.setInt(3, nodeId);
        ps.setString(4, o.userId());
        ps.setInt(5, o.quantity());
        ps.setString(6, reason.name());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static String describe(List<ConfirmedOrder> rows) {
    if (rows.size() == 1) {
      return "order " + rows.get(0).orderId();
    }
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (ConfirmedOrder o : rows) {
      min = Math.min(min, o.orderId());
      max = Math.max(max, o.orderId());
    }
    return "a batch of " + rows.size() + " orders (ids " + min + " to " + max + ")";
  }

  // ---------------------------------------------------------------------------------------------
  // Leases

  /** A lease the reaper may revoke, before it is locked. */
  private record Candidate(long leaseId, String saleId, int nodeId) {}

  /** A node's ACTIVE lease as locked: id, granted, used. */
  private record Own(long leaseId, long granted, long used) {}

  /**
   * Locks node's ACTIVE lease on the sale, or returns null if it holds none. The lookup goes
   * through the unique index of active leases, so it touches (and locks) that one row only.
   *
   * <p>InnoDB locks index records: a locking read through the unique secondary index locks it
   * before the row, while the reaper (which finds leases through the expiry index) locks the
   * row before the unique index entry its update changes, and the two deadlock. So on
   * MariaDB/MySQL the lease is found with a plain read and then locked by its primary key, the
   * order every other statement uses, and checked again under the lock.
   */
  private @Nullable Own lockActive(Connection c, String saleId, int nodeId) throws SQLException {
    if (dialect != Dialect.MYSQL) {
      try (PreparedStatement ps = c.prepareStatement(sql.lockActive)) {
        ps.setString(1, saleId);
        ps.setInt(2, nodeId);
        return own(ps, saleId, nodeId);
      }
    }
    try (PreparedStatement find = c.prepareStatement("SELECT lease_id FROM " + sql.lease
        + " WHERE sale_id = ? AND active_node = ?");
        PreparedStatement lock = c.prepareStatement("SELECT lease_id, granted, used FROM "
            + sql.lease + " WHERE lease_id = ? AND state = 'ACTIVE' FOR UPDATE")) {
      for (int attempt = 0; attempt < 3; attempt++) {
        find.setString(1, saleId);
        find.setInt(2, nodeId);
        long id;
        try (ResultSet rs = find.executeQuery()) {
          if (!rs.next()) {
            return null;
          }
          id = rs.getLong(1);
        }
        lock.setLong(1, id);
        Own own = own(lock, saleId, nodeId);
        if (own != null) {
          return own;
        }
        // The lease ended between the two reads: look again (the node may hold a new one).
      }
      throw new SQLException("the ACTIVE lease of node " + nodeId + " on sale '" + saleId
          + "' kept ending while being locked", "40001");
    }
  }

  private @Nullable Own own(PreparedStatement ps, String saleId, int nodeId) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return null;
      }
      Own own = new Own(rs.getLong(1), rs.getLong(2), rs.getLong(3));
      if (rs.next()) {
        throw new SQLException("node " + nodeId + " holds two ACTIVE leases on sale '" + saleId
            + "' in " + sql.lease + "; its unique index on (sale_id, node_id) of ACTIVE leases"
            + " is missing");
      }
      return own;
    }
  }

  /** A sale's pool row as read: free units, and units held by unpaid settled reservations. */
  private record PoolRow(long free, long held) {}

  /**
   * The sale's pool row, read under its row lock if {@code lock}, else by a plain read;
   * IllegalArgumentException if the sale was never opened.
   */
  private PoolRow poolOf(Connection c, String saleId, boolean lock) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT free, held FROM " + sql.pool
        + " WHERE sale_id = ?" + (lock ? " FOR UPDATE" : ""))) {
      ps.setString(1, saleId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalArgumentException("sale '" + saleId + "' was never opened in "
              + sql.pool + ": call openSale first");
        }
        return new PoolRow(rs.getLong(1), rs.getLong(2));
      }
    }
  }

  private void addToPool(Connection c, String saleId, long units) throws SQLException {
    if (units == 0) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE " + sql.pool + " SET free = free + ? WHERE sale_id = ?")) {
      ps.setLong(1, units);
      ps.setString(2, saleId);
      expectOne(ps.executeUpdate(), "returning " + units + " units to the pool of " + saleId);
    }
  }

  /**
   * The answer for node {@code nodeId}: its lease ({@code own}, null if none), the pool's free
   * and held units ({@code pool}, or null to read them) and the other ACTIVE leases of the sale.
   */
  private Lease answer(Connection c, String saleId, int nodeId, @Nullable Own own,
      @Nullable PoolRow pool) throws SQLException {
    long poolFree;
    long held;
    if (pool != null) {
      poolFree = pool.free();
      held = pool.held();
    } else {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT free, held FROM " + sql.pool + " WHERE sale_id = ?")) {
        ps.setString(1, saleId);
        try (ResultSet rs = ps.executeQuery()) {
          boolean found = rs.next();
          poolFree = found ? rs.getLong(1) : 0;
          held = found ? rs.getLong(2) : 0;
        }
      }
    }
    long elsewhere;
    int others;
    boolean starving;
    try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(SUM(granted - used), 0),"
        + " COUNT(*), COALESCE(MAX(CASE WHEN starving THEN 1 ELSE 0 END), 0) FROM " + sql.lease
        + " WHERE sale_id = ? AND " + (dialect == Dialect.POSTGRESQL
            // The unique index of active leases: PostgreSQL's partial one, elsewhere the one on
            // (sale_id, active_node), so the ended leases of the sale are not read.
            ? "state = 'ACTIVE' AND node_id <> ?" : "active_node IS NOT NULL AND active_node <> ?"))) {
      ps.setString(1, saleId);
      ps.setInt(2, nodeId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        elsewhere = rs.getLong(1);
        others = rs.getInt(2);
        starving = rs.getInt(3) != 0;
      }
    }
    if (own == null) {
      return new Lease(0, false, 0, 0, poolFree, elsewhere, others, starving, held);
    }
    return new Lease(own.leaseId, true, own.granted, own.used, poolFree, elsewhere, others + 1,
        starving, held);
  }

  // ---------------------------------------------------------------------------------------------
  // Transactions

  /** Work done on one connection inside {@link #inTransaction}. */
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} in one READ COMMITTED transaction on a pooled connection, again (up to
   * {@code deadlockRetries} times) if it failed on a deadlock, serialization failure or lock
   * timeout, and, if {@code uniqueRetries}, on a unique-key violation (two transactions creating
   * the same row: run again, the second sees the first's).
   */
  private <T> T inTransaction(boolean uniqueRetries, Work<T> work) throws SQLException {
    for (int attempt = 0; ; attempt++) {
      try {
        return inTransactionOnce(work);
      } catch (SQLException e) {
        if (attempt >= deadlockRetries || !retryable(e, uniqueRetries)) {
          throw e;
        }
      }
    }
  }

  private <T> T inTransactionOnce(Work<T> work) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      int isolation = c.getTransactionIsolation();
      if (autoCommit) {
        c.setAutoCommit(false);
      }
      if (isolation != Connection.TRANSACTION_READ_COMMITTED) {
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      }
      boolean idleBound = false;
      try {
        idleBound = boundIdle(c);
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException | Error e) {
        try {
          c.rollback();
        } catch (SQLException rollbackFailure) {
          e.addSuppressed(rollbackFailure);
        }
        throw e;
      } finally {
        try {
          if (idleBound) {
            unboundIdle(c);
          }
          if (isolation != Connection.TRANSACTION_READ_COMMITTED) {
            c.setTransactionIsolation(isolation);
          }
          if (autoCommit) {
            c.setAutoCommit(true);
          }
        } catch (SQLException ignored) {
          // The connection is being returned or closed; a pool resets or evicts it.
        }
      }
    }
  }

  /**
   * Bounds how long the database lets this transaction sit idle (its client frozen between two
   * statements while holding row locks): PostgreSQL {@code SET LOCAL
   * idle_in_transaction_session_timeout} (this transaction only), MariaDB the session's
   * {@code idle_transaction_timeout} (whole seconds, put back after the transaction). On
   * PostgreSQL 12+ also {@code SET LOCAL plan_cache_mode = force_custom_plan} (see
   * {@link #customPlans}), in the same round trip.
   *
   * @return true if a session setting must be put back ({@link #unboundIdle})
   */
  private boolean boundIdle(Connection c) throws SQLException {
    if (dialect == Dialect.POSTGRESQL) {
      String set = (idleMillis == 0 ? ""
          : "SET LOCAL idle_in_transaction_session_timeout = " + idleMillis + "; ")
          + (customPlans ? "SET LOCAL plan_cache_mode = force_custom_plan" : "");
      if (!set.isEmpty()) {
        try (Statement s = c.createStatement()) {
          s.execute(set);
        }
      }
      return false;
    }
    if (idleMillis == 0) {
      return false;
    }
    try (Statement s = c.createStatement()) {
      long seconds = (idleMillis + 999) / 1000;
      s.execute("SET @seckill_idle_transaction_timeout = @@session.idle_transaction_timeout,"
          + " SESSION idle_transaction_timeout = " + seconds);
      return true;
    }
  }

  private static void unboundIdle(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SET SESSION idle_transaction_timeout = @seckill_idle_transaction_timeout");
    }
  }

  private boolean retryable(SQLException e, boolean uniqueRetries) {
    if (writer.isTransient(e)) {
      return true;
    }
    for (SQLException s : OrderWriter.chain(e)) {
      String state = s.getSQLState();
      if ("90131".equals(state) || "HYT00".equals(state) || s.getErrorCode() == 1205) {
        return true; // H2 concurrent update, H2 lock timeout, MariaDB/MySQL lock wait timeout
      }
      if (uniqueRetries && ("23505".equals(state) || s.getErrorCode() == 1062)) {
        return true;
      }
    }
    return false;
  }

  /** PostgreSQL's 2200H (sequence exhausted) and other class 22/23 failures, H2's 90006. */
  private static boolean isOutOfIds(SQLException e) {
    for (SQLException s : OrderWriter.chain(e)) {
      String state = s.getSQLState();
      if (state != null && (state.startsWith("22") || state.startsWith("23")
          || "90006".equals(state))) {
        return true;
      }
    }
    return false;
  }

  private static long generatedKey(PreparedStatement ps, String table) throws SQLException {
    try (ResultSet rs = ps.getGeneratedKeys()) {
      if (!rs.next()) {
        throw new SQLException("the insert into " + table + " returned no generated key");
      }
      return rs.getLong(1);
    }
  }

  private static void expectOne(int count, String what) throws SQLException {
    if (count != 1) {
      // Under the row locks taken before, this cannot happen; roll back and run again.
      throw new SQLException(what + " changed " + count + " rows, expected 1", "40001");
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(this + " is closed");
    }
  }

  private static void checkNode(int nodeId) {
    if (nodeId < 1 || nodeId > MAX_NODE_ID) {
      throw new IllegalArgumentException("nodeId must be 1 to " + MAX_NODE_ID + ", was "
          + nodeId);
    }
  }

  private static void checkSaleId(String saleId) {
    if (saleId == null || saleId.isEmpty()) {
      throw new IllegalArgumentException("saleId must not be null or empty, was "
          + (saleId == null ? "null" : "''"));
    }
    if (saleId.length() > JdbcOrderSink.MAX_SALE_ID
        && saleId.codePointCount(0, saleId.length()) > JdbcOrderSink.MAX_SALE_ID) {
      throw new IllegalArgumentException("saleId must be at most " + JdbcOrderSink.MAX_SALE_ID
          + " characters, was " + saleId.codePointCount(0, saleId.length()) + ": " + saleId);
    }
  }

  private static long millis(String name, Duration d, boolean zeroAllowed) {
    if (d == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
    if (d.isNegative() || (!zeroAllowed && d.isZero())) {
      throw new IllegalArgumentException(name + " must be " + (zeroAllowed ? "0 or more" : "positive")
          + ", was " + d);
    }
    if (d.compareTo(Duration.ofMillis(MAX_MILLIS)) > 0) {
      throw new IllegalArgumentException(name + " must be at most " + Duration.ofMillis(MAX_MILLIS)
          + ", was " + d);
    }
    long ms = d.toMillis();
    return ms == 0 && !zeroAllowed ? 1 : ms; // under a millisecond: one (the columns' precision)
  }

  // ---------------------------------------------------------------------------------------------
  // Builder

  /**
   * Configures a {@link JdbcStockCoordinator}. Every setter checks its value at once: a bad value
   * is an {@link IllegalArgumentException} naming the setting and the value (the setting stays
   * unset), a second call of the same setter an {@link IllegalStateException}. {@link #build()} checks what depends on
   * the database. Not thread-safe: configure on one thread.
   */
  public static final class Builder {
    /**
     * Takes ({@code lock}) or releases the session lock that serialises schema creation by
     * nodes sharing this prefix; nothing on H2 (embedded: one creator).
     */
    private void lockSchema(Connection c, Dialect resolved, boolean lock) throws SQLException {
      String sql;
      if (resolved == Dialect.POSTGRESQL) {
        sql = lock ? "SELECT pg_advisory_lock(?)" : "SELECT pg_advisory_unlock(?)";
      } else if (resolved == Dialect.MYSQL) {
        sql = lock ? "SELECT GET_LOCK(?, 60)" : "SELECT RELEASE_LOCK(?)";
      } else {
        return;
      }
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        if (resolved == Dialect.POSTGRESQL) {
          ps.setLong(1, 0x5ec6_1110_0000_0000L ^ tablePrefix.toLowerCase(Locale.ROOT).hashCode());
        } else {
          ps.setString(1, "seckill-schema:" + tablePrefix.toLowerCase(Locale.ROOT));
        }
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
        }
      }
    }

    /** A letter or underscore, then letters, digits, underscores: at most 32 characters. */
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,31}");
    private static final List<String> SUFFIXES =
        List.of("nodes", "pool", "lease", "user_units", "voided_order");

    private final DataSource dataSource;
    private final Set<String> set = new HashSet<>();
    private Dialect dialect = Dialect.AUTO;
    private String ordersTable = "seckill_order";
    private String tablePrefix = "seckill_";
    private boolean createSchemaIfMissing;
    private int deadlockRetries = 5;
    private Duration idleTransactionTimeout = Duration.ofSeconds(2);

    private Builder(DataSource dataSource) {
      this.dataSource = dataSource;
    }

    private void once(String setting) {
      if (!set.add(setting)) {
        throw new IllegalStateException(setting + " was already set");
      }
    }

    /**
     * The SQL dialect. Default {@link Dialect#AUTO}: detected from the database at build.
     *
     * @param dialect the dialect; not null
     * @return this builder
     */
    public Builder dialect(Dialect dialect) {
      if (dialect == null) {
        throw new IllegalArgumentException("dialect must not be null");
      }
      once("dialect");
      this.dialect = dialect;
      return this;
    }

    /**
     * The orders table the sinks store into: the same table, with the same schema, as
     * {@link JdbcOrderSink.Builder#table(String)}. Default {@code seckill_order}.
     *
     * @param table an unquoted SQL identifier, at most 48 characters, not a keyword
     * @return this builder
     */
    public Builder ordersTable(String table) {
      String checked = JdbcOrderSink.Builder.identifier("ordersTable", table);
      once("ordersTable");
      this.ordersTable = checked;
      return this;
    }

    /**
     * The prefix of the coordinator's tables ({@code <prefix>nodes}, {@code <prefix>pool},
     * {@code <prefix>lease}, {@code <prefix>user_units}, {@code <prefix>voided_order}) and of
     * its sequence and indexes. Default {@code seckill_}.
     *
     * @param prefix a letter or underscore, then letters, digits or underscores; at most 32
     *     characters
     * @return this builder
     */
    public Builder tablePrefix(String prefix) {
      if (prefix == null || !PREFIX.matcher(prefix).matches()) {
        throw new IllegalArgumentException("tablePrefix must be a letter or underscore, then"
            + " letters, digits or underscores, at most 32 characters, was '" + prefix + "'");
      }
      once("tablePrefix");
      this.tablePrefix = prefix;
      return this;
    }

    /**
     * Whether {@link #build()} creates missing tables, sequence and indexes (the coordinator's
     * and the orders table) from the dialect's DDL ({@code CREATE ... IF NOT EXISTS}). Default
     * false, as for {@link JdbcOrderSink}: a missing table fails the build with the DDL to run.
     *
     * @param create true to create what is missing (needs the DDL grant)
     * @return this builder
     */
    public Builder createSchemaIfMissing(boolean create) {
      once("createSchemaIfMissing");
      this.createSchemaIfMissing = create;
      return this;
    }

    /**
     * How many times a transaction that failed on a deadlock, serialization failure or lock
     * timeout is run again at once before the method throws. 0 to 100; default 5.
     *
     * @param retries extra attempts per call, 0 to 100
     * @return this builder
     */
    public Builder deadlockRetries(int retries) {
      if (retries < 0 || retries > 100) {
        throw new IllegalArgumentException("deadlockRetries must be 0 to 100, was " + retries);
      }
      once("deadlockRetries");
      this.deadlockRetries = retries;
      return this;
    }

    /**
     * How long the database may let one of the coordinator's transactions sit idle, its client
     * silent between two statements, before it ends the session and so the transaction and its
     * row locks. A node frozen in the middle of a coordinator call (a long GC pause,
     * {@code kill -STOP}) would otherwise hold, say, a sale's pool row for as long as the
     * freeze lasts, and every node's {@code lease} and the reaper would wait behind it. Set in
     * each transaction: PostgreSQL {@code SET LOCAL idle_in_transaction_session_timeout} (this
     * transaction only; 9.6+); MariaDB the session's {@code idle_transaction_timeout}, rounded
     * up to whole seconds and put back after the transaction; MySQL, H2 and PostgreSQL 9.5
     * have no such setting and ignore it. Keep it well under the lease time to live. Default 2 s; {@link Duration#ZERO}
     * turns it off; otherwise 100 ms to 1 hour.
     *
     * @param timeout the bound, 0 (off) or 100 ms to 1 hour
     * @return this builder
     */
    public Builder idleTransactionTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || (!timeout.isZero()
          && (timeout.compareTo(Duration.ofMillis(100)) < 0
          || timeout.compareTo(Duration.ofHours(1)) > 0))) {
        throw new IllegalArgumentException("idleTransactionTimeout must be 0 (off) or 100 ms to"
            + " 1 hour, was " + timeout);
      }
      once("idleTransactionTimeout");
      this.idleTransactionTimeout = timeout;
      return this;
    }

    /**
     * Connects once to detect the dialect (if {@link Dialect#AUTO}) and the server's version,
     * creates the schema if asked, and checks that every table exists with its columns.
     *
     * @return a ready coordinator
     * @throws IllegalStateException if the orders table's name is one of the coordinator's, the
     *     database cannot be reached (the cause is kept), its product is not supported, or a
     *     table is missing (the message names it and gives the DDL to run)
     */
    public JdbcStockCoordinator build() {
      for (String suffix : SUFFIXES) {
        if (ordersTable.equalsIgnoreCase(tablePrefix + suffix)) {
          throw new IllegalStateException("ordersTable '" + ordersTable + "' is the"
              + " coordinator's own table " + tablePrefix + suffix + " (tablePrefix '"
              + tablePrefix + "'); choose another ordersTable or tablePrefix");
        }
      }
      Connection c;
      try {
        c = dataSource.getConnection();
      } catch (SQLException | RuntimeException e) {
        throw new IllegalStateException("JdbcStockCoordinator cannot connect to its DataSource ("
            + dataSource.getClass().getName() + "): " + e, e);
      }
      try (c) {
        DatabaseMetaData meta = c.getMetaData();
        Dialect resolved = dialect;
        if (resolved == Dialect.AUTO) {
          resolved = Dialect.detect(meta.getDatabaseProductName());
        }
        boolean skipLocked = skipLocked(resolved, meta);
        // idle_in_transaction_session_timeout: PostgreSQL 9.6+; idle_transaction_timeout:
        // MariaDB 10.3+ (this adapter's minimum); MySQL and H2 have neither.
        boolean idleBound = resolved == Dialect.POSTGRESQL
            ? meta.getDatabaseMajorVersion() > 9
                || (meta.getDatabaseMajorVersion() == 9 && meta.getDatabaseMinorVersion() >= 6)
            : resolved == Dialect.MYSQL && (meta.getDatabaseProductName() + " "
                + meta.getDatabaseProductVersion()).toLowerCase(Locale.ROOT).contains("mariadb");
        if (!c.getAutoCommit()) {
          c.setAutoCommit(true);
        }
        List<String> ddl = CoordinatorSql.schemaStatements(resolved, tablePrefix);
        if (createSchemaIfMissing) {
          // Every node of a cluster builds its coordinator at start, often at the same moment.
          // CREATE ... IF NOT EXISTS is not safe against a concurrent creator on PostgreSQL (a
          // unique violation on pg_class / pg_type), so the script runs under a lock named after
          // the prefix (an advisory lock; GET_LOCK on MySQL/MariaDB), held on this connection.
          try (Statement s = c.createStatement()) {
            lockSchema(c, resolved, true);
            try {
              for (String statement : JdbcOrderSink.schemaStatements(resolved, ordersTable, null)) {
                s.execute(statement);
              }
              for (String statement : ddl) {
                s.execute(statement);
              }
            } finally {
              lockSchema(c, resolved, false);
            }
          } catch (SQLException e) {
            throw new IllegalStateException("JdbcStockCoordinator could not create its schema"
                + " (createSchemaIfMissing): " + e.getMessage(), e);
          }
        }
        // state, state_version: reservation state changes (storeStateChanges) write them.
        probe(c, ordersTable, "order_id, sale_id, user_id, quantity, confirmed_at, state,"
            + " state_version", JdbcOrderSink.schemaStatements(resolved, ordersTable, null));
        String[][] tables = {
          {"nodes", "node_id, created_at"},
          {"pool", "sale_id, stock, free, limit_per_user, pay_within_ms, held, released,"
              + " created_at"},
          {"lease", "lease_id, sale_id, node_id, granted, used, state, starving, expires_at,"
              + " created_at, updated_at"},
          {"user_units", "sale_id, user_id, units"},
          {"voided_order", "order_id, sale_id, node_id, user_id, quantity, reason, voided_at"},
        };
        for (String[] t : tables) {
          probe(c, tablePrefix + t[0], t[1], ddl);
        }
        // plan_cache_mode: PostgreSQL 12+.
        boolean customPlans = resolved == Dialect.POSTGRESQL && meta.getDatabaseMajorVersion() >= 12;
        return new JdbcStockCoordinator(this, resolved, skipLocked, idleBound, customPlans);
      } catch (SQLException e) {
        throw new IllegalStateException("JdbcStockCoordinator could not check its schema: " + e,
            e);
      }
    }

    /** SKIP LOCKED: PostgreSQL 9.5+, MariaDB 10.6+, MySQL 8.0+; not H2. */
    private static boolean skipLocked(Dialect d, DatabaseMetaData meta) throws SQLException {
      switch (d) {
        case POSTGRESQL:
          return true;
        case MYSQL:
          int major = meta.getDatabaseMajorVersion();
          int minor = meta.getDatabaseMinorVersion();
          String product = meta.getDatabaseProductName() + " "
              + meta.getDatabaseProductVersion();
          if (product.toLowerCase(Locale.ROOT).contains("mariadb")) {
            return major > 10 || (major == 10 && minor >= 6);
          }
          return major >= 8;
        default:
          return false;
      }
    }

    /** Fails naming the table, the columns and the DDL that creates it, if it is missing. */
    private static void probe(Connection c, String table, String columns, List<String> ddl) {
      try (Statement s = c.createStatement()) {
        s.executeQuery("SELECT " + columns + " FROM " + table + " WHERE 1 = 0").close();
      } catch (SQLException e) {
        StringBuilder create = new StringBuilder();
        Pattern name = Pattern.compile("(?i)\\b" + Pattern.quote(table) + "\\b");
        for (String statement : ddl) {
          if (name.matcher(statement).find()
              || (statement.contains("SEQUENCE") && table.endsWith("nodes"))) {
            create.append(statement).append(";\n");
          }
        }
        throw new IllegalStateException("table " + table + " does not exist or lacks the columns"
            + " (" + columns + "): " + String.valueOf(e.getMessage()).lines().findFirst()
            .orElse("") + ". Create it with:\n" + create
            + "or enable createSchemaIfMissing(true)", e);
      }
    }
  }
}
